/**
 * The points each report chart draws: every series of a metric group across the selected runs,
 * non-finite values left out (and counted), each series M4-downsampled so a chart holds a bounded
 * number of points however long the runs were. Columns, not row objects. Pure.
 */
import { m4, chartXAxis, type ChartXAxis } from 'trainbook/core';

/** A metric's points with the non-finite ones left out (and counted), possibly already M4-reduced. */
export interface ReducedSeries {
  name: string;
  /** Points logged. */
  logged: number;
  /** Logged points that were NaN or ±Infinity, left out. */
  notFinite: number;
  length: number;
  step: ArrayLike<number>;
  value: ArrayLike<number>;
}

export interface ChartSeriesInput {
  run: string;
  metric: string;
  series: ReducedSeries;
  /** Steps where this run was resumed (`init({ resume })`); the chart marks them. */
  resumeSteps?: readonly number[];
}

/** Most points a series keeps after {@link reduceSeries}: as many as the finest chart draws. */
export const MAX_SERIES_POINTS = 2_000;

export interface ChartData {
  group: string;
  /** Distinct run labels and metric names; the columns hold indices into these. */
  runs: string[];
  metrics: string[];
  columns: { run: number[]; metric: number[]; step: number[]; value: number[] };
  /** Points logged, points drawn, and points left out because they were NaN or ±Infinity. */
  logged: number;
  drawn: number;
  notFinite: number;
  /** Points drawn of the longest series (one run's metric). */
  longest: number;
  /** `elapsed` for system metrics: the `step` column then holds seconds since each run started. */
  xAxis?: ChartXAxis;
  /** Where a drawn run was resumed: a dashed rule labelled "resumed" at each (run label, step). */
  resumes?: Array<{ run: string; step: number }>;
}

/** Points one chart may hold in all, and the least and most M4 buckets one series gets. */
export const CHART_POINT_BUDGET = 12_000;
const MIN_BUCKETS = 25;
const MAX_BUCKETS = 500;

export function bucketsPerSeries(seriesCount: number, budget = CHART_POINT_BUDGET): number {
  return Math.max(MIN_BUCKETS, Math.min(MAX_BUCKETS, Math.floor(budget / 4 / Math.max(1, seriesCount))));
}

export function buildChartData(group: string, series: readonly ChartSeriesInput[], budget = CHART_POINT_BUDGET): ChartData {
  const runs: string[] = [];
  const metrics: string[] = [];
  const columns: ChartData['columns'] = { run: [], metric: [], step: [], value: [] };
  const buckets = bucketsPerSeries(series.length, budget);
  let logged = 0;
  let notFinite = 0;
  let longest = 0;
  for (const input of series) {
    logged += input.series.logged;
    notFinite += input.series.notFinite;
    const kept = m4(input.series.step, input.series.value, input.series.length, buckets);
    longest = Math.max(longest, kept.x.length);
    let runIndex = runs.indexOf(input.run);
    if (runIndex < 0) runIndex = runs.push(input.run) - 1;
    let metricIndex = metrics.indexOf(input.metric);
    if (metricIndex < 0) metricIndex = metrics.push(input.metric) - 1;
    for (let i = 0; i < kept.x.length; i++) {
      columns.run.push(runIndex);
      columns.metric.push(metricIndex);
      columns.step.push(kept.x[i]!);
      columns.value.push(kept.y[i]!);
    }
  }
  const xAxis = chartXAxis(metrics);
  // Resume marks sit at steps: a chart over seconds has none.
  return { group, runs, metrics, columns, logged, drawn: columns.value.length, notFinite, longest, xAxis, resumes: xAxis === 'step' ? resumeMarks(series) : [] };
}

/** Each run's resume steps once, however many of its metrics the chart draws. */
export function resumeMarks(series: readonly ChartSeriesInput[]): Array<{ run: string; step: number }> {
  const marks: Array<{ run: string; step: number }> = [];
  const seen = new Set<string>();
  for (const input of series) {
    for (const step of input.resumeSteps ?? []) {
      const key = JSON.stringify([input.run, step]);
      if (seen.has(key)) continue;
      seen.add(key);
      marks.push({ run: input.run, step });
    }
  }
  return marks;
}

/**
 * A series as a report keeps it: finite points only (the rest counted), M4-reduced to at most
 * {@link MAX_SERIES_POINTS}, so the full columns of a long run need not stay in memory.
 */
export function reduceSeries(series: { name: string; length: number; step: ArrayLike<number>; value: ArrayLike<number> }, maxPoints = MAX_SERIES_POINTS): ReducedSeries {
  let dropped = 0;
  for (let i = 0; i < series.length; i++) if (!Number.isFinite(series.value[i]!)) dropped++;
  let x: ArrayLike<number> = series.step;
  let y: ArrayLike<number> = series.value;
  if (dropped > 0) {
    const fx = new Float64Array(series.length - dropped);
    const fy = new Float64Array(series.length - dropped);
    let k = 0;
    for (let i = 0; i < series.length; i++) {
      const v = series.value[i]!;
      if (!Number.isFinite(v)) continue;
      fx[k] = series.step[i]!;
      fy[k++] = v;
    }
    x = fx;
    y = fy;
  }
  const length = series.length - dropped;
  const kept = m4(x, y, length, Math.floor(maxPoints / 4));
  return { name: series.name, logged: series.length, notFinite: dropped, length: kept.x.length, step: kept.x, value: kept.y };
}

/** Row objects for Vega from the columns (done late: in the renderer, or in the browser). */
export function chartRowsOf(data: ChartData): Array<{ run: string; metric: string; step: number; value: number }> {
  const { run, metric, step, value } = data.columns;
  const rows = new Array(value.length);
  for (let i = 0; i < value.length; i++) rows[i] = { run: data.runs[run[i]!]!, metric: data.metrics[metric[i]!]!, step: step[i]!, value: value[i]! };
  return rows;
}

/**
 * A series with its x values turned into seconds since the run started (system metrics are drawn
 * over wall time; the stored points carry it in `time`).
 */
export function elapsedSeries<T extends { length: number; time: ArrayLike<number> }>(series: T, startedAtMs: number): T & { step: Float64Array } {
  const step = new Float64Array(series.length);
  for (let i = 0; i < series.length; i++) step[i] = (series.time[i]! - startedAtMs) / 1000;
  return { ...series, step };
}
