/**
 * A small static file server for previewing published reports: 127.0.0.1 by default, GET and
 * HEAD only, only a folder `trainbook publish` wrote (never a folder of notebooks or stores), no
 * path can leave it (`..`, encoded slashes, symlinks pointing out), and only requests whose Host
 * header names this server are answered, so a page on another site cannot read it through DNS
 * rebinding.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrainbookError } from 'trainbook/core';
import { STORE_SUFFIX } from '../store/paths.js';
import { MANIFEST } from './publish.js';

/** A folder `serve` will not serve: missing, not what `trainbook publish` writes, or holding notebooks or stores. */
export class ServeError extends TrainbookError {
  constructor(message: string) {
    super('serve', message);
  }
}

/** Why a folder is not one `serve` serves: what reportsFolderProblem() finds. */
export interface FolderProblem {
  reason: 'missing' | 'not-reports' | 'private';
  message: string;
}

/**
 * Why `dir` is not a folder of published reports, or null when it is one: it must hold the
 * `trainbook-reports.json` that `trainbook publish` writes, and no notebook or store.
 */
export function reportsFolderProblem(dir: string): FolderProblem | null {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return { reason: 'missing', message: `There is no folder ${dir}` };
  }
  if (!entries.some((entry) => entry.name === MANIFEST && entry.isFile())) return { reason: 'not-reports', message: `${dir} is not a folder of published reports (it has no ${MANIFEST})` };
  const exposed = entries.find((entry) => entry.name.endsWith('.ipynb') || (entry.isDirectory() && entry.name.endsWith(STORE_SUFFIX)));
  if (exposed) return { reason: 'private', message: `${dir} also holds ${exposed.name}, a notebook or store that serving would expose` };
  return null;
}

/** The host names every server answers to: loopback, as a browser on this machine writes it. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

/** A host or address as it appears in a Host header: lower case, IPv6 in brackets. */
function hostName(host: string): string {
  const lower = host.toLowerCase();
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower;
}

/**
 * The names a request's Host header may carry for a server listening on `listenHost`: the
 * loopback names always; the listen address or name itself when it is not a wildcard; for a
 * wildcard (`0.0.0.0`, `::`) also every address of `machine`'s interfaces and its hostname. Pure.
 */
export function allowedHostNames(listenHost: string, machine: { addresses: readonly string[]; hostname: string }): Set<string> {
  const names = new Set(LOOPBACK_HOSTS);
  if (WILDCARDS.has(listenHost)) {
    for (const address of machine.addresses) names.add(hostName(address));
    if (machine.hostname) names.add(hostName(machine.hostname));
  } else {
    names.add(hostName(listenHost));
  }
  return names;
}

/**
 * Whether a Host header names this server: one of `names` with the server's `port` (the port may
 * be left out only when it is 80). Anything else, a missing header included, is refused. Pure.
 */
export function isAllowedHost(header: string | undefined, names: ReadonlySet<string>, port: number): boolean {
  if (!header) return false;
  const match = /^(\[[0-9a-f:.]+\]|[^:\[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!match) return false;
  const given = match[2] === undefined ? 80 : Number(match[2]);
  return given === port && names.has(match[1]!.toLowerCase());
}

/** This machine's interface addresses and hostname, for a server listening on every address. */
function thisMachine(): { addresses: string[]; hostname: string } {
  const addresses = Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address));
  return { addresses, hostname: os.hostname() };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file a request path names inside `root`, or null when it would leave it or does not exist. */
export function resolveRequestPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.some((segment) => segment === '..' || segment.startsWith('.'))) return null;
  const realRoot = fs.realpathSync(root);
  let candidate = path.join(realRoot, ...segments);
  try {
    candidate = fs.realpathSync(candidate);
    if (candidate !== realRoot && !candidate.startsWith(realRoot + path.sep)) return null;
    if (fs.statSync(candidate).isDirectory()) {
      const index = path.join(candidate, 'index.html');
      return fs.existsSync(index) ? index : null;
    }
    return candidate;
  } catch {
    return null;
  }
}

export interface Server {
  url: string;
  /** The Host names this server answers (see allowedHostNames()). */
  hosts: string[];
  close: () => Promise<void>;
}

/**
 * Serves `root`, a folder `trainbook publish` wrote (a ServeError otherwise), on `host`
 * (127.0.0.1 by default) and `port` (8000; 0 picks a free one). Requests whose Host header is not
 * one of allowedHostNames() get a 403 and nothing of the folder.
 */
export function serveFolder(root: string, options: { port?: number; host?: string; log?: (line: string) => void } = {}): Promise<Server> {
  const problem = reportsFolderProblem(root);
  if (problem) throw new ServeError(`${problem.message}. trainbook serve only serves what \`trainbook publish\` writes: run \`trainbook publish\` first, then \`trainbook serve\`.`);
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const names = allowedHostNames(host, thisMachine());
  let port = options.port ?? 8000;
  let url = '';
  const server = http.createServer((request, response) => {
    const send = (status: number, text: string) => {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      response.end(request.method === 'HEAD' ? undefined : text);
    };
    if (!isAllowedHost(request.headers.host, names, port)) {
      log(`${request.method} ${request.url} 403 (Host ${JSON.stringify(request.headers.host ?? '')})`);
      return send(403, `trainbook serve answers only requests for this machine, such as ${url}. Open that address; to reach it by another name, start trainbook serve with --host <that name>.\n`);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'method not allowed\n');
    const file = resolveRequestPath(root, request.url ?? '/');
    log(`${request.method} ${request.url} ${file ? 200 : 404}`);
    if (!file) return send(404, 'not found\n');
    response.writeHead(200, {
      'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    if (request.method === 'HEAD') return response.end();
    fs.createReadStream(file).on('error', () => response.destroy()).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      port = address.port;
      url = `http://${WILDCARDS.has(hostName(address.address)) ? '127.0.0.1' : hostName(address.address)}:${port}/`;
      resolve({ url, hosts: [...names], close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
