/**
 * A small static file server for previewing reports: 127.0.0.1 by default, GET and HEAD only,
 * and no path can leave the served folder (`..`, encoded slashes, symlinks pointing out).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

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
  close: () => Promise<void>;
}

export function serveFolder(root: string, options: { port?: number; host?: string; log?: (line: string) => void } = {}): Promise<Server> {
  const log = options.log ?? (() => {});
  const server = http.createServer((request, response) => {
    const send = (status: number, text: string) => {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      response.end(request.method === 'HEAD' ? undefined : text);
    };
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
    server.listen(options.port ?? 8000, options.host ?? '127.0.0.1', () => {
      const address = server.address() as AddressInfo;
      resolve({ url: `http://${address.address}:${address.port}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
