import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { init, openStore, InvalidValueError } from '../../../sdk/src/index.js';
import { resumedParams } from '../../../sdk/src/run/resume.js';
import { rebuildRecord } from '../../../sdk/src/store/doctor.js';
import { tempDir } from '../../helpers/tmp.js';

const quiet = { git: false, display: false, systemMetrics: false, captureOutput: false } as const;

describe('init() tags and tagValues', () => {
  it('stores plain labels and key-value tags side by side in run.json', async () => {
    const dir = tempDir();
    const run = init({ dir, ...quiet, tags: ['mnist'], tagValues: { workers: 8, hpo: 'byopt', fast: true, owner: null } });
    expect(run.tags).toEqual(['mnist']);
    expect(run.tagValues).toEqual({ workers: 8, hpo: 'byopt', fast: true, owner: null });
    await run.finish();
    const stored = JSON.parse(fs.readFileSync(path.join(dir, 'runs', run.id, 'run.json'), 'utf8'));
    expect(stored.tags).toEqual(['mnist']);
    expect(stored.tagValues).toEqual({ workers: 8, hpo: 'byopt', fast: true, owner: null });
    expect(openStore(dir).find(run.id).record.tagValues).toEqual({ workers: 8, hpo: 'byopt', fast: true, owner: null });
  });

  it('writes no tagValues when there are none, as before', async () => {
    const dir = tempDir();
    const run = init({ dir, ...quiet, tags: ['x'] });
    expect(run.tagValues).toEqual({});
    await run.finish();
    expect('tagValues' in JSON.parse(fs.readFileSync(path.join(dir, 'runs', run.id, 'run.json'), 'utf8'))).toBe(false);
  });

  it('refuses a tag value that is not a scalar before anything is written', () => {
    const dir = tempDir();
    expect(() => init({ dir, ...quiet, tagValues: { layers: [1, 2] as unknown as number } })).toThrow(InvalidValueError);
    expect(() => init({ dir, ...quiet, tagValues: { layers: [1, 2] as unknown as number } })).toThrow(/Tag "layers" is an array/);
    expect(fs.existsSync(path.join(dir, 'runs'))).toBe(false);
  });

  it('keeps a resumed run\'s key-value tags and adds the new ones, a key given again taking its new value', async () => {
    const dir = tempDir();
    const first = init({ dir, ...quiet, tagValues: { workers: 8, hpo: 'byopt' } });
    await first.finish();
    const again = init({ dir, ...quiet, resume: first.id, tagValues: { workers: 16, stage: 2 } });
    expect(again.tagValues).toEqual({ workers: 16, hpo: 'byopt', stage: 2 });
    await again.finish();
    expect(openStore(dir).find(first.id).record.tagValues).toEqual({ workers: 16, hpo: 'byopt', stage: 2 });
  });
});

describe('names are data in a run', () => {
  it('records __proto__, constructor and toString params from the run context of a tagged cell', async () => {
    const scope = globalThis as Record<string, unknown>;
    // As the context code sets it: parsed JSON, own keys.
    scope.__trainbook_context = JSON.parse('{"notebook": "t.ipynb", "cell": {"id": "c", "source": "", "executionCount": 1}, "experiment": null, "params": {"__proto__": {"polluted": 1}, "constructor": 2, "toString": "x"}}');
    try {
      const dir = tempDir();
      const run = init({ dir, ...quiet, params: JSON.parse('{"__proto__": 5}') });
      await run.finish();
      const { record } = openStore(dir).find(run.id);
      expect(Object.keys(record.params).sort()).toEqual(['__proto__', '__proto__.polluted', 'constructor', 'toString']);
      expect(record.params.__proto__).toBe(5);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    } finally {
      delete scope.__trainbook_context;
    }
  });

  it('resumes with a new __proto__ param and rebuilds a lost run.json with a __proto__ metric', () => {
    const resumed = resumedParams({ lr: 1 }, JSON.parse('{"__proto__": 2, "toString": 3}'));
    expect(Object.keys(resumed)).toEqual(['lr', '__proto__', 'toString']);
    const record = rebuildRecord('r', [{ type: 'metrics', time: 1, series: JSON.parse('{"__proto__": {"time": [0], "stepStart": 0, "value": [1]}}') }]);
    expect(Object.keys(record.summary)).toEqual(['__proto__']);
  });
});
