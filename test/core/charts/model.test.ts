import { describe, expect, it } from 'vitest';
import { m4 } from '../../../core/src/format/downsample.js';
import { paletteColor } from '../../../core/src/charts/colors.js';
import { emaSmooth } from '../../../core/src/charts/smoothing.js';
import { buildChartModel, bucketsPerSeries, chartRows, chartXAxis, dashboardRows, elapsedColumn, liveChartModel, nonFiniteNote, plannedBuckets, reduceForChart, type ChartSeriesInput } from '../../../core/src/charts/model.js';
import type { LivePayload, LiveSeries } from '../../../core/src/live/payload.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const series = (run: number, metric: string, value: number[], extra: Partial<ChartSeriesInput> = {}): ChartSeriesInput => ({ run, metric, length: value.length, step: range(value.length), value, ...extra });
const payload = (series: LiveSeries[], resumes?: number[]): LivePayload => ({
  version: 1, progress: null, updatedAt: 0, series, ...(resumes ? { resumes } : {}),
  run: { id: 'r', name: 'mlp', experiment: null, store: 's', status: 'running', startedAt: '', endedAt: null, error: null },
});

describe('chartXAxis()', () => {
  it('puts a chart on wall time only when every series is a system metric', () => {
    expect(chartXAxis(['sys/cpu_percent', 'sys/process_cpu_percent'])).toBe('elapsed');
    expect(chartXAxis(['loss', 'val_loss'])).toBe('step');
    expect(chartXAxis(['sys/cpu_percent', 'loss'])).toBe('step');
    expect(chartXAxis([])).toBe('step');
    expect(chartXAxis(['loss'], 'epoch')).toBe('epoch');
    expect(chartXAxis(['sys/cpu_percent'], 'epoch')).toBe('elapsed');
  });

  it('puts every chart on a clock axis when the caller prefers one', () => {
    for (const axis of ['elapsed', 'wall'] as const) {
      expect(chartXAxis(['loss', 'val_loss'], axis)).toBe(axis);
      expect(chartXAxis(['sys/cpu_percent'], axis)).toBe(axis);
    }
  });
});

