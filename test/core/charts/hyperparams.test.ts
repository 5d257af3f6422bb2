import { describe, expect, it } from 'vitest';
import * as vega from 'vega';
import { paletteColor } from '../../../core/src/charts/colors.js';
import { parallelDimensions, scatterRows, scatterSpec, type ScatterSpecOptions } from '../../../core/src/charts/hyperparams.js';
import { POINTS_DATA } from '../../../core/src/charts/spec.js';
import type { FlatParams } from '../../../core/src/format/params.js';
import { bareRunRecord } from '../../../core/src/format/records.js';
import type { EncodedNumber } from '../../../core/src/format/numbers.js';
import type { RunRecord } from '../../../core/src/format/types.js';
import { recordingView, sceneMarks } from './views.js';

const summary = (last: EncodedNumber, min: EncodedNumber = last, max: EncodedNumber = last) => ({ last, min, max, count: 3, step: 2 });
const record = (id: string, name: string, params: FlatParams, metrics: RunRecord['summary']): RunRecord =>
  bareRunRecord({ id, name, status: 'completed', startedAt: '2026-01-01T00:00:00Z', endedAt: null, heartbeatAt: '', params, summary: metrics });

const records = [
  record('r-1', 'zeta', { lr: 0.1, batch: 32, optimizer: 'adam', seed: 1, constructor: 3 }, { loss: summary(0.5, 0.4, 2), acc: summary(0.8), 'sys/cpu_percent': summary(40), val_loss: summary(0.6) }),
  record('r-2', 'alpha', { lr: 0.01, batch: 64, optimizer: 'sgd', seed: 2, constructor: 1 }, { loss: summary(0.3, 0.2, 1.5), acc: summary(0.9), 'sys/cpu_percent': summary(50), val_loss: summary('NaN') }),
  record('r-3', 'mid', { lr: 1, batch: 16, optimizer: 'adam', constructor: 2 }, { loss: summary(0.9, 0.9, 3), acc: summary(0.7), 'sys/cpu_percent': summary(45) }),
];

describe('parallelDimensions()', () => {
  it('takes the params that are numbers in every run, then the metrics finite in every run, each sorted', () => {
    const { dimensions } = parallelDimensions(records);
    // Not optimizer (text), seed (missing in one run), val_loss (NaN in one, missing in another), sys/* (the machine's).
    expect(dimensions.map((dim) => [dim.kind, dim.name])).toEqual([['param', 'batch'], ['param', 'constructor'], ['param', 'lr'], ['metric', 'acc'], ['metric', 'loss']]);
    expect(dimensions.find((dim) => dim.name === 'loss')).toEqual({ name: 'loss', kind: 'metric', values: [0.5, 0.3, 0.9], min: 0.3, max: 0.9 });
    expect(dimensions.find((dim) => dim.name === 'lr')).toMatchObject({ values: [0.1, 0.01, 1], min: 0.01, max: 1 });
  });

  it('reads a name like constructor only where a run has it', () => {
    const without = [records[0]!, record('r-4', 'plain', { batch: 8 }, { loss: summary(1) })];
    expect(parallelDimensions(without).dimensions.map((dim) => dim.name)).toEqual(['batch', 'loss']);
  });

  it('gives each run its label and view colour, in the records\' order', () => {
    expect(parallelDimensions(records).runs).toEqual([{ label: 'zeta', color: paletteColor(0) }, { label: 'alpha', color: paletteColor(1) }, { label: 'mid', color: paletteColor(2) }]);
    expect(parallelDimensions(records, ['a', 'b', 'c']).runs.map((run) => run.label)).toEqual(['a', 'b', 'c']);
    expect(parallelDimensions([])).toEqual({ runs: [], dimensions: [] });
  });
});

