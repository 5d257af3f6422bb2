import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { init, openStore, InvalidValueError, ParamCollisionError } from '../../../sdk/src/index.js';
import { tempDir } from '../../helpers/tmp.js';

function newRun(options: Parameters<typeof init>[0] = {}) {
  const dir = tempDir();
  const run = init({ dir, git: false, ...options });
  return { dir, run, store: () => openStore(dir) };
}

describe('Run', () => {
  describe('init()', () => {
    it('creates store.json and a run folder named by a safe, time-sorted id', async () => {
      const { dir, run } = newRun({ name: '../../evil/名前 🚀' });
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'store.json'), 'utf8'))).toEqual({ format: 1, notebook: null });
      expect(run.id).toMatch(/^\d{8}-\d{9}-[0-9a-z]{5}$/);
      expect(fs.readdirSync(path.join(dir, 'runs'))).toEqual([run.id]);
      expect(run.name).toBe('../../evil/名前 🚀');
      await run.finish();
    });
    it('flattens params with dotted keys and refuses collisions', async () => {
      const { run } = newRun({ params: { lr: 1e-3, optimizer: { name: 'adam', beta1: 0.9 } } });
      expect(run.params).toEqual({ lr: 1e-3, 'optimizer.name': 'adam', 'optimizer.beta1': 0.9 });
      await run.finish();
      expect(() => init({ dir: tempDir(), git: false, params: { 'a.b': 1, a: { b: 1 } } })).toThrow(ParamCollisionError);
    });
    it('keeps name, group, tags, notes and metadata in run.json', async () => {
      const { run, store } = newRun({ name: 'mlp', group: 'baseline', tags: ['mnist', 'mnist'], notes: 'first', metadata: { dataset: 'synthetic' } });
      run.addTags('wasm');
      run.setNotes('first try');
      await run.finish();
      const { record } = store().find(run.id);
      expect(record).toMatchObject({ name: 'mlp', group: 'baseline', tags: ['mnist', 'wasm'], notes: 'first try', metadata: { dataset: 'synthetic' } });
      expect(record.env?.node).toBe(process.version);
      expect(record.env?.trainbook).toMatch(/^\d+\.\d+\.\d+/);
    });
  });

  describe('#log()', () => {
    it('stores values with automatic and explicit steps, in arrival order', async () => {
      const { run, store } = newRun();
      run.log({ loss: 1 });
      run.log({ loss: 0.5 });
      run.log({ loss: 0.25 }, { step: 10 });
      run.log({ loss: 0.2 }, { step: 3 }); // goes back: kept as logged
      run.log({ loss: 0.1 }, { step: 3 }); // repeats: kept too
      run.log({ loss: 0.05 });
      await run.finish();
      const loss = store().read(run.id).series.get('loss')!;
      expect([...loss.step]).toEqual([0, 1, 10, 3, 3, 4]);
      expect([...loss.value]).toEqual([1, 0.5, 0.25, 0.2, 0.1, 0.05]);
      expect(loss.time.every((t) => Math.abs(t - Date.now()) < 60_000)).toBe(true);
    });
    it('keeps NaN as NaN and ±Infinity as they are', async () => {
      const { run, store } = newRun();
      run.log({ loss: NaN, a: Infinity, b: -Infinity });
      await run.finish();
      const data = store().read(run.id);
      expect(data.series.get('loss')!.value[0]).toBeNaN();
      expect(data.series.get('a')!.value[0]).toBe(Infinity);
      expect(data.series.get('b')!.value[0]).toBe(-Infinity);
      expect(data.record.summary.loss).toMatchObject({ last: 'NaN', count: 1 });
    });
    it.each([
      ['a boolean', true],
      ['a string', '0.3'],
      ['an object', { v: 1 }],
      ['a BigInt', 3n],
      ['undefined', undefined],
      ['null', null],
    ])('refuses %s with a typed error naming the metric', async (_, bad) => {
      const { run, store } = newRun();
      expect(() => run.log({ good: 1, 'my metric': bad as unknown as number })).toThrow(InvalidValueError);
      expect(() => run.log({ 'my metric': bad as unknown as number })).toThrow(/"my metric"/);
      await run.finish();
      expect(store().read(run.id).series.size).toBe(0); // nothing of the bad row was kept
    });
    it.each([[-1], [1.5], [2 ** 53], [NaN], [Infinity]])('refuses step %s', async (step) => {
      const { run } = newRun();
      expect(() => run.log({ loss: 1 }, { step })).toThrow(InvalidValueError);
      await run.finish();
    });
    it('accepts the largest safe step', async () => {
      const { run, store } = newRun();
      run.log({ loss: 1 }, { step: Number.MAX_SAFE_INTEGER });
      await run.finish();
      expect(store().read(run.id).series.get('loss')!.step[0]).toBe(Number.MAX_SAFE_INTEGER);
    });
    it('does not change or keep the caller object', async () => {
      const { run, store } = newRun();
      const values = { loss: 1 };
      run.log(values);
      values.loss = 99;
      expect(values).toEqual({ loss: 99 });
      await run.finish();
      expect(store().read(run.id).series.get('loss')!.value[0]).toBe(1);
    });
    it('keeps any unicode metric name as data', async () => {
      const { run, store } = newRun();
      const names = ['../x', 'CON', 'a\u0000b', 'line\nbreak', '\u202eevil', 'é', 'e\u0301', '🚀'];
      for (const name of names) run.log({ [name]: 1 });
      await run.finish();
      expect([...store().read(run.id).series.keys()].sort()).toEqual([...names].sort());
      expect(fs.readdirSync(path.join(run.dir))).toEqual(expect.arrayContaining(['run.json', 'events.jsonl', 'artifacts']));
    });
  });

  describe('#chrono()', () => {
    it('reports avg/min/max/sd/count in seconds', async () => {
      const { run, store } = newRun();
      for (let i = 0; i < 3; i++) {
        const t = run.chrono('step_time');
        await new Promise((resolve) => setTimeout(resolve, 5 + i * 5));
        expect(t.stop()).toBeGreaterThan(0.004);
      }
      await run.finish();
      const data = store().read(run.id);
      const c = data.record.chronos.step_time!;
      expect(c.count).toBe(3);
      expect(c.min).toBeLessThanOrEqual(c.avg);
      expect(c.max).toBeGreaterThanOrEqual(c.avg);
      expect(c.sd).toBeGreaterThan(0);
      expect(c.unit).toBe('s');
      expect(data.chronos.get('step_time')!.length).toBe(3);
    });
  });

  describe('#finish()', () => {
    it('is idempotent and marks the run completed', async () => {
      const { run, store } = newRun();
      run.log({ loss: 1 });
      const first = await run.finish();
      const second = await run.finish();
      expect(second).toBe(first);
      expect(first).toMatchObject({ status: 'completed', points: 1, lost: { points: 0, records: 0 } });
      const data = store().read(run.id);
      expect(data.status).toBe('completed');
      expect(data.record.endedAt).not.toBeNull();
      expect(data.events.filter((e) => e.type === 'status').map((e) => (e as { status: string }).status)).toEqual(['running', 'completed']);
      expect(fs.existsSync(path.join(run.dir, 'writer.lock'))).toBe(false);
    });
    it('records a failure with message and stack', async () => {
      const { run, store } = newRun();
      await run.fail(new RangeError('loss exploded'));
      const { record, status } = store().find(run.id);
      expect(status).toBe('failed');
      expect(record.error).toMatchObject({ name: 'RangeError', message: 'loss exploded', stack: expect.stringContaining('loss exploded') });
    });
    it('can end a run as interrupted', async () => {
      const { run, store } = newRun();
      await run.finish({ status: 'interrupted' });
      expect(store().find(run.id).status).toBe('interrupted');
    });
  });

  describe('write failures', () => {
    it('never throws into the loop when the store is deleted, and finish() reports the loss', async () => {
      const { dir, run } = newRun();
      const stderr: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string) => {
        stderr.push(String(chunk));
        return true;
      }) as typeof process.stderr.write;
      try {
        run.log({ loss: 1 });
        run.flush();
        fs.rmSync(dir, { recursive: true, force: true });
        for (let i = 0; i < 50_000; i++) run.log({ loss: i }); // crosses the flush threshold several times
        expect(() => run.flush()).not.toThrow();
        const result = await run.finish();
        expect(result.lost.points).toBe(50_000);
        expect(result.lost.records).toBeGreaterThan(1);
      } finally {
        process.stderr.write = write;
      }
      expect(stderr.filter((line) => line.includes('cannot write run'))).toHaveLength(1);
      expect(stderr.join('')).toMatch(/finished with losses: 50000 metric points/);
    });
  });
});

