/**
 * trainbook's Jupyter Server extension (sdk/python/trainbook_server) for real: a PostgreSQL hub
 * with two pushed runs, a real JupyterLab from .venv with the extension enabled and TRAINBOOK_HUB
 * naming a read-only role with a password, and the endpoints called over HTTP with the token.
 * Also `trainbook jupyter install` putting the extension into a fresh prefix.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabRoot, startLab, type Lab } from '../helpers/lab.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { CLI, requireBuilt, ROOT, runCli } from '../helpers/sdk.js';
import { tempDir } from '../helpers/tmp.js';
import { LATEST_SCHEMA } from 'trainbook/hub';
import { recordRun } from '../hub/fixtures.js';

const PASSWORD = 'Reader-S3cret-pw';
let pg: TestPostgres;
let lab: Lab;
let token: string;
let labRoot: string;
let readerUrl: string;
const ids: Record<string, string> = {};
/** Every response body seen, to check for the password at the end. */
const bodies: string[] = [];

async function api(pathAndQuery: string, options: { token?: boolean; method?: string } = {}): Promise<{ status: number; body: any; text: string }> {
  const headers: Record<string, string> = options.token === false ? {} : { Authorization: `token ${token}` };
  const response = await fetch(`${lab.base}/trainbook/api/hub/${pathAndQuery}`, { headers, method: options.method ?? 'GET' });
  const text = await response.text();
  bodies.push(text);
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Left null: the test says what it expected.
  }
  return { status: response.status, body, text };
}

beforeAll(async () => {
  requireBuilt();
  pg = await startPostgres();
  pg.psql('CREATE DATABASE team');
  const adminUrl = pg.urlFor('postgres', 'team');
  expect(runCli(['hub', 'init', adminUrl], tempDir()).status).toBe(0);
  pg.psql(`CREATE ROLE trainbook_reader LOGIN PASSWORD '${PASSWORD}'; GRANT USAGE ON SCHEMA trainbook TO trainbook_reader; GRANT SELECT ON ALL TABLES IN SCHEMA trainbook TO trainbook_reader;`, 'team');
  readerUrl = pg.urlFor('trainbook_reader', 'team', PASSWORD);

  const laptop = tempDir();
  const store = path.join(laptop, '.trainbook');
  ids.slow = (await recordRun(store, { name: 'slow', params: { lr: 0.01, optimizer: { name: 'adam' } } })).id;
  ids.fast = (await recordRun(store, { name: 'fast', params: { lr: 0.1, optimizer: { name: 'sgd' } } })).id;
  const push = runCli(['push', '--hub', adminUrl], laptop);
  expect(push.status, push.stderr).toBe(0);

  // The extension from this checkout (PYTHONPATH), enabled and pointed at this checkout's CLI in
  // the lab's own config folder, so the test does not depend on what setup.sh installed.
  labRoot = makeLabRoot('hub-server');
  const configDir = path.join(labRoot, '.jupyter-config');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(
    path.join(configDir, 'jupyter_server_config.json'),
    JSON.stringify({ ServerApp: { jpserver_extensions: { trainbook_server: true } }, TrainbookServer: { node: process.execPath, cli: CLI } }),
  );
  process.env.TRAINBOOK_HUB = readerUrl;
  process.env.PYTHONPATH = path.join(ROOT, 'sdk', 'python');
  lab = await startLab(labRoot);
  token = new URL(lab.url('x')).searchParams.get('token')!;
}, 120_000);

afterAll(async () => {
  await lab?.stop();
  if (labRoot) fs.rmSync(labRoot, { recursive: true, force: true });
  await pg?.destroy();
}, 60_000);

