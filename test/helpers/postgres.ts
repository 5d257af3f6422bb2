/**
 * A throwaway PostgreSQL cluster for one test file: initdb in a temp folder, a free loopback
 * port, trust authentication, the socket in the folder. PostgreSQL refuses to run as root, so as
 * root the server binaries run as the `postgres` user (runuser). `stop()` and `start()` again make
 * an outage; `destroy()` stops it (immediate) and removes the folder. The superuser `postgres` needs
 * no password; other roles log in with theirs (scram-sha-256).
 *
 * @example
 * const pg = await startPostgres();   // in beforeAll
 * pg.url                              // postgres://postgres@127.0.0.1:PORT/postgres
 * await pg.destroy();                 // in afterAll
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (superuser, trust). */
  url: string;
  port: number;
  dir: string;
  /** A URL for another role or database of this cluster. */
  urlFor(user: string, database?: string, password?: string): string;
  /** Runs SQL as the superuser through psql (for setup the code under test does not do). */
  psql(sql: string, database?: string): string;
  stop(): void;
  start(): void;
  destroy(): Promise<void>;
}

/** Where Debian puts the server binaries (not on PATH); null when PostgreSQL is not installed. */
export function postgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')));
  } catch {
    return process.env.PG_BIN && fs.existsSync(path.join(process.env.PG_BIN, 'initdb')) ? process.env.PG_BIN : null;
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a server binary as a user PostgreSQL accepts (postgres when we are root). */
function asServerUser(binary: string, args: string[]): string {
  const [command, fullArgs] = isRoot() ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  return execFileSync(command, fullArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `bash scripts/setup.sh --tests`.');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-pg-'));
  fs.chmodSync(dir, 0o755);
  if (isRoot()) execFileSync('chown', ['postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'log');
  asServerUser(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  // The superuser logs in without a password (the harness and psql); every other role needs one
  // over TCP, so tests can check passwords, PGPASSWORD and .pgpass for real.
  fs.writeFileSync(
    path.join(data, 'pg_hba.conf'),
    ['local all all trust', 'host all postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'),
  );
  const port = await freePort();
  // Tests do not need durability; fsync off makes the cluster several times faster to write.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
  const start = (): void => {
    asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '30', 'start', '-o', options]);
  };
  const stop = (): void => {
    asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };
  start();
  const urlFor = (user: string, database = 'postgres', password?: string): string =>
    `postgres://${encodeURIComponent(user)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  let running = true;
  return {
    url: urlFor('postgres'),
    port,
    dir,
    urlFor,
    psql: (sql, database = 'postgres') =>
      execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-At', '-c', sql], {
        encoding: 'utf8',
        timeout: 60_000,
      }),
    stop: () => {
      stop();
      running = false;
    },
    start: () => {
      start();
      running = true;
    },
    destroy: async () => {
      if (running) {
        try {
          stop();
        } catch {
          // Already gone.
        }
      }
      running = false;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
