import { newRunId } from '../../../core/src/format/ids.js';
import { describe, expect, it } from 'vitest';
import { coerceRunRecord } from '../../../core/src/format/shape.js';
import { frameEvent, parseEvents } from '../../../core/src/format/events.js';
import { crc32String } from '../../../core/src/format/crc32.js';
import type { RunRecord } from '../../../core/src/format/types.js';
import { matchesQuery, parseQuery } from '../../../core/src/query/query.js';
import {
  cellRunEvents,
  cellRunRecord,
  experimentFromTags,
  linkedRunIds,
  paramDiff,
  rowFor,
  runContextCode,
  runField,
  safeFlatParams,
  sortRows,
  sortValue,
  RESTART_GRACE_MS,
  errorFromStderr,
  type CellExecution,
} from 'trainbook/core';

const execution: CellExecution = {
  notebook: 'dir/train.ipynb',
  experiment: 'sweep',
  cell: { id: 'c1', source: 'x()', executionCount: 4 },
  params: { lr: 0.1, optimizer: { name: 'adam' } },
  start: new Date('2026-01-01T00:00:00Z'),
  end: new Date('2026-01-01T00:00:02Z'),
  success: false,
  error: { ename: 'TypeError', evalue: 'x is not a function' },
};

function record(id: string, params: RunRecord['params'], loss?: number): RunRecord {
  const r = cellRunRecord(id, { ...execution, success: true, error: null }, 'e');
  return { ...r, params, summary: loss === undefined ? {} : { loss: { last: loss, min: loss, max: loss, count: 1, step: 0 } } };
}