describe('trainbook_server (the team hub through the Jupyter server)', () => {
  it('GET status: configured, reachable, the redacted URL and the schema version', async () => {
    const { status, body } = await api('status');
    expect(status).toBe(200);
    expect(body).toMatchObject({ configured: true, reachable: true, schemaVersion: LATEST_SCHEMA, runs: 2 });
    expect(body.hub).toBe(`postgres://trainbook_reader@127.0.0.1:${pg.port}/team`);
  });

  it('GET runs: the team\'s runs with where they came from; query, sort, desc and limit', async () => {
    const all = await api('runs?sort=param:lr&desc=true');
    expect(all.status, all.text).toBe(200);
    expect(all.body.total).toBe(2);
    expect(all.body.runs.map((run: { name: string }) => run.name)).toEqual(['fast', 'slow']);
    const fast = all.body.runs[0];
    expect(fast).toMatchObject({ id: ids.fast, status: 'completed', params: { lr: 0.1, 'optimizer.name': 'sgd' }, tags: ['hub'] });
    expect(fast.remote).toMatchObject({ store: '.trainbook', points: 600 });
    expect(typeof fast.remote.host).toBe('string');
    expect(typeof fast.remote.user).toBe('string');
    expect(fast.summary.loss.count).toBe(300);

    const filtered = await api(`runs?query=${encodeURIComponent('lr < 0.05')}`);
    expect(filtered.status, filtered.text).toBe(200);
    expect(filtered.body.runs.map((run: { name: string }) => run.name)).toEqual(['slow']);
    const limited = await api('runs?limit=1&sort=name');
    expect(limited.body).toMatchObject({ total: 2, runs: [{ name: 'fast' }] });
  });

  it('hostile query text is a clean 400 or an empty result, and the hub is intact', async () => {
    const broken = await api(`runs?query=${encodeURIComponent("'; DROP TABLE trainbook.runs; --")}`);
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ code: 'usage' });
    expect(broken.body.error).toMatch(/--runs/);
    const quoted = await api(`runs?query=${encodeURIComponent('name = "\'; DROP TABLE trainbook.runs; --"')}`);
    expect(quoted.status, quoted.text).toBe(200);
    expect(quoted.body).toMatchObject({ total: 0, runs: [] });
    const sorted = await api(`runs?sort=${encodeURIComponent('name; DROP TABLE trainbook.runs')}`);
    expect(sorted.status, sorted.text).toBe(200); // a sort name is a bound parameter too: no such param or metric
    expect(sorted.body.total).toBe(2);
    // Tornado turns control characters in parameters into spaces; a NUL never reaches the CLI.
    const nul = await api(`runs?query=${encodeURIComponent('name = "a\u0000b"')}`);
    expect(nul.status === 400 || nul.body.total === 0, nul.text).toBe(true);
    expect((await api('runs?limit=-1')).status).toBe(400);
    expect(pg.psql('SELECT count(*) FROM trainbook.runs', 'team').trim()).toBe('2');
  });

  it('GET runs/<run>: the record and its series for charts, reduced or whole, or the full export', async () => {
    const reduced = await api(`runs/${ids.slow}?points=40`);
    expect(reduced.status, reduced.text).toBe(200);
    expect(reduced.body.hub).toBe(`postgres://trainbook_reader@127.0.0.1:${pg.port}/team`);
    expect(reduced.body.run).toMatchObject({ id: ids.slow, name: 'slow', status: 'completed', points: { loss: 300, acc: 300 } });
    expect(reduced.body.run.dir).toBeUndefined();
    const loss = reduced.body.run.series.find((s: { name: string }) => s.name === 'loss');
    expect(loss.count).toBe(300);
    expect(loss.step.length).toBeLessThanOrEqual(40);
    expect(loss.value.length).toBe(loss.step.length);

    const whole = await api('runs/slow?points=0');
    const all = whole.body.run.series.find((s: { name: string }) => s.name === 'loss');
    expect(all.step.length).toBe(300);
    expect(all.value.slice(4, 8)).toEqual([0.2, 'NaN', 'Infinity', '-Infinity']);
    expect(all.epoch[299]).toBe(2);

    const exported = await api(`runs/${ids.fast}?format=export`);
    expect(exported.status, exported.text).toBe(200);
    expect(exported.body.export).toMatchObject({ kind: 'trainbook-run', record: { id: ids.fast } });
    expect(exported.body.export.series.find((s: { name: string }) => s.name === 'loss').value).toHaveLength(300);

    const missing = await api('runs/no-such-run');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('hub-run-not-found');
    const option = await api(`runs/${encodeURIComponent('--hub=postgres://evil@example.com/db')}`);
    expect(option.status).toBe(404);
  });

  it('refuses requests without the token, requests naming a hub, and other methods', async () => {
    const anonymous = await api('runs', { token: false });
    expect(anonymous.status).toBe(403);
    expect(anonymous.body).toMatchObject({ code: 'forbidden' });
    expect(anonymous.text).not.toMatch(/slow|fast/);
    for (const query of ['hub=postgres://postgres@127.0.0.1/team', 'url=postgres://x', 'password=x']) {
      const named = await api(`runs?${query}`);
      expect(named.status).toBe(400);
      expect(named.body.code).toBe('unknown-parameter');
    }
    expect((await api('status?hub=postgres://postgres@127.0.0.1/team')).status).toBe(400);
    const posted = await api('runs', { method: 'POST' });
    expect([403, 405]).toContain(posted.status);
  });

  it('with the hub down: status says unreachable, reads answer 503 with the reason', async () => {
    pg.stop();
    try {
      const status = await api('status');
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ configured: true, reachable: false, schemaVersion: null, code: 'hub-unreachable' });
      expect(status.body.error).toContain(`127.0.0.1:${pg.port}`);
      const runs = await api('runs');
      expect(runs.status).toBe(503);
      expect(runs.body).toMatchObject({ code: 'hub-unreachable' });
    } finally {
      pg.start();
    }
    expect((await api('runs')).status).toBe(200);
  });

  it('never shows the password: not in any response, not in the server log', () => {
    expect(bodies.length).toBeGreaterThan(15);
    for (const body of bodies) {
      expect(body).not.toContain(PASSWORD);
      expect(body).not.toMatch(/Traceback|at .*\.js:\d+/);
    }
    expect(lab.log()).toMatch(/trainbook: team hub endpoints/);
    expect(lab.log()).not.toContain(PASSWORD);
  });
});