describe('init() in a cell tagged as an experiment', () => {
  it('links the run to the cell, experiment and parameters the extension set, explicit params winning', async () => {
    const scope = globalThis as Record<string, unknown>;
    scope.__trainbook_context = {
      notebook: 'sub/train.ipynb',
      cell: { id: 'cell-7', source: 'await model.fit(...)', executionCount: 4 },
      experiment: 'sweep',
      params: { lr: 0.1, epochs: 3, optimizer: { name: 'sgd' } },
    };
    try {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false, params: { lr: 0.01 } });
      await run.finish();
      const { record } = openStore(dir).find(run.id);
      expect(record.cell).toEqual({ id: 'cell-7', source: 'await model.fit(...)', executionCount: 4 });
      expect(record.experiment).toBe('sweep');
      expect(record.notebook).toBe('train.ipynb');
      expect(record.params).toEqual({ lr: 0.01, epochs: 3, 'optimizer.name': 'sgd' });
      expect(record.name).toBe('sweep-1'); // the first run of the experiment
    } finally {
      delete scope.__trainbook_context;
    }
  });
  it('ignores a malformed context', async () => {
    (globalThis as Record<string, unknown>).__trainbook_context = { cell: 'nope' };
    try {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false });
      await run.finish();
      expect(openStore(dir).find(run.id).record.cell).toBeNull();
    } finally {
      delete (globalThis as Record<string, unknown>).__trainbook_context;
    }
  });
});