describe('experiments/runs', () => {
  it('makes run ids shaped like the SDK, in creation order', () => {
    const now = new Date('2026-11-22T21:08:50.123Z');
    const a = newRunId(now);
    const b = newRunId(now);
    expect(a).toMatch(/^20261122-210850123-[0-9a-z]{5}$/);
    expect(a < b).toBe(true);
  });

  it('reads the experiment name from tags', () => {
    expect(experimentFromTags(['x'])).toBeNull();
    expect(experimentFromTags(['experiment'])).toBe('');
    expect(experimentFromTags(['experiment', 'experiment:sweep'])).toBe('sweep');
  });

  it('writes a run record that readers accept, and framed status events', () => {
    const run = cellRunRecord('20260101-000000000-abcde', execution, 'exec');
    expect(coerceRunRecord(JSON.parse(JSON.stringify(run)))).toEqual(run);
    expect(run).toMatchObject({ status: 'failed', params: { lr: 0.1, 'optimizer.name': 'adam' }, error: { name: 'TypeError', message: 'x is not a function' }, writer: { pid: -1, host: 'jupyterlab' } });
    const text = cellRunEvents(execution).map((e) => frameEvent(e, crc32String)).join('');
    const parsed = parseEvents(new TextEncoder().encode(text));
    expect(parsed.problems).toEqual([]);
    expect(parsed.events.map((e) => (e.type === 'status' ? e.status : e.type))).toEqual(['running', 'failed']);
  });

  it('makes inert context code', () => {
    const code = runContextCode({ notebook: 'a.ipynb', cell: { id: 'c', source: '</script>\u2028', executionCount: null }, experiment: null, params: { x: NaN } });
    expect(code).not.toMatch(/<|\u2028/);
    const scope: Record<string, unknown> = {};
    new Function('globalThis', code)(scope); // the test checks the text is plain JSON; the extension never evaluates it
    expect(scope.__trainbook_context).toMatchObject({ cell: { source: '</script>\u2028' }, params: { x: 'NaN' } });
  });

  it('reads the error of a failed cell from what tslab printed on stderr', () => {
    const thrown = 'evalmachine.<anonymous>:2\nthrow new RangeError("boom " + 1);\n^\n\nRangeError: boom 1\n    at evalmachine.<anonymous>:2:7\n    at Script.runInThisContext (node:vm:135:14)\n';
    expect(errorFromStderr(thrown)).toEqual({ ename: 'RangeError', evalue: 'boom 1' });
    expect(errorFromStderr("1:19 - Cannot find name 'zz'.\n2:1 - Type 'string' is not assignable to type 'number'.\n")).toEqual({
      ename: 'TypeScriptError',
      evalue: "1:19 - Cannot find name 'zz'.\n2:1 - Type 'string' is not assignable to type 'number'.",
    });
    expect(errorFromStderr('Error: plain\n    at x\n')).toEqual({ ename: 'Error', evalue: 'plain' });
    expect(errorFromStderr('something odd happened\n')).toEqual({ ename: 'Error', evalue: 'something odd happened' });
    expect(errorFromStderr('')).toBeNull();
  });

  it('finds the runs that outputs point to', () => {
    const mime = 'application/vnd.trainbook.run+json';
    const outputs = [{ data: { [mime]: { run: { id: '20260101-000000000-abcde' } } } }, { data: { [mime]: { run: { id: '../etc' } } } }, { text: 'x' }];
    expect(linkedRunIds(outputs, mime)).toEqual(['20260101-000000000-abcde']);
  });

  it('shows a stale running run, or one whose kernel is gone, as crashed', () => {
    const running = { ...record('a', {}), status: 'running' as const, endedAt: null, heartbeatAt: new Date(1000).toISOString() };
    expect(rowFor(running, 2000, null).status).toBe('running');
    expect(rowFor(running, 2000, false).status).toBe('crashed');
    expect(rowFor(running, 1000 + 120_000, true).status).toBe('crashed');
    // The kernel restarted (a kill -9 and the server's auto-restart) while the cell's run was going.
    const beat = new Date(1900).toISOString();
    const fresh = { ...running, startedAt: new Date(1500).toISOString(), heartbeatAt: beat };
    const restart = { seenAt: 2000, heartbeats: new Map([[fresh.id, beat]]) };
    const later = 2000 + RESTART_GRACE_MS + 1;
    expect(rowFor(fresh, 2500, true, restart).status).toBe('running'); // its writer may still show a heartbeat
    expect(rowFor({ ...fresh, heartbeatAt: new Date(later - 500).toISOString() }, later, true, restart).status).toBe('running'); // it did: alive (resumed, or another process)
    expect(rowFor({ ...fresh, heartbeatAt: beat }, later, true, restart).status).toBe('crashed'); // no heartbeat since: it went with the kernel
    expect(rowFor({ ...fresh, cell: null }, later, true, restart).status).toBe('running'); // not a cell's run: not the kernel's to lose
    expect(rowFor(fresh, later, true, { seenAt: 2000, heartbeats: new Map() }).status).toBe('running'); // began after the restart
  });

  it('resolves fields, sorts with missing values last, and diffs params', () => {
    const rows = [record('a', { lr: 0.1, 'optimizer.name': 'adam' }, 0.5), record('b', { lr: 0.01, 'optimizer.name': 'adam' }, 0.2), record('c', { lr: 0.3 })].map((r) => rowFor(r, 0, null));
    expect(runField(rows[0]!, 'optimizer.name')).toBe('adam');
    expect(runField(rows[0]!, 'loss')).toBe(0.5);
    expect(runField(rows[0]!, 'loss.min')).toBe(0.5);
    expect(sortRows(rows, 'metric:loss', false).map((r) => r.record.id)).toEqual(['b', 'a', 'c']);
    expect(sortRows(rows, 'metric:loss', true).map((r) => r.record.id)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, 'param:lr', true).map((r) => r.record.id)).toEqual(['c', 'a', 'b']);
    // Sorting by a metric's min or max, not only its last value.
    const curve = (id: string, last: number, min: number, max: number) =>
      rowFor({ ...record(id, {}), summary: { loss: { last, min, max, count: 3, step: 2 } } }, 0, null);
    const curves = [curve('x', 0.5, 0.1, 0.9), curve('y', 0.3, 0.3, 0.6), curve('z', 0.4, 0.2, 2)];
    expect(sortRows(curves, 'metric:loss', false).map((r) => r.record.id)).toEqual(['y', 'z', 'x']);
    expect(sortRows(curves, 'metric:loss', false, 'min').map((r) => r.record.id)).toEqual(['x', 'z', 'y']);
    expect(sortRows(curves, 'metric:loss', true, 'max').map((r) => r.record.id)).toEqual(['z', 'x', 'y']);
    const diff = paramDiff(rows.map((r) => r.record));
    expect(diff.map((d) => [d.key, d.differs])).toEqual([['lr', true], ['optimizer.name', true]]);
    expect(paramDiff(rows.slice(0, 2).map((r) => r.record)).map((d) => [d.key, d.differs])).toEqual([['lr', true], ['optimizer.name', false]]);
  });

  it('makes context code whose params keep __proto__, constructor and toString as data', () => {
    const params = { ...(JSON.parse('{"__proto__": {"polluted": 1}, "constructor": 2, "toString": "x"}') as Record<string, unknown>), lr: NaN };
    const code = runContextCode({ notebook: 'a.ipynb', cell: { id: 'c', source: '', executionCount: 1 }, experiment: null, params });
    const scope: Record<string, any> = {};
    new Function('globalThis', code)(scope);
    const context = scope.__trainbook_context;
    expect(Object.keys(context.params)).toEqual(['__proto__', 'constructor', 'toString', 'lr']);
    expect(Object.getPrototypeOf(context.params)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(context.params, '__proto__')).toBe(true);
    expect(context.params.__proto__).toEqual({ polluted: 1 });
    expect(context.params.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The run a tagged cell that never called the SDK records keeps them too.
    expect(Object.keys(safeFlatParams(context.params)).sort()).toEqual(['__proto__.polluted', 'constructor', 'lr', 'toString']);
    expect(Object.keys(cellRunRecord('r', { ...execution, params: context.params }, 'e').params).sort()).toEqual(['__proto__.polluted', 'constructor', 'lr', 'toString']);
  });

  it('finds params and metrics named toString or constructor only when the run has them', () => {
    const plain = rowFor(record('a', { lr: 0.1 }, 0.5), 0, null);
    for (const field of ['toString', 'constructor', '__proto__', 'params.toString', 'metrics.constructor', 'hasOwnProperty.last']) expect(runField(plain, field)).toBeUndefined();
    expect(sortValue(plain, 'param:toString')).toBeUndefined();
    expect(sortValue(plain, 'metric:constructor')).toBeUndefined();
    const named = rowFor({ ...record('b', JSON.parse('{"toString": 1, "__proto__": 2}')), summary: JSON.parse('{"constructor": {"last": 3, "min": 1, "max": 3, "count": 2, "step": 1}}') }, 0, null);
    expect(runField(named, 'toString')).toBe(1);
    expect(runField(named, 'params.__proto__')).toBe(2);
    expect(runField(named, 'constructor')).toBe(3);
    expect(runField(named, 'metrics.constructor.min')).toBe(1);
    expect(matchesQuery(parseQuery('toString = 1 and __proto__ = 2 and constructor > 2'), (field) => runField(named, field))).toBe(true);
  });

  it('queries labels as tag and key-value tags as tags.<key>, and sorts by the tags column', () => {
    const tagged = (id: string, tags: string[], tagValues?: RunRecord['tagValues']) => rowFor({ ...record(id, {}), tags, ...(tagValues ? { tagValues } : {}) }, 0, null);
    const rows = [tagged('a', ['mnist', 'baseline'], { workers: 8, hpo: 'byopt', fast: true }), tagged('b', ['debug'], { workers: 4, owner: null }), tagged('c', [])];
    const ids = (query: string) => rows.filter((row) => matchesQuery(parseQuery(query), (field) => runField(row, field))).map((row) => row.record.id);
    expect(ids('tag = "mnist"')).toEqual(['a']);
    expect(ids('tags = "debug"')).toEqual(['b']);
    expect(ids('not tag ~ "debug"')).toEqual(['a', 'c']);
    expect(ids('tag != "debug"')).toEqual(['a', 'c']);
    expect(ids('tag')).toEqual(['a', 'b']);
    expect(ids('tags.workers = 8')).toEqual(['a']);
    expect(ids('tags.workers >= 4')).toEqual(['a', 'b']);
    expect(ids('tags.hpo = "byopt" and tags.fast = true')).toEqual(['a']);
    expect(ids('tags.owner = null')).toEqual(['b']);
    expect(ids('tags.workers')).toEqual(['a', 'b']);
    expect(ids('not tags.workers')).toEqual(['c']);
    expect(ids('`tags.toString`')).toEqual([]);
    expect(sortValue(rows[0]!, 'tags')).toBe('mnist, baseline, workers=8, hpo=byopt, fast=true');
    expect(sortRows(rows, 'tags', false).map((r) => r.record.id)).toEqual(['b', 'a', 'c']);
  });
});