describe('buildChartModel()', () => {
  const runs = [{ id: 'a', label: 'a' }, { id: 'b', label: 'b' }, { id: 'c', label: 'c' }];

  it('groups lines into charts, rows in the one shape {run, series, x, value}', () => {
    const model = buildChartModel([runs[0]!], [series(0, 'loss', [3, 2]), series(0, 'acc', [0.5, 0.7]), series(0, 'val_loss', [4, 3])]);
    expect(model.groups.map((g) => [g.group, g.lines.map((l) => l.metric)])).toEqual([['loss', ['loss', 'val_loss']], ['acc', ['acc']]]);
    expect(chartRows(model.groups[0]!)[0]).toEqual({ run: 'a', series: 'loss', x: 0, value: 3 });
    expect(model.groups[0]!.colorBy).toBe('series');
  });

  it('draws a chart over the axis the rule gives, with the matching column', () => {
    const model = buildChartModel([runs[0]!], [
      series(0, 'sys/cpu_percent', [10, 20], { elapsed: [0.5, 5.5] }),
      series(0, 'loss', [1, 0.5], { epoch: [0, 1] }),
    ], { xAxis: 'epoch' });
    expect(model.groups.map((g) => [g.group, g.xAxis, g.lines[0]!.x])).toEqual([['sys/cpu (%)', 'elapsed', [0.5, 5.5]], ['loss', 'epoch', [0, 1]]]);
  });

  it('draws every chart over wall-clock time or seconds since the start when asked', () => {
    const inputs = [
      series(0, 'sys/cpu_percent', [10, 20], { elapsed: [0.5, 5.5], wall: [1_700_000_000_500, 1_700_000_005_500] }),
      series(0, 'loss', [1, 0.5], { elapsed: [2, 4], wall: [1_700_000_002_000, 1_700_000_004_000] }),
    ];
    const wall = buildChartModel([runs[0]!], inputs, { xAxis: 'wall' });
    expect(wall.groups.map((g) => [g.group, g.xAxis, g.lines[0]!.x])).toEqual([['sys/cpu (%)', 'wall', [1_700_000_000_500, 1_700_000_005_500]], ['loss', 'wall', [1_700_000_002_000, 1_700_000_004_000]]]);
    const elapsed = buildChartModel([runs[0]!], inputs, { xAxis: 'elapsed' });
    expect(elapsed.groups.map((g) => [g.xAxis, g.lines[0]!.x])).toEqual([['elapsed', [0.5, 5.5]], ['elapsed', [2, 4]]]);
    // Resume marks are steps: not drawn on a clock axis.
    expect(buildChartModel([{ id: 'a', label: 'a', resumeSteps: [1] }], inputs, { xAxis: 'wall' }).groups[1]!.resumes).toEqual([]);
    const noWall = buildChartModel([runs[0]!], [series(0, 'loss', [1, 2])], { xAxis: 'wall' });
    expect(noWall.groups[0]!.notes).toEqual(['loss: not drawn (no time recorded)']);
  });

  it('says when a series has no column for its chart\'s axis instead of drawing it on the wrong one', () => {
    const model = buildChartModel([runs[0]!], [series(0, 'sys/cpu_percent', [10, 20])]);
    expect(model.groups[0]!.lines).toEqual([]);
    expect(model.groups[0]!.notes).toEqual(['sys/cpu_percent: not drawn (no seconds since start recorded)']);
  });

  it('keeps the points within the budget with one M4 pass per line, spikes kept', () => {
    const value = range(100_000).map((i) => Math.sin(i / 100) + (i === 54_321 ? 50 : 0));
    const model = buildChartModel(runs, [series(0, 'loss', value), series(1, 'loss', value), series(2, 'loss', value)], { budget: 1200 });
    const group = model.groups[0]!;
    expect(group.drawn).toBeLessThanOrEqual(1200);
    expect(group.logged).toBe(300_000);
    expect(Math.max(...group.lines[0]!.value)).toBeGreaterThan(50);
    const once = m4(range(100_000), value, 100_000, bucketsPerSeries(3, 1200));
    expect(group.lines[0]!.x).toEqual(once.x);
  });

  it('smooths each line only when asked, the raw values kept beside the smoothed ones', () => {
    const raw = buildChartModel([runs[0]!], [series(0, 'loss', [1, 2, 3])]);
    expect(raw.groups[0]!.lines[0]).not.toHaveProperty('smoothed');
    expect(buildChartModel([runs[0]!], [series(0, 'loss', [1, 2, 3])], { smoothing: 0 }).groups[0]!.lines[0]).not.toHaveProperty('smoothed');
    const line = buildChartModel([runs[0]!], [series(0, 'loss', [1, NaN, 2, 3])], { smoothing: 0.5 }).groups[0]!.lines[0]!;
    expect(line.value).toEqual([1, 2, 3]);
    expect(line.x).toEqual([0, 2, 3]);
    // As emaSmooth([1, 2, 3], 0.5): the NaN neither drawn nor counted in the average.
    expect(line.smoothed![0]).toBe(1);
    expect(line.smoothed![1]).toBeCloseTo(5 / 3, 12);
    expect(line.smoothed![2]).toBeCloseTo(17 / 7, 12);
    expect(() => buildChartModel([runs[0]!], [series(0, 'loss', [1])], { smoothing: 1 })).toThrow(RangeError);
  });

  // Smoothing the M4-kept points instead would give a curve that changes with the point budget
  // (and is dragged about by the extremes M4 keeps).
  it('smooths the full-resolution values before M4 picks the points: the curve does not depend on the budget', () => {
    const value = range(50_000).map((i) => Math.sin(i / 300) + ((i * 7919) % 13) / 13);
    const full = emaSmooth(value, 0.9);
    const smoothedAt = (budget: number) => {
      const line = buildChartModel([runs[0]!], [series(0, 'loss', value)], { budget, smoothing: 0.9 }).groups[0]!.lines[0]!;
      expect(line.x.length).toBeLessThan(value.length);
      return new Map(line.x.map((x, i) => [x, line.smoothed![i]!]));
    };
    const small = smoothedAt(400);
    const large = smoothedAt(4000);
    for (const [x, smoothed] of small) expect(smoothed).toBe(full[x]);
    const shared = [...small.keys()].filter((x) => large.has(x));
    expect(shared.length).toBeGreaterThan(10);
    for (const x of shared) expect(large.get(x)).toBe(small.get(x));
  });

  it('draws NaN and ±Infinity nowhere and says how many were left out, by kind', () => {
    const model = buildChartModel([runs[0]!], [series(0, 'loss', [1, NaN, Infinity, 0.5, NaN]), series(0, 'acc', [0.1, -Infinity, 0.3])]);
    const [loss, acc] = model.groups;
    expect(loss!.lines[0]!.value).toEqual([1, 0.5]);
    expect(loss!.notFinite).toBe(3);
    expect(loss!.notes).toEqual(['loss: NaN at last point (3 points not drawn)']);
    expect(acc!.notes).toEqual(['acc: 1 -Infinity point not drawn']);
  });

  it('marks each drawn run\'s resume steps once, on step axes only', () => {
    const model = buildChartModel([{ id: 'a', label: 'a', resumeSteps: [1] }, { id: 'b', label: 'b' }], [
      series(0, 'loss', [3, 2, 1]), series(0, 'val_loss', [3, 2, 1]), series(1, 'loss', [1, 1]),
      series(0, 'sys/cpu_percent', [1], { elapsed: [1] }),
    ]);
    expect(model.groups[0]!.resumes).toEqual([{ run: 'a', step: 1 }]);
    expect(model.groups[1]!.resumes).toEqual([]);
  });

  // Old: each chart coloured runs by Vega's category scheme over the runs it happened to draw, so a
  // run missing from one chart shifted every colour after it, and the compare table had none.
  it('gives a run the same colour in every chart of the view, whichever runs each chart draws', () => {
    const model = buildChartModel([{ id: 'z', label: 'zeta' }, { id: 'a', label: 'alpha' }, { id: 'm', label: 'mid' }], [
      series(0, 'loss', [1]), series(1, 'loss', [1]), series(2, 'loss', [1]),
      series(0, 'acc', [1]), series(2, 'acc', [1]),
    ]);
    expect(model.runs.map((run) => run.color)).toEqual([paletteColor(0), paletteColor(1), paletteColor(2)]);
    const colorOf = (group: number) => {
      const labels = [...new Set(model.groups[group]!.lines.map((line) => line.runLabel))].sort();
      return Object.fromEntries(labels.map((label, i) => [label, model.groups[group]!.colors[i]]));
    };
    expect(colorOf(0)).toEqual({ alpha: paletteColor(1), mid: paletteColor(2), zeta: paletteColor(0) });
    expect(colorOf(1)).toEqual({ mid: paletteColor(2), zeta: paletteColor(0) });
  });

  it('gives one run\'s series the same colour across its charts', () => {
    const model = buildChartModel([runs[0]!], [series(0, 'loss', [1]), series(0, 'acc', [1]), series(0, 'val_loss', [1])]);
    expect(model.groups[0]!.colors).toEqual([paletteColor(0), paletteColor(1)]);
    expect(model.groups[1]!.colors).toEqual([paletteColor(0)]);
  });

  // Old: a series was coloured by its index among the run's metrics, so batch/loss was blue in the
  // loss chart and batch/acc orange in the acc chart.
  it('colours series of one role (batch/, val_, the epoch value) alike in every chart of a live output', () => {
    const names = ['batch/loss', 'batch/acc', 'loss', 'acc', 'val_loss', 'val_acc', 'sys/cpu_percent'];
    const model = liveChartModel(payload(names.map((name) => ({ name, count: 2, last: 1, step: [0, 1], value: [2, 1], ...(name.startsWith('sys/') ? { xAxis: 'elapsed' as const } : {}) }))));
    const colorOf = (group: string, metric: string) => {
      const chart = model.groups.find((g) => g.group === group)!;
      const domain = [...new Set(chart.lines.map((line) => line.metric))].sort();
      return chart.colors[domain.indexOf(metric)];
    };
    expect(colorOf('acc', 'batch/acc')).toBe(colorOf('loss', 'batch/loss'));
    expect(colorOf('acc', 'acc')).toBe(colorOf('loss', 'loss'));
    expect(colorOf('acc', 'val_acc')).toBe(colorOf('loss', 'val_loss'));
    expect(new Set(['batch/loss', 'loss', 'val_loss'].map((metric) => colorOf('loss', metric))).size).toBe(3);
    expect(colorOf('sys/cpu (%)', 'sys/cpu_percent')).not.toBe(colorOf('loss', 'batch/loss'));
  });

  it('draws one chart per metric, sorted, for compare', () => {
    const model = buildChartModel(runs, [series(0, 'val_loss', [1]), series(1, 'loss', [1])], { perMetric: true });
    expect(model.groups.map((g) => g.group)).toEqual(['loss', 'val_loss']);
  });
});

