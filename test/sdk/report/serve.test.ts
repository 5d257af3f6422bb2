import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allowedHostNames, isAllowedHost, LOOPBACK_HOSTS, reportsFolderProblem, serveFolder, ServeError } from '../../../sdk/src/report/serve.js';
import { CLI, requireBuilt, runCli } from '../../helpers/sdk.js';
import { tempDir } from '../../helpers/tmp.js';

const servers: ChildProcess[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.kill('SIGTERM');
});

/** A folder as `trainbook publish --to <dir>` leaves it. */
function reportsFolder(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), '<p>index</p>');
  fs.writeFileSync(path.join(dir, 'train.html'), '<p>the report</p>');
  fs.writeFileSync(path.join(dir, 'trainbook-reports.json'), '{"format":1,"reports":[]}\n');
  return dir;
}

/** Starts `trainbook serve` with `args` on a free port; resolves with the port and what it wrote on stderr so far. */
async function serve(cwd: string, args: string[]): Promise<{ port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args, '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  let output = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}${stderr}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      const match = /Serving .* at http:\/\/[^:]+:(\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ port: Number(match[1]), stderr: () => stderr });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${output}${stderr}`)));
  });
}

/** A GET to 127.0.0.1:`port` with the Host header forged to `host` (or none at all). */
function get(port: number, host: string | null, urlPath = '/train.html', address = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = host === null ? {} : { host };
    const request = http.request({ host: address, port, path: urlPath, method: 'GET', headers, setHost: host !== null }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('serve', () => {
  beforeAll(() => requireBuilt());

  describe('isAllowedHost()', () => {
    it('takes loopback names with the port, and the listen host when it is not loopback', () => {
      const names = allowedHostNames('127.0.0.1', { addresses: ['10.0.0.5'], hostname: 'box' });
      expect([...names].sort()).toEqual([...LOOPBACK_HOSTS].sort());
      for (const host of ['localhost:8000', '127.0.0.1:8000', '[::1]:8000', 'LOCALHOST:8000']) expect(isAllowedHost(host, names, 8000), host).toBe(true);
      for (const host of [undefined, '', 'evil.example:8000', 'localhost', 'localhost:8001', 'localhost.:8000', '127.0.0.1.evil.example:8000', 'localhost:8000@evil', '10.0.0.5:8000', 'box:8000', '[::1]:80']) {
        expect(isAllowedHost(host, names, 8000), String(host)).toBe(false);
      }
      expect(isAllowedHost('localhost', names, 80)).toBe(true);
      const lan = allowedHostNames('192.168.1.20', { addresses: ['10.0.0.5'], hostname: 'box' });
      expect(isAllowedHost('192.168.1.20:8000', lan, 8000)).toBe(true);
      expect(isAllowedHost('10.0.0.5:8000', lan, 8000)).toBe(false);
      const any = allowedHostNames('0.0.0.0', { addresses: ['10.0.0.5', 'fe80::1'], hostname: 'Box' });
      for (const host of ['10.0.0.5:8000', '[fe80::1]:8000', 'box:8000', 'localhost:8000']) expect(isAllowedHost(host, any, 8000), host).toBe(true);
      expect(isAllowedHost('evil.example:8000', any, 8000)).toBe(false);
    });
  });

  describe('reportsFolderProblem()', () => {
    it('accepts only a folder trainbook publish wrote, with no notebook or store in it', async () => {
      const dir = tempDir();
      expect(reportsFolderProblem(path.join(dir, 'missing'))?.reason).toBe('missing');
      expect(reportsFolderProblem(dir)?.reason).toBe('not-reports');
      reportsFolder(dir);
      expect(reportsFolderProblem(dir)).toBeNull();
      fs.mkdirSync(path.join(dir, 'train.trainbook'));
      expect(reportsFolderProblem(dir)?.reason).toBe('private');
      expect(() => serveFolder(dir, { port: 0 })).toThrow(ServeError);
    });
  });

  describe('trainbook serve', () => {
    it('answers a forged Host header (DNS rebinding) with 403 and none of the folder', async () => {
      const dir = tempDir();
      const { port } = await serve(dir, [reportsFolder(path.join(dir, 'site'))]);
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) expect(await get(port, host), host).toEqual({ status: 200, body: '<p>the report</p>' });
      for (const host of [`evil.example:${port}`, `rebind.evil.example:${port}`, `localhost:${port + 1}`, `127.0.0.1`, 'evil.example']) {
        const response = await get(port, host);
        expect(response.status, host).toBe(403);
        expect(response.body).not.toContain('the report');
        expect(response.body).toMatch(/answers only requests for this machine/);
      }
      expect((await get(port, null)).status).not.toBe(200);
    });

    it('with --host, also answers that host; with 0.0.0.0, this machine\'s addresses and name', async () => {
      const dir = tempDir();
      const site = reportsFolder(path.join(dir, 'site'));
      const other = await serve(dir, [site, '--host', '127.0.0.2']);
      expect(await get(other.port, `127.0.0.2:${other.port}`, '/train.html', '127.0.0.2')).toEqual({ status: 200, body: '<p>the report</p>' });
      expect(await get(other.port, `localhost:${other.port}`, '/train.html', '127.0.0.2')).toMatchObject({ status: 200 });
      expect(await get(other.port, `evil.example:${other.port}`, '/train.html', '127.0.0.2')).toMatchObject({ status: 403 });
      expect(other.stderr()).toMatch(/other machines may reach this server; it answers requests for .*127\.0\.0\.2/);
      const all = await serve(dir, [site, '--host', '0.0.0.0']);
      expect(await get(all.port, `${os.hostname()}:${all.port}`)).toMatchObject({ status: 200 });
      expect(await get(all.port, `evil.example:${all.port}`)).toMatchObject({ status: 403 });
    });

    it('serves only a folder trainbook publish wrote: exits 2 naming what to run otherwise', () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'train.ipynb'), '{}');
      fs.mkdirSync(path.join(dir, 'train.trainbook', 'runs'), { recursive: true });
      // No trainbook-reports/ folder: never the current folder instead.
      const none = runCli(['serve', '--port', '0'], dir, {});
      expect(none.status, none.stdout).toBe(2);
      expect(none.stderr).toMatch(/No trainbook-reports\/ folder in .* Run `trainbook publish` first/);
      const here = runCli(['serve', '.', '--port', '0'], dir);
      expect(here.status).toBe(2);
      expect(here.stderr).toMatch(/is not a folder of published reports \(it has no trainbook-reports\.json\).*run `trainbook publish --to \.` first/);
      fs.writeFileSync(path.join(dir, 'trainbook-reports.json'), '{"format":1,"reports":[]}');
      const mixed = runCli(['serve', '.', '--port', '0'], dir);
      expect(mixed.status).toBe(2);
      expect(mixed.stderr).toMatch(/also holds train\.(ipynb|trainbook), a notebook or store that serving would expose.*trainbook publish --to trainbook-reports/);
      expect(runCli(['serve', 'missing', '--port', '0'], dir).stderr).toMatch(/There is no folder .*missing/);
    });
  });
});
