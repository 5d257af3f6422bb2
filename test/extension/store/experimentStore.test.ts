import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExperimentStore, StoreFolderError } from '../../../extension/src/store/experimentStore.js';
import type { ExecutionRecord } from '../../../core/src/experiments/cellRuns.js';
import { bareRunRecord } from '../../../core/src/format/records.js';
import type { RunEvent } from '../../../core/src/format/types.js';
import { init } from '../../../sdk/src/index.js';
import { writeExecutionRecord } from '../../../sdk/src/store/finishedRuns.js';
import { fakeContents } from '../../helpers/contents.js';
import { tempDir } from '../../helpers/tmp.js';

const RUN = '20261122-210850123-k3f9q';
const EXEC = '20261122-210851000-zzzzz';

function execution(id = EXEC): ExecutionRecord {
  return {
    format: 1,
    id,
    notebook: 'nb.ipynb',
    experiment: 'exp',
    cell: { id: 'cell', source: 'x', executionCount: 1 },
    startedAt: '2026-11-22T21:08:50.000Z',
    endedAt: '2026-11-22T21:08:51.000Z',
    durationMs: 1000,
    success: true,
    error: null,
    runs: [RUN],
    synthesized: true,
    params: {},
  } as ExecutionRecord;
}

const record = (id = RUN) =>
  bareRunRecord({ id, name: 'cell run', status: 'completed', startedAt: '2026-11-22T21:08:50.123Z', endedAt: '2026-11-22T21:08:51.000Z', heartbeatAt: '2026-11-22T21:08:51.000Z' });
const events: RunEvent[] = [{ type: 'status', time: 1, status: 'completed' }];

/** A Jupyter root holding nb.ipynb, and beside the root (outside everything) a folder. */
function server() {
  const base = tempDir();
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'notes.txt'), 'mine');
  fs.writeFileSync(path.join(root, 'nb.ipynb'), '{}');
  const store = path.join(root, 'nb.trainbook');
  return { root, outside, store, contents: fakeContents(root) };
}

/** Every file and folder under `dir`, links not followed. */
function tree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).sort();
}

