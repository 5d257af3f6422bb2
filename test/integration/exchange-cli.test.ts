import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { requireBuilt, runCli, runScript, startScript } from '../helpers/sdk.js';

beforeAll(requireBuilt);

const children: Array<ReturnType<typeof startScript>> = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A script store with a finished run (NaN, ±Infinity, epochs, a timer) and a failed one. */
function makeProject(): { dir: string; ids: string[] } {
  const dir = tempDir();
  const result = runScript(
    dir,
    `
const first = tb.init({ git: false, name: 'alpha', params: { lr: 0.1 }, tags: ['keep'], notes: 'first try' });
for (let s = 0; s < 70; s++) first.log({ loss: 1 / (s + 1), acc: s / 70 }, { epoch: Math.floor(s / 7) });
first.log({ val_loss: NaN }, { step: 70 });
first.log({ val_loss: Infinity }, { step: 71 });
first.log({ val_loss: -Infinity }, { step: 72 });
first.chrono('epoch_time').stop();
await first.finish();
const second = tb.init({ git: false, name: 'beta', params: { lr: 0.01 } });
second.log({ loss: 2 });
await second.fail(new Error('diverged'));
console.log(JSON.stringify([first.id, second.id]));
`,
  );
  expect(result.stderr).toBe('');
  return { dir, ids: JSON.parse(result.stdout) as string[] };
}

function importedId(stdout: string): string {
  const match = /as run (\S+)/.exec(stdout);
  expect(match).not.toBeNull();
  return match![1]!;
}

/** An export with the imported run's identity put back: everything else must be equal. */
function withIdentity(text: string, format: 'json' | 'track', id: string): unknown {
  const doc = JSON.parse(text) as Record<string, any>;
  if (format === 'json') {
    doc.record.id = id;
    delete doc.record.metadata.importedFrom;
  } else {
    doc.metadata.trainbook.record.id = id;
    delete doc.metadata.importedFrom;
  }
  return doc;
}

