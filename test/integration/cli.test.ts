import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { requireBuilt, runCli, runScript } from '../helpers/sdk.js';

beforeAll(requireBuilt);

/** A folder with a notebook's sidecar store holding two finished runs and a script store with one. */
function makeProject(): { dir: string; ids: string[] } {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'train.ipynb'), '{}');
  const result = runScript(
    dir,
    `
const ids = [];
for (const [i, lr] of [0.1, 0.01].entries()) {
  const run = tb.init({ notebook: 'train.ipynb', name: i ? 'small-lr' : 'big-lr\\u001b[31m', git: false, params: { lr, optimizer: { name: 'adam' } }, tags: ['t'] });
  for (let s = 0; s < 5; s++) run.log({ loss: 1 / (s + 1 + i), acc: s / 5 });
  run.chrono('epoch_time').stop();
  await run.finish();
  ids.push(run.id);
}
const script = tb.init({ git: false, name: 'script-run' });
script.log({ loss: NaN });
await script.fail(new Error('diverged'));
ids.push(script.id);
console.log(JSON.stringify(ids));
`,
  );
  expect(result.stderr).toBe('');
  return { dir, ids: JSON.parse(result.stdout) as string[] };
}

describe('trainbook CLI', () => {
  it('ls finds every store in the folder and lists runs with status, key params and last metrics', () => {
    const { dir, ids } = makeProject();
    const result = runCli(['ls'], dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(path.join(dir, 'train.trainbook'));
    expect(result.stdout).toContain(path.join(dir, '.trainbook'));
    for (const id of ids) expect(result.stdout).toContain(id);
    expect(result.stdout).toMatch(/small-lr\s+completed/);
    expect(result.stdout).toMatch(/script-run\s+failed/);
    expect(result.stdout).toMatch(/\blr\b/); // the param that differs gets a column
    expect(result.stdout).toContain('NaN');
    // A name holding a terminal escape is shown escaped, never sent raw to the terminal.
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).toContain('big-lr\\u001b[31m');
  });

  it('ls --json gives machines every run record with its effective status', () => {
    const { dir, ids } = makeProject();
    const result = runCli(['ls', '--json', 'train.ipynb'], dir);
    expect(result.status).toBe(0);
    const stores = JSON.parse(result.stdout) as Array<{ store: string; notebook: string; runs: Array<{ id: string; status: string; params: object }> }>;
    expect(stores).toHaveLength(1);
    expect(stores[0]!.notebook).toBe('train.ipynb');
    expect(stores[0]!.runs.map((run) => run.id)).toEqual(ids.slice(0, 2));
    expect(stores[0]!.runs[1]!.params).toEqual({ lr: 0.01, 'optimizer.name': 'adam' });
  });

  it('show prints params, metrics, chronos, error and provenance of one run found by id prefix or name', () => {
    const { dir, ids } = makeProject();
    const byName = runCli(['show', 'small-lr'], dir);
    expect(byName.status).toBe(0);
    expect(byName.stdout).toMatch(/optimizer\.name\s+adam/);
    expect(byName.stdout).toMatch(/loss\s+0\.1667\s+0\.1667\s+0\.5\s+5/);
    expect(byName.stdout).toMatch(/epoch_time/);
    expect(byName.stdout).toContain(`node ${process.version}`);
    const failed = runCli(['show', ids[2]!.slice(0, 22)], dir);
    expect(failed.status).toBe(0);
    expect(failed.stdout).toMatch(/status:\s+failed/);
    expect(failed.stdout).toContain('error: Error: diverged');
    const json = JSON.parse(runCli(['show', '--json', ids[0]!], dir).stdout) as { id: string; points: Record<string, number> };
    expect(json.id).toBe(ids[0]);
    expect(json.points).toEqual({ loss: 5, acc: 5 });
  });

  it('show reports damaged records with their position and exits 1', () => {
    const { dir, ids } = makeProject();
    const events = path.join(dir, 'train.trainbook', 'runs', ids[0]!, 'events.jsonl');
    const bytes = fs.readFileSync(events);
    const secondLine = bytes.indexOf(0x0a) + 1;
    bytes[secondLine + 30] ^= 0x01;
    fs.writeFileSync(events, bytes);
    const result = runCli(['show', ids[0]!], dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/line 2 \(byte \d+\): checksum mismatch/);
  });

  it('explains a missing store, an empty store and an unknown run with exit code 2 or 0', () => {
    const empty = tempDir();
    const missing = runCli(['ls'], empty);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/No trainbook store in/);
    fs.mkdirSync(path.join(empty, '.trainbook', 'runs'), { recursive: true });
    const none = runCli(['ls'], empty);
    expect(none.status).toBe(0);
    expect(none.stdout).toMatch(/No runs yet/);
    const unknown = runCli(['show', 'nope'], empty);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/No run "nope"/);
    expect(runCli(['frobnicate'], empty).status).toBe(2);
    const help = runCli(['ls', '--help'], empty);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--json/);
  });
});
