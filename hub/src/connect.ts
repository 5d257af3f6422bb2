/**
 * The one place the hub opens connections: a `pg` pool built from a libpq URL, whose errors come
 * out as {@link HubError}s with the URL redacted and no password in them. An idle connection that
 * the server drops (PostgreSQL restarted) is an event the pool reports, never a crash.
 */
import pg from 'pg';
import { HubError, HubPermissionError, HubSchemaError, HubUnreachableError } from './errors.js';
import { connectionSettings, lookUpPassword, redactUrl, withoutSecret } from './url.js';

export interface Hub {
  /** The URL without its password, for messages. */
  readonly label: string;
  readonly pool: pg.Pool;
  /** Runs `work` on one connection; errors become HubErrors. */
  withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Runs `work` in a transaction (BEGIN … COMMIT, ROLLBACK on any error). */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Turns any error from the driver into a HubError naming this hub. */
  explain(error: unknown, doing: string): HubError;
  close(): Promise<void>;
}

export interface OpenHubOptions {
  /** Connections at most (default 2). */
  max?: number;
  /** How long to wait for a connection, ms (default 10 s, or the URL's connect_timeout). */
  connectTimeoutMs?: number;
  /** Per-statement limit, ms (none by default). */
  statementTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** A pool for the hub at `url`. Nothing connects until the first query. */
export function openHub(url: string, options: OpenHubOptions = {}): Hub {
  const settings = connectionSettings(url);
  const label = redactUrl(url);
  const env = options.env ?? process.env;
  const secret = lookUpPassword(settings, env) ?? null;
  const { urlPassword: _urlPassword, ...clientSettings } = settings;
  const pool = new pg.Pool({
    ...clientSettings,
    // A function: pg asks for it only when the server wants a password, and never prints it.
    password: async () => {
      const password = lookUpPassword(settings, env);
      if (password === undefined) {
        throw new HubUnreachableError('hub-auth', `The hub ${label} asks for a password and none was given: put it in the URL, PGPASSWORD or ~/.pgpass (readable by you alone).`);
      }
      return password;
    },
    max: options.max ?? 2,
    connectionTimeoutMillis: options.connectTimeoutMs ?? settings.connectionTimeoutMillis ?? 10_000,
    idleTimeoutMillis: 10_000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client whose server went away: the next query gets a fresh connection.
  pool.on('error', () => undefined);

  const explain = (error: unknown, doing: string): HubError => hubErrorFrom(error, label, doing, secret);

  const withClient = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw explain(error, 'connect');
    }
    let broken = false;
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      if (error instanceof HubError) throw error;
      broken ||= isConnectionError(error);
      // The driver's and the server's errors become HubErrors; the caller's own pass through.
      if (error instanceof pg.DatabaseError || isConnectionError(error)) throw explain(error, 'query');
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken ? true : undefined);
    }
  };

  const transaction = <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
    withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });

  return { label, pool, withClient, transaction, explain, close: () => pool.end().catch(() => undefined) };
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout expired|connect ECONNREFUSED|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(message);
}

/** A driver error as a HubError: what went wrong, on which hub, and what to do. Never holds the password. */
export function hubErrorFrom(error: unknown, label: string, doing: string, secret: string | null): HubError {
  if (error instanceof HubError) return error;
  const code = (error as { code?: unknown })?.code;
  const raw = withoutSecret(error instanceof Error ? error.message : String(error), secret);
  if (code === '28P01' || code === '28000') {
    return new HubUnreachableError('hub-auth', `The hub ${label} refused the login (${raw}). Check the user and password (URL, PGPASSWORD or ~/.pgpass).`);
  }
  if (code === '3D000') return new HubUnreachableError('hub-unreachable', `The hub ${label} has no such database (${raw}). Create it, or fix the URL.`);
  if (code === '42501') {
    return new HubPermissionError(`The hub ${label} did not allow this (${raw}): the role may only read. Push with a role that has the writer grants \`trainbook hub init\` prints.`);
  }
  if (code === '42P01' || code === '3F000') {
    return new HubSchemaError('hub-schema-missing', `The hub ${label} has no trainbook schema (${raw}). Run \`trainbook hub init <url>\` once with a role that may create tables.`);
  }
  if (isConnectionError(error)) {
    return new HubUnreachableError('hub-unreachable', `Cannot reach the hub ${label} (${raw}). Is PostgreSQL running there, and the host, port and network right?`);
  }
  return new HubError('hub-unexpected', `The hub ${label} failed to ${doing}: ${raw}`, { cause: error });
}