describe('trainbook export / import', () => {
  for (const format of ['json', 'track'] as const) {
    it(`${format}: export → import → export keeps every field and every point`, () => {
      const { dir, ids } = makeProject();
      const first = runCli(['export', 'alpha', '--format', format, '-o', `alpha.${format}`], dir);
      expect(first.status).toBe(0);
      const original = fs.readFileSync(path.join(dir, `alpha.${format}`), 'utf8');
      const imported = runCli(['import', `alpha.${format}`], dir);
      expect(imported.status).toBe(0);
      const id = importedId(imported.stdout);
      expect(id).not.toBe(ids[0]);
      const again = runCli(['export', id, '--format', format], dir);
      expect(again.status).toBe(0);
      expect(JSON.parse(again.stdout).record?.metadata?.importedFrom ?? JSON.parse(again.stdout).metadata?.importedFrom).toBe(ids[0]);
      expect(withIdentity(again.stdout, format, ids[0]!)).toEqual(JSON.parse(original));
      // ls, show and doctor read it as a normal finished run.
      expect(runCli(['ls'], dir).stdout).toMatch(new RegExp(`${id}\\s+alpha\\s+completed`));
      const shown = runCli(['show', '--json', id], dir);
      expect(shown.status).toBe(0);
      expect(JSON.parse(shown.stdout).points).toEqual({ loss: 70, acc: 70, val_loss: 3 });
      expect(runCli(['doctor'], dir).status).toBe(0);
    });
  }

  it("track: a report written by 'track' imports, shows its tags, and exports back field for field", () => {
    const dir = tempDir();
    const sample = {
      revision: 2, name: '9893d1b6ad5d2a3e0a7a2ba1a4fd5ab7', uid: '5c0f7b8e2d6a4c1f9e3b7a5d8c2e4f60', version: 'e8f3d7c4b1a2', project_id: null, trial_id: null,
      tags: { workers: 8, hpo: 'byopt' }, parameters: { batch_size: 128, lr: 0.01 }, metadata: { chrono: 'track.chrono' },
      metrics: { epoch_loss: { '0': 2.3, '1': 1.9 }, test_acc: { '2': 0.81 } },
      chronos: { runtime: 92.23, epoch_time: { avg: 1.2, min: 1.1, max: 1.4, sd: 0.05, count: 10, unit: 's' } },
      errors: [], status: { name: 'completed', value: 300 },
    };
    fs.writeFileSync(path.join(dir, 'trial.json'), JSON.stringify(sample, null, 2));
    const imported = runCli(['import', 'trial.json'], dir);
    expect(imported.status, imported.stderr).toBe(0);
    const id = importedId(imported.stdout);
    const exported = runCli(['export', id, '--format', 'track'], dir);
    expect(exported.status).toBe(0);
    const doc = JSON.parse(exported.stdout) as Record<string, any>;
    delete doc.metadata.trainbook;
    expect(doc).toEqual(sample);
    expect(Object.keys(doc)).toEqual(Object.keys(sample));
    // The tags are key-value tags: shown by ls and show, found by --runs filters and the panel's query.
    expect(runCli(['ls'], dir).stdout).toMatch(/TAGS[\s\S]*workers=8, hpo=byopt/);
    expect(runCli(['show', id], dir).stdout).toMatch(/tags: +workers=8, hpo=byopt/);
    const report = runCli(['report', '--runs', 'tags.workers=8', '-o', 'r.html'], dir);
    expect(report.status, report.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'r.html'), 'utf8')).toContain('data-tag-key="hpo"');
    expect(runCli(['report', '--runs', 'tags.workers=9', '-o', 'none.html'], dir).stderr).toMatch(/No run matches/);
  });

  it('csv: one row per point, formula-safe, and imported back with the same points', () => {
    const { dir, ids } = makeProject();
    const exported = runCli(['export', ids[0]!, '--format', 'csv'], dir);
    expect(exported.status).toBe(0);
    const lines = exported.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('run,metric,step,epoch,time,value');
    expect(lines).toHaveLength(1 + 70 + 70 + 3);
    expect(lines.find((line) => line.includes(',val_loss,72,'))).toMatch(/,-Infinity$/);
    fs.writeFileSync(path.join(dir, 'alpha.csv'), exported.stdout);
    const imported = runCli(['import', 'alpha.csv', '--store', '.trainbook'], dir);
    expect(imported.status).toBe(0);
    const again = runCli(['export', importedId(imported.stdout), '--format', 'csv'], dir);
    // Same rows; only the run id column differs.
    const rows = (text: string): string[] => text.trimEnd().split('\r\n').slice(1).map((line) => line.slice(line.indexOf(',')));
    expect(rows(again.stdout)).toEqual(rows(exported.stdout));
  });

  it('refuses bad files with exit 2 and writes nothing', () => {
    const { dir } = makeProject();
    const runsDir = path.join(dir, '.trainbook', 'runs');
    const before = fs.readdirSync(runsDir).sort();
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"kind": "trainbook-run", "version": 1, "record": {"id": 5}}');
    fs.writeFileSync(path.join(dir, 'text.txt'), 'hello');
    for (const [file, message] of [
      ['bad.json', /"id" is missing or not a string/],
      ['text.txt', /Cannot tell the file's format/],
      ['missing.json', /Cannot read/],
    ] as const) {
      const result = runCli(['import', file], dir);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(runCli(['import', 'bad.json', '--format', 'yaml'], dir).status).toBe(2);
    expect(runCli(['export', 'alpha', '--format', 'xml'], dir).status).toBe(2);
    expect(fs.readdirSync(runsDir).sort()).toEqual(before);
  });
});

describe('trainbook archive', () => {
  it('numbers archives per store, says so when already archived, and ls/show list them apart', () => {
    const { dir, ids } = makeProject();
    const today = new Date().toISOString().slice(0, 10);
    const first = runCli(['archive', 'beta'], dir);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`archived_v1_${today}`);
    const twice = runCli(['archive', ids[1]!], dir);
    expect(twice.status).toBe(0);
    expect(twice.stdout).toMatch(new RegExp(`already archived as archived_v1_${today}`));
    expect(runCli(['archive', 'alpha'], dir).stdout).toContain(`archived_v2_${today}`);
    const marker = JSON.parse(fs.readFileSync(path.join(dir, '.trainbook', 'runs', ids[0]!, 'archive.json'), 'utf8'));
    expect(marker).toMatchObject({ name: `archived_v2_${today}`, version: 2 });

    const listed = runCli(['ls'], dir).stdout;
    expect(listed).toMatch(/^Archived$/m);
    expect(listed).toMatch(new RegExp(`archived_v1_${today}\\s+${ids[1]}\\s+beta`));
    const json = JSON.parse(runCli(['ls', '--json'], dir).stdout) as Array<{ runs: Array<{ id: string; archived: { name: string } | null }> }>;
    expect(json[0]!.runs.map((run) => run.archived?.name ?? null)).toEqual([`archived_v2_${today}`, `archived_v1_${today}`]);

    const shown = runCli(['show', `archived_v2_${today}`], dir);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(`(${ids[0]})`);
    expect(shown.stdout).toMatch(new RegExp(`archived:\\s+archived_v2_${today}`));
  });
});