describe('dashboardRows()', () => {
  const model = buildChartModel([{ id: 'a', label: 'a' }], [series(0, 'loss', [2, -1, 4])], { smoothing: 0.5 });
  const group = model.groups[0]!;

  it('gives rows of the raw values, or of the smoothed ones with the raw beside them', () => {
    expect(dashboardRows(group, false)).toEqual([
      { run: 'a', series: 'loss', x: 0, value: 2, raw: 2, lowestPositive: 2 },
      { run: 'a', series: 'loss', x: 1, value: -1, raw: -1, lowestPositive: null },
      { run: 'a', series: 'loss', x: 2, value: 4, raw: 4, lowestPositive: 4 },
    ]);
    // Smoothed at 0.5: last 1, 0, 2; debias 0.5, 0.75, 0.875.
    const rows = dashboardRows(group, true);
    expect(rows.map((row) => row.raw)).toEqual([2, -1, 4]);
    expect(rows[0]).toMatchObject({ value: 2, lowestPositive: 2 });
    expect(rows[1]!.value).toBeCloseTo(0, 12);
    expect(rows[2]!.value).toBeCloseTo(2 / 0.875, 12);
    expect(rows[2]!.lowestPositive).toBe(rows[2]!.value);
  });

  it('takes the positive one of value and raw as where a log scale may start', () => {
    // At 0.9: [10, -1] smooths to [10, 0.8 / 0.19]; [-10, 1] to [-10, -0.8 / 0.19].
    const mixed = buildChartModel([{ id: 'a', label: 'a' }, { id: 'b', label: 'b' }], [series(0, 'loss', [10, -1]), series(1, 'loss', [-10, 1])], { smoothing: 0.9 });
    const rows = dashboardRows(mixed.groups[0]!, true);
    expect(rows[1]!.value).toBeCloseTo(0.8 / 0.19, 12);
    expect(rows[1]!.lowestPositive).toBe(rows[1]!.value);
    expect(rows[2]!.lowestPositive).toBeNull();
    expect(rows[3]!.value).toBeCloseTo(-0.8 / 0.19, 12);
    expect(rows[3]!.lowestPositive).toBe(1);
  });

  it('draws the raw values when smoothed rows are asked of a model without smoothing', () => {
    const plain = buildChartModel([{ id: 'a', label: 'a' }], [series(0, 'loss', [3, 1])]);
    expect(dashboardRows(plain.groups[0]!, true).map((row) => row.value)).toEqual([3, 1]);
  });
});