describe('trainbook jupyter install', () => {
  it('copies the server extension into a prefix\'s site-packages and enables it, recording node and the CLI', () => {
    const prefix = path.join(tempDir(), 'venv');
    execFileSync('/usr/bin/python3', ['-m', 'venv', '--without-pip', prefix]);
    const result = runCli(['jupyter', 'install', '--prefix', prefix, '--no-kernel'], tempDir());
    expect(result.status, result.stderr).toBe(0);
    const site = execFileSync(path.join(prefix, 'bin', 'python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim();
    const installed = path.join(site, 'trainbook_server');
    expect(result.stdout).toContain(`server extension installed at ${installed}`);
    expect(fs.lstatSync(installed).isDirectory()).toBe(true);
    expect(fs.existsSync(path.join(installed, 'handlers.py'))).toBe(true);
    expect(fs.existsSync(path.join(installed, '__pycache__'))).toBe(false);
    const config = JSON.parse(fs.readFileSync(path.join(prefix, 'etc', 'jupyter', 'jupyter_server_config.d', 'trainbook.json'), 'utf8'));
    expect(config).toEqual({ ServerApp: { jpserver_extensions: { trainbook_server: true } }, TrainbookServer: { node: process.execPath, cli: CLI } });

    const linked = runCli(['jupyter', 'install', '--prefix', prefix, '--no-kernel', '--link'], tempDir());
    expect(linked.status, linked.stderr).toBe(0);
    expect(fs.realpathSync(installed)).toBe(path.join(ROOT, 'sdk', 'python', 'trainbook_server'));
  });

  it('the extension validates in the real jupyter_server: `jupyter server extension list` shows it enabled and OK', () => {
    const configDir = tempDir();
    fs.writeFileSync(path.join(configDir, 'jupyter_server_config.json'), JSON.stringify({ ServerApp: { jpserver_extensions: { trainbook_server: true } } }));
    const listed = spawnSync(path.join(ROOT, '.venv', 'bin', 'jupyter'), ['server', 'extension', 'list'], {
      encoding: 'utf8',
      env: { ...process.env, JUPYTER_CONFIG_DIR: configDir, PYTHONPATH: path.join(ROOT, 'sdk', 'python') },
      timeout: 60_000,
    });
    const text = `${listed.stdout}${listed.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
    expect(text).toMatch(/trainbook_server enabled/);
    expect(text).toMatch(/trainbook_server\s+OK/);
  });
});
