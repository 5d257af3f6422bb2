import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { init, openStore, StoreError, RunNotFoundError } from '../../../sdk/src/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { crc32 } from 'node:zlib';
import { frameEvent } from '../../../core/src/format/events.js';
import type { RunEvent } from '../../../core/src/format/types.js';

async function storeWithRuns(count: number) {
  const dir = tempDir();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const run = init({ dir, git: false, name: `run ${i}` });
    run.log({ loss: i });
    await run.finish();
    ids.push(run.id);
  }
  return { dir, ids };
}

describe('openStore()', () => {
  it('throws a StoreError naming the folder when there is no store', () => {
    expect(() => openStore('/nonexistent/x.trainbook')).toThrow(StoreError);
  });

  it('lists runs oldest first and finds them by id, prefix or name', async () => {
    const { dir, ids } = await storeWithRuns(3);
    const store = openStore(dir);
    expect(store.list().runs.map((r) => r.record.id)).toEqual(ids);
    expect(store.find('run 1').record.id).toBe(ids[1]);
    expect(store.find(ids[2]!.slice(0, 23)).record.id).toBe(ids[2]);
    expect(() => store.find('2')).toThrow(/matches 3 runs/);
    expect(() => store.find('zzz')).toThrow(RunNotFoundError);
  });

  it('never throws on damaged run.json files: it reports them and lists the rest', async () => {
    const { dir, ids } = await storeWithRuns(5);
    const file = (i: number) => path.join(dir, 'runs', ids[i]!, 'run.json');
    fs.writeFileSync(file(0), '{"id": "x", "stat');
    fs.writeFileSync(file(1), '[1, 2]');
    fs.writeFileSync(file(2), JSON.stringify({ id: ids[2], status: 'completed', startedAt: '2026-01-01T00:00:00Z', tags: 'oops', summary: 7, env: { os: 1 } }));
    fs.rmSync(file(3));
    fs.mkdirSync(path.join(dir, 'runs', 'stray-folder'));
    const { runs, problems } = openStore(dir).list();
    expect(runs.map((r) => r.record.id)).toEqual([ids[2], ids[4]]);
    expect(runs[0]!.record).toMatchObject({ tags: [], summary: {}, env: null, name: ids[2] });
    expect(problems.map((p) => p.runId).sort()).toEqual([ids[0], ids[1], ids[3], 'stray-folder'].sort());
  });

  it('reports event lines with malformed columns instead of throwing', async () => {
    const { dir, ids } = await storeWithRuns(1);
    const events = path.join(dir, 'runs', ids[0]!, 'events.jsonl');
    // Well framed (valid checksums) but malformed inside, as another tool might write them.
    const append = (event: unknown) => fs.appendFileSync(events, frameEvent(event as RunEvent, (text) => crc32(text)));
    append({ type: 'metrics', time: 1, series: { loss: { time: [0], value: [true], stepStart: 0 } } });
    append({ type: 'metrics', time: 1, series: { loss: { time: [0, 1], value: [1], stepStart: 0 } } });
    append({ type: 'metrics', time: 1, series: { loss: { time: [0], value: [2], stepStart: 9 } } });
    const data = openStore(dir).read(ids[0]!);
    expect(data.problems.map((p) => p.reason)).toEqual(['series "loss" has malformed columns', 'series "loss" has columns of different lengths']);
    expect([...data.series.get('loss')!.value]).toEqual([0, 2]);
  });
});