describe('scatterRows()', () => {
  it('gives one row per run with the param and the metric\'s stat, a number param on a quantitative axis', () => {
    const data = scatterRows(records, 'lr', 'loss', 'max');
    expect(data.xType).toBe('quantitative');
    expect(data.rows).toEqual([
      { run: 'zeta', x: 0.1, y: 2, xPositive: 0.1, yPositive: 2 },
      { run: 'alpha', x: 0.01, y: 1.5, xPositive: 0.01, yPositive: 1.5 },
      { run: 'mid', x: 1, y: 3, xPositive: 1, yPositive: 3 },
    ]);
    expect(scatterRows(records, 'lr', 'loss', 'min').rows.map((row) => row.y)).toEqual([0.4, 0.2, 0.9]);
    expect(scatterRows(records, 'lr', 'loss', 'last').rows.map((row) => row.y)).toEqual([0.5, 0.3, 0.9]);
    expect(data.leftOut).toBe(0);
  });

  it('leaves out and counts runs without the param or without a finite value, colours kept by view place', () => {
    const data = scatterRows(records, 'seed', 'val_loss', 'last');
    // mid has no seed; alpha's val_loss is NaN.
    expect(data.rows.map((row) => row.run)).toEqual(['zeta']);
    expect(data.leftOut).toBe(2);
    expect(data.colors).toEqual([paletteColor(0)]);
    const lr = scatterRows(records, 'lr', 'val_loss', 'last');
    expect(lr.rows.map((row) => row.run)).toEqual(['zeta']);
    expect(scatterRows(records, 'lr', 'no such metric', 'last')).toMatchObject({ rows: [], leftOut: 3 });
  });

  it('puts a param that is not a number in every run on a nominal axis, as text', () => {
    const data = scatterRows(records, 'optimizer', 'acc', 'last');
    expect(data.xType).toBe('nominal');
    expect(data.rows.map((row) => [row.x, row.xPositive])).toEqual([['adam', null], ['sgd', null], ['adam', null]]);
    const mixed = scatterRows([records[0]!, record('r-5', 'auto', { lr: 'auto' }, { acc: summary(0.5) })], 'lr', 'acc', 'last');
    expect(mixed.xType).toBe('nominal');
    expect(mixed.rows.map((row) => row.x)).toEqual(['0.1', 'auto']);
  });

  it('lists the colours in Vega\'s order of the run labels, each run in its view colour', () => {
    // Labels sorted: alpha (view place 1), mid (2), zeta (0).
    expect(scatterRows(records, 'lr', 'loss', 'last').colors).toEqual([paletteColor(1), paletteColor(2), paletteColor(0)]);
  });
});

describe('scatterSpec()', () => {
  const HOSTILE = `"]}};alert(1)//<img src=x onerror=alert(2)>'datum.x`;
  const hostile = [
    record('r-1', HOSTILE, { [HOSTILE]: 0.5 }, { [HOSTILE]: summary(-1) }),
    record('r-2', 'b', { [HOSTILE]: 2 }, { [HOSTILE]: summary(0.25) }),
    record('r-3', 'c', { [HOSTILE]: -3 }, { [HOSTILE]: summary(4) }),
  ];

  /** The points drawn (not the legend's). */
  const symbols = (v: vega.View) => sceneMarks(v).filter((mark) => mark.marktype === 'symbol').flatMap((mark) => mark.items).filter((item) => item.datum && 'y' in item.datum);

  it.each<Partial<ScatterSpecOptions>>([{ xType: 'quantitative' }, { xType: 'quantitative', xLog: true, yLog: true }, { xType: 'nominal' }, { xType: 'nominal', yLog: true }])('draws %o without rows without a warning, then a point per run', async (extra) => {
    const data = scatterRows(hostile, HOSTILE, HOSTILE, 'last');
    const rows = extra.xType === 'nominal' ? data.rows.map((row) => ({ ...row, x: String(row.x), xPositive: null })) : data.rows;
    const spec = scatterSpec({ theme: { dark: false }, xType: 'quantitative', colors: data.colors, ...extra });
    expect(JSON.stringify(spec)).not.toContain('alert');
    const { view: v, warnings } = recordingView(spec);
    await v.runAsync();
    expect(warnings).toEqual([]);
    await v.change(POINTS_DATA, vega.changeset().insert(rows)).runAsync();
    expect(warnings).toEqual([]);
    const drawn = symbols(v);
    // On log axes the runs whose value is not positive are not drawn: only b (x 2, y 0.25).
    const logged = extra.xLog === true || extra.yLog === true;
    expect(drawn.map((item) => item.datum!.run).sort()).toEqual(logged ? (extra.xLog ? ['b'] : ['b', 'c']) : [HOSTILE, 'b', 'c'].sort());
    // Each run in its view colour, whoever else is drawn.
    for (const item of drawn) expect(item.fill).toBe(paletteColor(hostile.findIndex((r) => r.name === item.datum!.run)));
    v.finalize();
  });

  it('scales a log axis from the lowest positive value, axes untitled, tooltips run, param and metric', async () => {
    const data = scatterRows(hostile, HOSTILE, HOSTILE, 'last');
    const spec = scatterSpec({ theme: { dark: true }, xType: data.xType, xLog: true, yLog: true, colors: data.colors }) as { encoding: { x: { title: null }; y: { title: null }; tooltip: Array<{ field: string; title?: string }> } };
    expect(spec.encoding.x.title).toBeNull();
    expect(spec.encoding.y.title).toBeNull();
    expect(spec.encoding.tooltip.map((field) => field.title ?? field.field)).toEqual(['run', 'param', 'metric']);
    const { view: v } = recordingView(spec);
    await v.change(POINTS_DATA, vega.changeset().insert(data.rows)).runAsync();
    expect(v.scale('x').type).toBe('log');
    // x: 0.5 to 2 (-3 is left out), y: 0.25 to 4 (-1 is left out), made nice.
    expect(v.scale('x').domain()).toEqual([0.1, 10]);
    expect(v.scale('y').domain()).toEqual([0.1, 10]);
    v.finalize();
  });
});
