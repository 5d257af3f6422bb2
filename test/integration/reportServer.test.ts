/**
 * `POST trainbook/api/report` for real: a real JupyterLab from .venv with trainbook's server
 * extension (from this checkout) and NO hub configured, the real CLI, stores written by the SDK.
 * The report appears with exactly the runs asked for; hostile bodies (paths out of the root by
 * `..`, absolute, through a link; a `.sh` output; a run that is not an id) are refused with 400
 * and write nothing; a browser-style request without the XSRF token is refused.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabRoot, startLab, type Lab } from '../helpers/lab.js';
import { CLI, requireBuilt, ROOT, runScript } from '../helpers/sdk.js';

let lab: Lab;
let token: string;
let labRoot: string;
let outside: string;
const ids: string[] = [];
let otherId: string;

interface Reply {
  status: number;
  body: any;
  text: string;
}

async function post(body: unknown, headers: Record<string, string> = { Authorization: `token ${token}` }): Promise<Reply> {
  const response = await fetch(`${lab.base}/trainbook/api/report`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Left null: the test says what it expected.
  }
  return { status: response.status, body: parsed, text };
}

/** The run ids a written report embeds (its `report-data` JSON). */
function reportRunIds(file: string): string[] {
  const html = fs.readFileSync(file, 'utf8');
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
  return (JSON.parse(json) as { runs: Array<{ id: string }> }).runs.map((run) => run.id).sort();
}

/** Every file under `dir` (links not followed), relative, to see that a refused request wrote nothing. */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '.jupyter-config') continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else found.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return found.sort();
}

function recordRuns(dir: string, notebook: string, names: string[]): string[] {
  const made = runScript(
    dir,
    `const ids = [];
     for (const name of ${JSON.stringify(names)}) {
       const run = tb.init({ notebook: ${JSON.stringify(notebook)}, name, git: false, params: { lr: name.length / 100 } });
       for (let step = 0; step < 20; step++) run.log({ loss: 1 / (step + 1), acc: step / 20 }, { step });
       await run.finish();
       ids.push(run.id);
     }
     console.log(JSON.stringify(ids));`,
  );
  expect(made.status, made.stderr).toBe(0);
  return JSON.parse(made.stdout.trim().split('\n').pop()!) as string[];
}

beforeAll(async () => {
  requireBuilt();
  labRoot = makeLabRoot('report-server');
  fs.mkdirSync(path.join(labRoot, 'experiments'));
  fs.writeFileSync(path.join(labRoot, 'experiments', 'train.ipynb'), JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  ids.push(...recordRuns(path.join(labRoot, 'experiments'), 'train.ipynb', ['baseline', 'wide', 'deep']));
  // A store outside the root, and links into it from inside.
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-outside-')); // kept for the whole file (tempDir's go after each test)
  otherId = recordRuns(outside, 'secret.ipynb', ['secret'])[0]!;
  fs.symlinkSync(path.join(outside, 'secret.trainbook'), path.join(labRoot, 'linked.trainbook'), 'dir');
  fs.symlinkSync(outside, path.join(labRoot, 'out'), 'dir');

  const configDir = path.join(labRoot, '.jupyter-config');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(
    path.join(configDir, 'jupyter_server_config.json'),
    JSON.stringify({ ServerApp: { jpserver_extensions: { trainbook_server: true } }, TrainbookServer: { node: process.execPath, cli: CLI } }),
  );
  lab = await startLab(labRoot, { TRAINBOOK_HUB: '', PYTHONPATH: path.join(ROOT, 'sdk', 'python') });
  token = new URL(lab.url('x')).searchParams.get('token')!;
}, 120_000);

afterAll(async () => {
  await lab?.stop();
  if (labRoot) fs.rmSync(labRoot, { recursive: true, force: true });
  if (outside) fs.rmSync(outside, { recursive: true, force: true });
}, 60_000);