describe('ExperimentStore', () => {
  it('makes the store, runs/ and executions/ itself and writes a cell run and its execution', async () => {
    const { store, contents } = server();
    const experiments = new ExperimentStore(contents);
    await experiments.writeRun('nb.ipynb', record(), events);
    await experiments.writeExecution('nb.ipynb', execution());
    expect(tree(store)).toEqual(['executions', `executions/${EXEC}.json`, 'runs', `runs/${RUN}`, `runs/${RUN}/events.jsonl`, `runs/${RUN}/run.json`, 'store.json']);
    expect(JSON.parse(fs.readFileSync(path.join(store, 'store.json'), 'utf8'))).toEqual({ format: 1, notebook: 'nb.ipynb' });
  });

  it('writes into a store the SDK made: its runs/ and executions/ hold records already', async () => {
    const { store, contents } = server();
    const run = init({ dir: store, notebook: 'nb.ipynb', git: false, display: false });
    await run.finish();
    writeExecutionRecord(store, 'nb.ipynb', execution('20261122-210850999-aaaaa'));
    const experiments = new ExperimentStore(contents);
    await experiments.writeRun('nb.ipynb', record(), events);
    await experiments.writeExecution('nb.ipynb', execution());
    expect(fs.readdirSync(path.join(store, 'runs')).sort()).toEqual([RUN, run.id].sort());
    expect(fs.readdirSync(path.join(store, 'executions')).sort()).toEqual(['20261122-210850999-aaaaa.json', `${EXEC}.json`]);
  });

  it('refuses to write an execution through a symlinked executions/ folder, and writes nothing outside', async () => {
    const { store, outside, contents } = server();
    await new ExperimentStore(contents).writeRun('nb.ipynb', record(), events);
    fs.symlinkSync(outside, path.join(store, 'executions'));
    const experiments = new ExperimentStore(contents);
    await expect(experiments.writeExecution('nb.ipynb', execution())).rejects.toThrow(StoreFolderError);
    await expect(experiments.writeExecution('nb.ipynb', execution())).rejects.toThrow(/nb\.trainbook\/executions holds no trainbook execution record/);
    expect(tree(outside)).toEqual(['notes.txt']);
  });

  it('refuses an executions/ link that points nowhere, and makes nothing where it points', async () => {
    const { store, outside, contents } = server();
    await new ExperimentStore(contents).writeRun('nb.ipynb', record(), events);
    fs.symlinkSync(path.join(outside, 'new'), path.join(store, 'executions'));
    await expect(new ExperimentStore(contents).writeExecution('nb.ipynb', execution())).rejects.toThrow(/is not a folder/);
    expect(tree(outside)).toEqual(['notes.txt']);
  });

  it('refuses to write a cell run through a symlinked runs/ folder', async () => {
    const { store, outside, contents } = server();
    fs.mkdirSync(store);
    fs.writeFileSync(path.join(store, 'store.json'), '{"format":1,"notebook":"nb.ipynb"}\n');
    fs.symlinkSync(outside, path.join(store, 'runs'));
    await expect(new ExperimentStore(contents).writeRun('nb.ipynb', record(), events)).rejects.toThrow(/nb\.trainbook\/runs holds no trainbook run/);
    expect(tree(outside)).toEqual(['notes.txt']);
  });

  it('makes no store.json in a folder it did not make (a store folder that is a link)', async () => {
    const { store, outside, contents } = server();
    fs.symlinkSync(outside, store);
    const experiments = new ExperimentStore(contents);
    await expect(experiments.writeExecution('nb.ipynb', execution())).rejects.toThrow(/holds no store\.json/);
    await expect(experiments.writeRun('nb.ipynb', record(), events)).rejects.toThrow(StoreFolderError);
    expect(tree(outside)).toEqual(['notes.txt']);
  });

  it('does not show the text of a run.json it cannot parse (it may be a link to anything)', async () => {
    const { store, contents } = server();
    fs.mkdirSync(path.join(store, 'runs', RUN), { recursive: true });
    fs.writeFileSync(path.join(store, 'store.json'), '{"format":1}');
    fs.writeFileSync(path.join(store, 'runs', RUN, 'run.json'), 'PRIVATE KEY abc');
    const listing = await new ExperimentStore(contents).listRuns('nb.ipynb');
    expect(listing.problems).toEqual([{ id: RUN, reason: 'run.json is not valid JSON' }]);
  });

  it('lists runs by start time, then id, as the SDK does (not by id)', async () => {
    const { store, contents } = server();
    const experiments = new ExperimentStore(contents);
    const later = bareRunRecord({ id: RUN, name: 'later', status: 'completed', startedAt: '2026-11-23T00:00:00.000Z', endedAt: null, heartbeatAt: '2026-11-23T00:00:00.000Z' });
    await experiments.writeRun('nb.ipynb', later, events);
    await experiments.writeRun('nb.ipynb', record('20261122-210850124-bbbbb'), events);
    expect((await experiments.listRuns('nb.ipynb')).runs.map((run) => run.record.name)).toEqual(['cell run', 'later']);
    expect(fs.readdirSync(path.join(store, 'runs')).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('writes a cell run aside and renames it into place', async () => {
    const { contents } = server();
    await new ExperimentStore(contents).writeRun('nb.ipynb', record(), events);
    const writes = contents.calls.filter((call) => call.startsWith('save nb.trainbook/runs/') || call.startsWith('rename'));
    expect(writes.at(-1)).toMatch(new RegExp(`^rename nb\\.trainbook/runs/tmp-[0-9a-z]+-${RUN} nb\\.trainbook/runs/${RUN}$`));
    expect(writes.slice(0, -1).every((call) => call.includes('/tmp-'))).toBe(true);
  });

  it('asks the server for no path that is missing (no 404 in the console), with or without a store', async () => {
    const { root, contents } = server();
    const experiments = new ExperimentStore(contents);
    // The folder written aside existed while it was looked at; it is renamed since.
    const missing = () => contents.calls.filter((call) => call.startsWith('get ') && !call.includes('/tmp-') && !fs.existsSync(path.join(root, call.slice(4))));
    expect((await experiments.listRuns('nb.ipynb')).runs).toEqual([]);
    await experiments.writeRun('nb.ipynb', record(), events);
    await experiments.writeExecution('nb.ipynb', execution());
    expect((await experiments.listRuns('nb.ipynb')).runs).toHaveLength(1);
    expect(await experiments.readSeries('nb.ipynb', RUN)).toEqual(new Map());
    expect(missing()).toEqual([]);
  });

  it('names an archived run by its highest claim', async () => {
    const { store, contents } = server();
    const experiments = new ExperimentStore(contents);
    await experiments.writeRun('nb.ipynb', record(), events);
    fs.mkdirSync(path.join(store, 'archives'));
    for (const version of [1, 2]) fs.writeFileSync(path.join(store, 'archives', `v${version}`), JSON.stringify({ run: RUN, name: `archived_v${version}_2026-11-23`, archivedAt: '2026-11-23T00:00:00.000Z' }));
    expect((await experiments.listRuns('nb.ipynb')).archives).toEqual(new Map([[RUN, 'archived_v2_2026-11-23']]));
  });
});