describe('trainbook prune', () => {
  it('lists old runs without --yes; with --yes removes them but keeps archived and running runs', async () => {
    const { dir, ids } = makeProject();
    // A crashed run (its process died mid-run) may be pruned; a live one may not.
    const crashed = runScript(dir, `const run = tb.init({ git: false, name: 'crashed' }); console.log(run.id); process.kill(process.pid, 'SIGKILL');`);
    const crashedId = crashed.stdout.trim();
    expect(crashedId).toMatch(/^\d{8}-/);
    const live = startScript(dir, `const run = tb.init({ git: false, name: 'live' }); console.log(run.id); setInterval(() => run.log({ loss: 1 }), 200);`);
    children.push(live);
    const liveId = await new Promise<string>((resolve) => live.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    expect(runCli(['archive', 'alpha'], dir).status).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const dry = runCli(['prune', '--older-than', '0'], dir);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`would remove ${ids[1]}`);
    expect(dry.stdout).toContain(`would remove ${crashedId}`);
    expect(dry.stdout).toMatch(new RegExp(`keep\\s+${ids[0]}.*archived as archived_v1_`));
    expect(dry.stdout).toMatch(new RegExp(`keep\\s+${liveId}.*still running`));
    expect(dry.stdout).toContain('--yes');
    const runsDir = path.join(dir, '.trainbook', 'runs');
    expect(fs.readdirSync(runsDir)).toHaveLength(4);
    expect(runCli(['prune', '--older-than', '0', '--dry-run', '--yes'], dir).stdout).toContain('would remove');
    expect(fs.readdirSync(runsDir)).toHaveLength(4);

    // Nothing is older than a week.
    expect(runCli(['prune', '--older-than', '7', '--yes'], dir).stdout).toContain('Removed 0 runs');

    const removed = runCli(['prune', '--older-than', '0', '--yes'], dir);
    expect(removed.status).toBe(0);
    expect(removed.stdout).toContain(`removed ${ids[1]}`);
    expect(removed.stdout).toContain(`removed ${crashedId}`);
    expect(removed.stdout).toMatch(/Removed 2 runs, freed .*\d+ bytes/);
    expect(fs.readdirSync(runsDir).sort()).toEqual([ids[0]!, liveId].sort());
    expect(runCli(['prune', '--older-than', 'soon'], dir).status).toBe(2);
    expect(runCli(['prune'], dir).status).toBe(2);
  });

  it('keeps a run whose writer is alive even when its heartbeat looks stale, and one archived half-way', async () => {
    const { dir, ids } = makeProject();
    // A live writer whose event loop is blocked past the stale limit: it reads as crashed. (It really
    // blocks, so that no heartbeat of its own rewrites the run.json this test makes stale.)
    const live = startScript(dir, `const run = tb.init({ git: false, name: 'blocked' }); console.log(run.id); for (;;) {}`);
    children.push(live);
    const liveId = await new Promise<string>((resolve) => live.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    const runFile = path.join(dir, '.trainbook', 'runs', liveId, 'run.json');
    const record = JSON.parse(fs.readFileSync(runFile, 'utf8'));
    fs.writeFileSync(runFile, JSON.stringify({ ...record, writer: { pid: 999_999_999, host: record.writer.host }, heartbeatAt: '2020-01-01T00:00:00.000Z' }));
    expect(runCli(['ls', '--json'], dir).stdout).toContain('"crashed"');
    // An archive that stopped after claiming its number, before writing the run's marker.
    fs.mkdirSync(path.join(dir, '.trainbook', 'archives'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.trainbook', 'archives', 'v1'), JSON.stringify({ run: ids[1], name: 'archived_v1_2026-12-01', archivedAt: new Date().toISOString() }));

    const removed = runCli(['prune', '--older-than', '0', '--yes'], dir);
    expect(removed.status, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(new RegExp(`keep\\s+${liveId}.*its writer is alive`));
    expect(removed.stdout).toMatch(new RegExp(`keep\\s+${ids[1]}.*archived as archived_v1_2026-12-01`));
    const runsDir = path.join(dir, '.trainbook', 'runs');
    expect(fs.readdirSync(runsDir)).toEqual(expect.arrayContaining([liveId, ids[1]]));
    // Archiving it again finishes the half-done archive under the claimed name.
    expect(runCli(['archive', ids[1]!], dir).stdout).toContain('archived_v1_2026-12-01');
    expect(fs.existsSync(path.join(runsDir, ids[1]!, 'archive.json'))).toBe(true);
  });
});