describe('POST trainbook/api/report (no hub configured)', () => {
  it('writes the report of exactly the selected runs into the root and answers its relative path', async () => {
    const reply = await post({ stores: ['experiments/train.ipynb'], runs: [ids[0], ids[2]], output: 'experiments/two runs.html', title: 'Two of three' });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({ output: 'experiments/two runs.html', runs: 2, warnings: [] });
    expect(reply.body.message).toMatch(/^Wrote .*two runs\.html \(2 runs, \d+ charts\)$/);
    const file = path.join(labRoot, 'experiments', 'two runs.html');
    expect(reportRunIds(file)).toEqual([ids[0], ids[2]].sort());
    expect(fs.readFileSync(file, 'utf8')).toContain('Two of three');
  });

  it('takes a store folder, and writes again over its own earlier report', async () => {
    const first = await post({ stores: ['experiments/train.trainbook/'], runs: [ids[1]!], output: 'report.html' });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ output: 'report.html', runs: 1 });
    expect(reportRunIds(path.join(labRoot, 'report.html'))).toEqual([ids[1]]);
    const again = await post({ stores: ['./experiments/train.trainbook'], runs: ids, output: './report.html' });
    expect(again.status, again.text).toBe(200);
    expect(reportRunIds(path.join(labRoot, 'report.html'))).toEqual([...ids].sort());
  });

  it('a run that is not in the stores: 404 from the CLI, no file', async () => {
    const reply = await post({ stores: ['experiments/train.ipynb'], runs: [otherId], output: 'missing.html' });
    expect(reply.status, reply.text).toBe(404);
    expect(reply.body).toMatchObject({ code: 'run-not-found' });
    expect(fs.existsSync(path.join(labRoot, 'missing.html'))).toBe(false);
  });

  it('refuses hostile bodies with 400 and a clear message, and writes nothing anywhere', async () => {
    const before = filesUnder(labRoot);
    const outsideBefore = filesUnder(outside);
    const good = { stores: ['experiments/train.ipynb'], runs: [ids[0]!], output: 'ok.html' };
    const cases: Array<[unknown, RegExp, string]> = [
      [{ ...good, stores: ['../secret.ipynb'] }, /'\.\.'/, 'invalid-path'],
      [{ ...good, stores: ['experiments/../../x.trainbook'] }, /'\.\.'/, 'invalid-path'],
      [{ ...good, stores: [path.join(outside, 'secret.trainbook')] }, /absolute/, 'invalid-path'],
      [{ ...good, stores: ['~/secret.trainbook'] }, /absolute/, 'invalid-path'],
      [{ ...good, stores: ['linked.trainbook'] }, /out of the server's root/, 'outside-root'],
      [{ ...good, stores: ['out/secret.ipynb'] }, /out of the server's root/, 'outside-root'],
      [{ ...good, stores: ['experiments/train.py'] }, /neither a notebook/, 'invalid-path'],
      [{ ...good, stores: ['experiments/none.ipynb'] }, /no store beside it/, 'no-store'],
      [{ ...good, stores: ['experiments/train.ipynb\u0000.trainbook'] }, /NUL/, 'invalid-path'],
      [{ ...good, stores: ['experiments\\train.ipynb'] }, /backslash/, 'invalid-path'],
      [{ ...good, stores: [] }, /non-empty list/, 'invalid-request'],
      [{ ...good, output: 'evil.sh' }, /not an \.html file/, 'invalid-path'],
      [{ ...good, output: '../evil.html' }, /'\.\.'/, 'invalid-path'],
      [{ ...good, output: '/tmp/evil.html' }, /absolute/, 'invalid-path'],
      [{ ...good, output: 'out/evil.html' }, /out of the server's root/, 'outside-root'],
      [{ ...good, output: 'experiments/train.trainbook/evil.html' }, /inside a store/, 'invalid-path'],
      [{ ...good, output: 'no-such-folder/r.html' }, /does not exist/, 'invalid-path'],
      [{ ...good, output: 'experiments' }, /not an \.html file/, 'invalid-path'],
      [{ ...good, runs: ['baseline'] }, /not a run id/, 'invalid-run'],
      [{ ...good, runs: ['lr>0'] }, /not a run id/, 'invalid-run'],
      [{ ...good, runs: [`${ids[0]},--template=/tmp`] }, /not a run id/, 'invalid-run'],
      [{ ...good, runs: [] }, /non-empty list/, 'invalid-request'],
      [{ ...good, title: 7 }, /title/, 'invalid-request'],
      [{ ...good, template: '/tmp' }, /Unknown field 'template'/, 'invalid-request'],
      [[good], /JSON object/, 'invalid-request'],
      ['{not json', /not JSON/, 'invalid-request'],
    ];
    for (const [body, message, code] of cases) {
      const reply = await post(body);
      expect(reply.status, `${JSON.stringify(body)}: ${reply.text}`).toBe(400);
      expect(reply.body, JSON.stringify(body)).toMatchObject({ code });
      expect(reply.body.error, JSON.stringify(body)).toMatch(message);
    }
    // A link where the output goes is refused, and the file it points to is untouched.
    const target = path.join(outside, 'victim.html');
    fs.writeFileSync(target, 'untouched');
    fs.symlinkSync(target, path.join(labRoot, 'linked.html'));
    const linked = await post({ ...good, output: 'linked.html' });
    expect(linked.status, linked.text).toBe(400);
    expect(linked.body.error).toMatch(/is a link/);
    expect(fs.readFileSync(target, 'utf8')).toBe('untouched');
    fs.unlinkSync(path.join(labRoot, 'linked.html'));
    fs.unlinkSync(target);

    expect(filesUnder(labRoot)).toEqual(before);
    expect(filesUnder(outside)).toEqual(outsideBefore);
  });

  it('refuses a request without a login, a browser-style request without the XSRF token, and GET', async () => {
    const body = { stores: ['experiments/train.ipynb'], runs: [ids[0]!], output: 'xsrf.html' };
    const anonymous = await post(body, {});
    expect(anonymous.status).toBe(403);
    // Logged in by cookie, as a browser is, but without the _xsrf token: refused.
    const login = await fetch(`${lab.base}/lab?token=${token}`, { redirect: 'manual' });
    // Node's fetch gives every Set-Cookie line (getSetCookie: Node 20; not yet in the DOM lib's Headers type).
    const setCookies = (login.headers as unknown as { getSetCookie(): string[] }).getSetCookie();
    const cookies = setCookies.map((line) => line.split(';')[0]!);
    expect(cookies.some((cookie) => cookie.startsWith('username-'))).toBe(true);
    const loginOnly = cookies.filter((cookie) => !cookie.startsWith('_xsrf=')).join('; ');
    const withoutXsrf = await post(body, { Cookie: loginOnly });
    expect(withoutXsrf.status, withoutXsrf.text).toBe(403);
    expect(withoutXsrf.body).toMatchObject({ code: 'xsrf' });
    expect(fs.existsSync(path.join(labRoot, 'xsrf.html'))).toBe(false);
    // With the _xsrf cookie sent back as X-XSRFToken (what ServerConnection.makeRequest does): written.
    const xsrf = cookies.find((cookie) => cookie.startsWith('_xsrf='));
    expect(xsrf).toBeDefined();
    const withXsrf = await post(body, { Cookie: cookies.join('; '), 'X-XSRFToken': decodeURIComponent(xsrf!.slice('_xsrf='.length)) });
    expect(withXsrf.status, withXsrf.text).toBe(200);
    expect(fs.existsSync(path.join(labRoot, 'xsrf.html'))).toBe(true);

    const get = await fetch(`${lab.base}/trainbook/api/report`, { headers: { Authorization: `token ${token}` } });
    expect(get.status).toBe(405);
    expect(await get.json()).toMatchObject({ code: 'method-not-allowed', error: 'The report endpoint only answers POST.' });
  });

  it('says where it writes in the server log, and shows no traceback', () => {
    expect(lab.log()).toMatch(/trainbook: report endpoint at \/trainbook\/api\/report/);
    expect(lab.log()).not.toMatch(/Traceback/);
  });
});
