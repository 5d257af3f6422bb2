import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, openBrowser, type Browser } from '../../helpers/lab.js';
import { CLI, requireBuilt, runCli } from '../../helpers/sdk.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeStore, runIds } from './fixtures.js';

let browser: Browser;
const servers: ChildProcess[] = [];

beforeAll(async () => {
  requireBuilt();
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(() => {
  for (const server of servers.splice(0)) server.kill('SIGTERM');
});

/** Starts `trainbook serve <dir>` on a free port and waits for its "Serving" line. */
async function serve(dir: string, port: number): Promise<string> {
  const child = spawn(process.execPath, [CLI, 'serve', dir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /Serving .* at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${output}`)));
  });
}

function rawGet(port: number, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

const lastLine = (text: string) => text.trim().split('\n').pop()!;

describe('trainbook publish', () => {
  it('commits the report to a branch of a bare git repository; the printed link opens at the run', async () => {
    const dir = tempDir();
    makeStore(dir, 300);
    const [, fast] = runIds(dir) as [string, string, string];
    const bare = path.join(dir, 'site.git');
    expect(spawnSync('git', ['init', '--quiet', '--bare', bare]).status).toBe(0);
    const port = await freePort();
    const result = runCli(['publish', '--to', `git:${bare}#gh-pages`, '--base-url', `http://127.0.0.1:${port}/`, '--run', 'fast'], dir);
    expect(result.stderr).toMatch(/pushing to gh-pages/);
    expect(result.status).toBe(0);
    const link = lastLine(result.stdout);
    expect(link).toBe(`http://127.0.0.1:${port}/train.html#run=${fast}`);
    // The user's folder is not a git repository and stays untouched.
    expect(fs.existsSync(path.join(dir, '.git'))).toBe(false);
    // Serve what the branch holds, as a pages host would.
    const site = path.join(dir, 'checkout');
    expect(spawnSync('git', ['clone', '--quiet', '--branch', 'gh-pages', bare, site]).status).toBe(0);
    expect(fs.readdirSync(site).sort()).toEqual(['.git', '.nojekyll', 'index.html', 'train.html', 'trainbook-reports.json']);
    await serve(site, port);
    const page = await browser.newPage();
    await page.goto(link);
    await page.waitForSelector('html[data-report-ready]', { state: 'attached' });
    expect(await page.evaluate(() => document.documentElement.dataset.targetRun)).toBe(fast);
    await expect.poll(() => page.evaluate((id) => {
      const rect = document.getElementById(`run=${id}`)!.getBoundingClientRect();
      return rect.top >= -5 && rect.top < window.innerHeight / 2;
    }, fast)).toBe(true);
    await page.goto(`http://127.0.0.1:${port}/`);
    expect(await page.locator('a[href="train.html"]').count()).toBe(1);
    expect(browser.errors).toEqual([]);
    expect(browser.external).toEqual([]);
    await page.close();
    // Publishing again adds a commit on top of the branch.
    const again = runCli(['publish', '--to', `git:${bare}#gh-pages`, '--name', 'second', '--base-url', `http://127.0.0.1:${port}/`], dir);
    expect(again.status).toBe(0);
    const files = spawnSync('git', ['ls-tree', '--name-only', 'gh-pages'], { cwd: bare, encoding: 'utf8' }).stdout;
    expect(files).toContain('second.html');
    expect(files).toContain('train.html');
  });

  it('writes into a folder served over HTTP; a #compare link selects the runs', async () => {
    const dir = tempDir();
    makeStore(dir, 300);
    const [baseline, fast, hostile] = runIds(dir) as [string, string, string];
    const port = await freePort();
    const result = runCli(['publish', '--to', 'public', '--base-url', `http://127.0.0.1:${port}`, '--compare', `baseline,${fast.slice(0, 21)}`], dir);
    expect(result.status).toBe(0);
    const link = lastLine(result.stdout);
    expect(link).toBe(`http://127.0.0.1:${port}/train.html#compare=${baseline},${fast}`);
    await serve(path.join(dir, 'public'), port);
    const page = await browser.newPage();
    await page.goto(link);
    await page.waitForSelector('html[data-report-ready]', { state: 'attached' });
    expect(await page.evaluate(() => document.documentElement.dataset.selected)).toBe(`${baseline},${fast}`);
    expect(await page.locator(`#runs-table tr[data-run="${hostile}"].selected`).count()).toBe(0);
    await page.close();
    expect(runCli(['publish', '--to', 'public', '--run', 'no-such-run'], dir).status).toBe(2);
    expect(runCli(['publish', '--to', 'git:', '--run', 'x'], dir).status).toBe(2);
  });
});

describe('trainbook serve', () => {
  it('serves only files inside its folder', async () => {
    const dir = tempDir();
    const root = path.join(dir, 'root');
    fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<p>index</p>');
    fs.writeFileSync(path.join(root, 'sub', 'a.html'), '<p>a</p>');
    fs.writeFileSync(path.join(root, 'trainbook-reports.json'), '{"format":1,"reports":[]}'); // as publish leaves it
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret');
    fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'link.txt'));
    const port = await freePort();
    await serve(root, port);
    expect(await rawGet(port, '/')).toEqual({ status: 200, body: '<p>index</p>' });
    expect((await rawGet(port, '/sub/a.html')).body).toBe('<p>a</p>');
    for (const attempt of ['/../secret.txt', '/sub/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/sub%2f..%2f..%2fsecret.txt', '/link.txt', '/..\\secret.txt', `/${dir}/secret.txt`]) {
      const response = await rawGet(port, attempt);
      expect(response.status, attempt).toBe(404);
      expect(response.body).not.toContain('secret');
    }
  });
});
