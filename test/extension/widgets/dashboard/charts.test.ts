import { describe, expect, it } from 'vitest';
import { buildChartModel, type RunRecord, type Series } from 'trainbook/core';
import { chartAxisOf, chartOrder, comparisonInputs } from '../../../../extension/src/widgets/dashboard/charts.js';

const series = (name: string, values: number[], startMs: number): Series => ({
  name,
  length: values.length,
  step: Float64Array.from(values, (_, i) => i * 10),
  time: Float64Array.from(values, (_, i) => startMs + i * 2_000),
  value: Float64Array.from(values),
  epoch: Float64Array.from(values, () => NaN),
});

const START = Date.parse('2026-11-22T21:08:50.000Z');
const record = (id: string, startedAt: string) => ({ id, startedAt }) as unknown as RunRecord;

describe('chartAxisOf()', () => {
  it("maps the dashboard's relative axis to the chart model's elapsed seconds", () => {
    expect(chartAxisOf('relative')).toBe('elapsed');
    expect(chartAxisOf('wall')).toBe('wall');
    expect(chartAxisOf('step')).toBe('step');
    expect(chartAxisOf('epoch')).toBe('epoch');
  });
});

describe('comparisonInputs()', () => {
  const comparison = {
    rows: [{ record: record('a', '2026-11-22T21:08:50.000Z') }, { record: record('b', 'not a date') }] as never,
    series: [new Map([['loss', series('loss', [3, 2, 1], START + 1_000)]]), new Map([['loss', series('loss', [4, 3], START)]])],
  };

  it('gives every series its run index, wall times, and seconds since its own run started', () => {
    const inputs = comparisonInputs(comparison);
    expect(inputs.map((input) => [input.run, input.metric, input.length])).toEqual([[0, 'loss', 3], [1, 'loss', 2]]);
    expect(Array.from(inputs[0]!.elapsed!)).toEqual([1, 3, 5]);
    expect(Array.from(inputs[0]!.wall!)).toEqual([START + 1_000, START + 3_000, START + 5_000]);
    // A run whose start is unreadable has no elapsed column: the model says it cannot place it.
    expect(inputs[1]!.elapsed).toBeUndefined();
  });

  it('draws on each x axis the dashboard offers', () => {
    const runs = [{ id: 'a', label: 'a' }, { id: 'b', label: 'b' }];
    const relative = buildChartModel(runs, comparisonInputs(comparison), { perMetric: true, xAxis: chartAxisOf('relative') });
    expect(relative.groups[0]!.lines.map((line) => line.x)).toEqual([[1, 3, 5]]);
    expect(relative.groups[0]!.notes.join()).toMatch(/not drawn/);
    const wall = buildChartModel(runs, comparisonInputs(comparison), { perMetric: true, xAxis: 'wall' });
    expect(wall.groups[0]!.lines[1]!.x).toEqual([START, START + 2_000]);
  });
});

describe('chartOrder()', () => {
  it('puts training metrics before system metrics, each in name order', () => {
    const groups = ['acc', 'loss', 'sys/cpu_percent', 'val_loss'].map((group) => ({ group })) as never;
    expect(chartOrder(groups)).toEqual([0, 1, 3, 2]);
  });
});
