/**
 * A store can come from anyone: links inside it must never make trainbook read or write outside
 * it. Each test plants real symbolic links (to a secret, or to a folder) outside the store.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, openStore, StoreLinkError } from '../../sdk/src/index.js';
import { archiveRun } from '../../sdk/src/store/archive.js';
import { checkStore } from '../../sdk/src/store/doctor.js';
import { writeExecutionRecord } from '../../sdk/src/store/finishedRuns.js';
import { writeSnapshot } from '../../sdk/src/models/snapshots.js';
import { requireBuilt, runCli } from '../helpers/sdk.js';
import { tempDir } from '../helpers/tmp.js';

beforeAll(requireBuilt);

const SECRET = 'PRIVATE KEY 0123456789';

/** A store with one finished run, and beside it (outside the store) a secret and an empty folder. */
async function project() {
  const base = tempDir();
  const store = path.join(base, 'train.trainbook');
  const run = init({ dir: store, git: false, display: false, name: 'first' });
  for (let i = 0; i < 5; i++) run.log({ loss: 1 / (i + 1) });
  await run.finish();
  const outside = path.join(base, 'outside');
  fs.mkdirSync(outside);
  const secret = path.join(base, 'id_rsa');
  fs.writeFileSync(secret, SECRET);
  return { base, store, run: { id: run.id, dir: run.dir }, outside, secret };
}