describe('reduceForChart()', () => {
  it('reduces once: reducing the result again at the same buckets changes nothing', () => {
    const value = range(10_000).map((i) => Math.cos(i / 50));
    const once = reduceForChart(series(0, 'loss', value), 40);
    const twice = reduceForChart(once, 40);
    expect(twice.step).toEqual(once.step);
    expect(twice.value).toEqual(once.value);
    expect(twice.logged).toBe(10_000);
  });
});

describe('plannedBuckets()', () => {
  it('gives each series the buckets its chart will give its line', () => {
    const bucketsOf = plannedBuckets([['loss', 'val_loss', 'acc'], ['loss']], { budget: 1200 });
    expect(bucketsOf('loss')).toBe(bucketsPerSeries(3, 1200));
    expect(bucketsOf('acc')).toBe(bucketsPerSeries(1, 1200));
  });
});

describe('elapsedColumn()', () => {
  it('turns wall times into seconds since the run started', () => {
    expect([...elapsedColumn([5000, 10_000, 15_000], 3, 4000)]).toEqual([1, 6, 11]);
  });
});

describe('nonFiniteNote()', () => {
  it('says nothing when every point is drawn', () => {
    expect(nonFiniteNote('loss', 0.5, {})).toBeNull();
  });
  it('names a non-finite last point, and counts the others', () => {
    expect(nonFiniteNote('loss', NaN, { NaN: 1 })).toBe('loss: NaN at last point');
    expect(nonFiniteNote('acc', 0.5, { NaN: 1, '-Infinity': 1 })).toBe('acc: 2 NaN/-Infinity points not drawn');
  });
});

describe('liveChartModel()', () => {
  it('draws the payload\'s points as they are, system metrics over seconds', () => {
    const model = liveChartModel(payload([
      { name: 'loss', count: 1000, last: 0.1, step: [0, 500, 999], value: [1, 'NaN', 0.1] },
      { name: 'sys/cpu_percent', count: 2, last: 30, step: [5.2, 10.2], value: [20, 30], xAxis: 'elapsed' },
    ], [500]));
    expect(model.groups.map((g) => [g.group, g.xAxis, g.lines[0]!.x, g.lines[0]!.logged])).toEqual([['loss', 'step', [0, 999], 1000], ['sys/cpu (%)', 'elapsed', [5.2, 10.2], 2]]);
    expect(model.groups[0]!.notes).toEqual(['loss: 1 NaN point not drawn']);
    expect(model.groups[0]!.resumes).toEqual([{ run: 'mlp', step: 500 }]);
  });

  // Old: the renderer put a group on seconds when every payload series carried `xAxis: 'elapsed'`,
  // the report when every metric was a system metric; a chart could land on different axes.
  it('gives a group the same axis as a stored run of the same metrics gets (one rule)', () => {
    const live = liveChartModel(payload([
      { name: 'loss', count: 2, last: 1, step: [1, 2], value: [1, 1], xAxis: 'elapsed' },
      { name: 'sys/cpu_percent', count: 1, last: 3, step: [3], value: [3], xAxis: 'elapsed' },
    ]));
    const stored = buildChartModel([{ id: 'r', label: 'mlp' }], [series(0, 'loss', [1, 1], { elapsed: [1, 2] }), series(0, 'sys/cpu_percent', [3], { elapsed: [3] })]);
    expect(live.groups.map((g) => g.xAxis)).toEqual(stored.groups.map((g) => g.xAxis));
    expect(live.groups.map((g) => g.xAxis)).toEqual(['step', 'elapsed']);
  });
});
