import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputPaths, runTimestamp } from '../../../sdk/src/headless/naming.js';
import { driverJob, planJobs } from '../../../sdk/src/headless/plan.js';
import { ERROR_PLACEHOLDER } from '../../../sdk/src/headless/kernelCode.js';
import { InvalidParameterError } from '../../../core/src/errors.js';
import type { NotebookJson } from '../../../sdk/src/headless/notebook.js';

const now = new Date(2026, 0, 12, 9, 30, 5);

describe('outputPaths()', () => {
  it('names one executed notebook beside the original with a timestamp', () => {
    expect(runTimestamp(now)).toBe('20260112-093005');
    expect(outputPaths({ notebook: '/w/train.ipynb', count: 1, now, exists: () => false })).toEqual(['/w/train.run-20260112-093005.ipynb']);
  });

  it('numbers several jobs, and never reuses an existing file', () => {
    expect(outputPaths({ notebook: '/w/train.ipynb', count: 2, now, exists: () => false })).toEqual([
      '/w/train.run-20260112-093005-1.ipynb',
      '/w/train.run-20260112-093005-2.ipynb',
    ]);
    const taken = new Set(['/w/train.run-20260112-093005.ipynb', '/w/train.run-20260112-093005-1.ipynb']);
    expect(outputPaths({ notebook: '/w/train.ipynb', count: 1, now, exists: (f) => taken.has(f) })).toEqual(['/w/train.run-20260112-093005-2.ipynb']);
  });

  it('uses -o as given, numbered for several jobs, and refuses the notebook itself', () => {
    expect(outputPaths({ notebook: '/w/t.ipynb', count: 1, now, explicit: '/o/out.ipynb', exists: () => true })).toEqual(['/o/out.ipynb']);
    expect(outputPaths({ notebook: '/w/t.ipynb', count: 2, now, explicit: '/o/out.ipynb', exists: () => false })).toEqual(['/o/out-1.ipynb', '/o/out-2.ipynb']);
    expect(() => outputPaths({ notebook: '/w/t.ipynb', count: 1, now, explicit: '/w/t.ipynb', exists: () => true })).toThrow(InvalidParameterError);
  });
});

describe('planJobs()', () => {
  const nb: NotebookJson = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: 'code', id: 'p', metadata: { tags: ['parameters'] }, source: 'const lr = 0.1;\nconst epochs = 2;' },
      { cell_type: 'markdown', id: 'm', metadata: {}, source: '# notes' },
      { cell_type: 'code', id: 'e', metadata: { tags: ['experiment:sweep'] }, source: 'train()' },
      { cell_type: 'code', id: 'x', metadata: {}, source: 'report()' },
    ],
  };

  it('sets the run context before every code cell, with the merged params and the execution count', () => {
    const [job] = planJobs(nb, 'train.ipynb', [{ lr: 0.01 }], ['/w/out.ipynb']);
    expect(job!.cells).toBe(4);
    expect(Object.keys(job!.before).map(Number)).toEqual([0, 1, 3, 4]);
    const context = (code: string) => {
      const scope: Record<string, unknown> = {};
      new Function('globalThis', code)(scope);
      return scope.__trainbook_context as Record<string, unknown>;
    };
    expect(context(job!.before[3]!)).toEqual({
      notebook: 'train.ipynb',
      cell: { id: 'e', source: 'train()', executionCount: 3 },
      experiment: 'sweep',
      params: { lr: 0.01, epochs: 2 },
    });
    expect(context(job!.before[4]!).experiment).toBeNull();
  });

  it('gives every cell a context whose params keep __proto__, constructor and toString', () => {
    const given = JSON.parse('{"cfg": {"__proto__": {"polluted": 1}}, "constructor": 3, "toString": "x"}') as Record<string, unknown>;
    const [job] = planJobs(nb, 'train.ipynb', [given], ['/w/out.ipynb']);
    const scope: Record<string, any> = {};
    new Function('globalThis', job!.before[3]!)(scope);
    const params = scope.__trainbook_context.params as Record<string, any>;
    expect(Object.keys(params)).toEqual(['lr', 'epochs', 'cfg', 'constructor', 'toString']);
    expect(Object.prototype.hasOwnProperty.call(params.cfg, '__proto__')).toBe(true);
    expect(params.cfg.__proto__).toEqual({ polluted: 1 });
    expect(params.cfg.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('gives the driver the closing code with a place for the error', () => {
    const [job] = planJobs(nb, 'train.ipynb', [{}], ['/w/out.ipynb']);
    const input = driverJob(job!, { cwd: '/w', kernel: 'tslab', timeout: null, session: '/w/train.ipynb' });
    expect(input.on_failure).toContain(ERROR_PLACEHOLDER);
    expect(input.notebook.cells).toHaveLength(5);
    expect(JSON.parse(JSON.stringify(input))).toEqual(input);
  });
});