/** Every regular file under `dir`, found without following links. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

const holdsSecret = (dir: string): string[] => filesUnder(dir).filter((file) => fs.readFileSync(file, 'utf8').includes(SECRET));

describe('doctor', () => {
  it('reports a symlinked events.jsonl and does not copy its target', async () => {
    const { base, store, run, secret } = await project();
    const events = path.join(run.dir, 'events.jsonl');
    fs.rmSync(events);
    fs.symlinkSync(secret, events);
    const repair = runCli(['doctor', '--repair', store], base);
    expect(repair.stdout).toContain(`DAMAGE  run ${run.id}: runs/${run.id}/events.jsonl is a symbolic link to ${secret}: not followed`);
    expect(repair.status, repair.stdout + repair.stderr).toBe(1); // not mended: the link is the user's to replace
    expect(holdsSecret(store)).toEqual([]);
    expect(fs.readdirSync(run.dir).filter((name) => name.endsWith('.bak'))).toEqual([]);
    expect(fs.lstatSync(events).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(secret, 'utf8')).toBe(SECRET);
  });

  it('reports a symlinked runs/ folder and repairs nothing behind it', async () => {
    const { store, outside } = await project();
    // Behind the link: a run folder without run.json and with a damaged events file.
    fs.mkdirSync(path.join(outside, '20261122-210850123-k3f9q'));
    fs.writeFileSync(path.join(outside, '20261122-210850123-k3f9q', 'events.jsonl'), 'garbage\n{"crc":"00');
    fs.renameSync(path.join(store, 'runs'), path.join(store, 'runs-real'));
    fs.symlinkSync(outside, path.join(store, 'runs'));
    const report = checkStore(store, { repair: true });
    expect(report.findings).toEqual([expect.objectContaining({ runId: null, severity: 'damage', message: expect.stringMatching(/^runs is a symbolic link to .*outside: not followed/) })]);
    expect(filesUnder(outside)).toEqual([path.join(outside, '20261122-210850123-k3f9q', 'events.jsonl')]);
  });

  it('reports a symlinked run.json and rebuilds nothing over it', async () => {
    const { store, run, secret } = await project();
    fs.rmSync(path.join(run.dir, 'run.json'));
    fs.symlinkSync(secret, path.join(run.dir, 'run.json'));
    const report = checkStore(store, { repair: true });
    expect(report.findings.map((f) => f.message)).toEqual([expect.stringContaining(`runs/${run.id}/run.json is a symbolic link to ${secret}`)]);
    expect(fs.readFileSync(secret, 'utf8')).toBe(SECRET);
    expect(fs.lstatSync(path.join(run.dir, 'run.json')).isSymbolicLink()).toBe(true);
  });
});

describe('reader', () => {
  it('lists a symlinked run folder, run.json and events.jsonl as problems and never reads through them', async () => {
    const { store, run, outside, secret } = await project();
    // A second run whose events.jsonl is a link, a run folder that is a link, a run.json that is a link.
    const second = init({ dir: store, git: false, display: false, name: 'second' });
    second.log({ loss: 1 });
    await second.finish();
    fs.rmSync(path.join(second.dir, 'events.jsonl'));
    fs.symlinkSync(secret, path.join(second.dir, 'events.jsonl'));
    fs.cpSync(run.dir, path.join(outside, 'copy'), { recursive: true });
    fs.symlinkSync(path.join(outside, 'copy'), path.join(store, 'runs', '20261122-210850123-k3f9q'));
    fs.mkdirSync(path.join(store, 'runs', '20261122-210850124-aaaaa'));
    fs.symlinkSync(secret, path.join(store, 'runs', '20261122-210850124-aaaaa', 'run.json'));

    const { runs, problems } = openStore(store).list();
    expect(runs.map((r) => r.record.name)).toEqual(['first', 'second']);
    expect(problems).toEqual([
      expect.objectContaining({ runId: '20261122-210850123-k3f9q', reason: expect.stringMatching(/^the run folder is a symbolic link \(to .*copy\); it was not followed$/) }),
      expect.objectContaining({ runId: '20261122-210850124-aaaaa', reason: `run.json is a symbolic link (to ${secret}); it was not followed` }),
      expect.objectContaining({ runId: second.id, reason: expect.stringMatching(/^events\.jsonl is a symbolic link/) }),
    ]);
    const data = openStore(store).read(second.id);
    expect(data.events).toEqual([]);
    expect(data.problems).toEqual([expect.objectContaining({ reason: `events.jsonl is a symbolic link (to ${secret}); it was not followed` })]);
    expect(JSON.stringify(data)).not.toContain(SECRET);
  });

  it('reports a symlinked runs/ folder (ls says so and exits 1)', async () => {
    const { base, store, outside } = await project();
    fs.renameSync(path.join(store, 'runs'), path.join(outside, 'runs'));
    fs.symlinkSync(path.join(outside, 'runs'), path.join(store, 'runs'));
    const { runs, problems } = openStore(store).list();
    expect(runs).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ runId: 'runs', reason: expect.stringMatching(/^runs is a symbolic link .*; it was not followed$/) })]);
    const ls = runCli(['ls', store], base);
    expect(ls.status).toBe(1);
    expect(ls.stderr).toMatch(/skipped runs: runs is a symbolic link/);
  });
});

describe('import', () => {
  it('writes nothing outside the store through a symlinked runs/ folder', async () => {
    const { base, store, outside } = await project();
    expect(runCli(['export', 'first', store, '--format', 'json', '-o', 'first.json'], base).status).toBe(0);
    const target = path.join(base, 'target.trainbook');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'store.json'), '{"format":1,"notebook":null}\n');
    fs.symlinkSync(outside, path.join(target, 'runs'));
    const result = runCli(['import', 'first.json', '--store', target], base);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/runs is a symbolic link .*nothing was read or written through it/);
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});

describe('runFiles', () => {
  it('starts no run in a store whose runs/ folder is a link', async () => {
    const { store, outside } = await project();
    fs.rmSync(path.join(store, 'runs'), { recursive: true });
    fs.symlinkSync(outside, path.join(store, 'runs'));
    expect(() => init({ dir: store, git: false, display: false })).toThrow(StoreLinkError);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it('resumes no run whose events.jsonl is a link, and leaves its target untouched', async () => {
    const { store, run, secret } = await project();
    fs.rmSync(path.join(run.dir, 'events.jsonl'));
    fs.symlinkSync(secret, path.join(run.dir, 'events.jsonl'));
    expect(() => init({ dir: store, git: false, display: false, resume: run.id })).toThrow(StoreLinkError);
    expect(fs.readFileSync(secret, 'utf8')).toBe(SECRET);
  });
});

describe('finishedRuns', () => {
  it('writes no execution record through a symlinked executions/ folder', async () => {
    const { store, outside } = await project();
    fs.symlinkSync(outside, path.join(store, 'executions'));
    const execution = { format: 1, id: '20261122-210850123-k3f9q', notebook: null, experiment: null, cell: { id: 'c', source: '', executionCount: 1 }, startedAt: '', endedAt: '', durationMs: 0, success: true, error: null, runs: [], synthesized: false, params: {} };
    expect(() => writeExecutionRecord(store, null, execution as never)).toThrow(StoreLinkError);
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});

describe('archive', () => {
  it('claims no archive version through a symlinked archives/ folder', async () => {
    const { store, run, outside } = await project();
    fs.symlinkSync(outside, path.join(store, 'archives'));
    expect(() => archiveRun(store, run.dir, new Date())).toThrow(StoreLinkError);
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});

describe('models', () => {
  it('saves no snapshot through a symlinked artifacts/ folder', async () => {
    const { run, outside } = await project();
    fs.rmSync(path.join(run.dir, 'artifacts'), { recursive: true });
    fs.symlinkSync(outside, path.join(run.dir, 'artifacts'));
    const artifacts = { modelTopology: { class_name: 'Sequential' }, weightSpecs: [], weightData: new ArrayBuffer(0) };
    await expect(writeSnapshot(run.dir, 'final', artifacts, { step: null, epoch: null })).rejects.toThrow(StoreLinkError);
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});
