/**
 * The chart model: what every chart of a view draws, before any Vega spec exists. From series
 * (columns per run and metric) it builds the groups (one chart per metric group), each group's x
 * axis (one rule, {@link chartXAxis}), the points within a budget (M4, applied once), resume
 * marks, notes on points left out (NaN, ±Infinity), colours (by the run's place in the view) and,
 * when asked, each line's smoothed curve (EMA, {@link emaSmooth}).
 * The live renderer, the compare view, the report and the Vega-Lite fallback all build one and
 * hand it to `chartSpec`. Pure.
 */
import { m4 } from '../format/downsample.js';
import { decodeNumber, formatNumber, type EncodedNumber } from '../format/numbers.js';
import { paletteColor, vegaAscending } from './colors.js';
import { isSystemMetric } from '../format/metricNames.js';
import { groupMetrics, metricGroup } from './groups.js';
import { emaSmooth } from './smoothing.js';

/**
 * What a chart's x axis shows: steps, epochs, seconds since the run started (system metrics, or
 * every chart when asked: the dashboard's "relative"), or wall-clock time (ms since the Unix
 * epoch, drawn as a time axis).
 */
export type ChartXAxis = 'step' | 'epoch' | 'elapsed' | 'wall';

export const X_AXIS_TITLES: Readonly<Record<ChartXAxis, string>> = { step: 'step', epoch: 'epoch', elapsed: 'seconds since start', wall: 'time' };

/**
 * The one rule for a chart's x axis: a clock axis (`elapsed`, `wall`) when the caller prefers one,
 * for every chart; otherwise seconds since the start when every metric of the chart is a system
 * metric (sampled on a clock, not per training step), else `preferred` (steps unless a caller
 * asks for epochs).
 *
 * @example
 * chartXAxis(['sys/cpu_percent']); // 'elapsed'
 * chartXAxis(['loss', 'val_loss']); // 'step'
 * chartXAxis(['sys/cpu_percent', 'loss'], 'wall'); // 'wall'
 */
export function chartXAxis(metrics: readonly string[], preferred: ChartXAxis = 'step'): ChartXAxis {
  if (preferred === 'elapsed' || preferred === 'wall') return preferred;
  return metrics.length > 0 && metrics.every(isSystemMetric) ? 'elapsed' : preferred;
}

/** A run of the view. Its index in the view's run list gives its colour. */
export interface ChartRun {
  id: string;
  /** Unique in the view: legends, tooltips and the report's focus use it. */
  label: string;
  /** Steps where the run was continued (`init({ resume })`). */
  resumeSteps?: readonly number[];
}

/** One metric of one run, as columns. Values are numbers (NaN and ±Infinity are left out and counted). */
export interface ChartSeriesInput {
  /** Index into the view's runs. */
  run: number;
  metric: string;
  length: number;
  /** Absent for a series recorded on a clock only (a live system metric). */
  step?: ArrayLike<number>;
  value: ArrayLike<number>;
  epoch?: ArrayLike<number>;
  /** Seconds since the run started, per point (see {@link elapsedColumn}). */
  elapsed?: ArrayLike<number>;
  /** Wall-clock time of each point, ms since the Unix epoch (`Series.time`). */
  wall?: ArrayLike<number>;
  /** The last value logged, when the columns do not end with it (a downsampled live series). */
  last?: number;
  /** Points logged; more than `length` when the columns were already reduced. */
  logged?: number;
  /** Non-finite points left out before these columns were made, by kind (`NaN`, `Infinity`, `-Infinity`). */
  leftOut?: Readonly<Record<string, number>>;
  /** True when the columns were reduced for this chart already ({@link reduceForChart}): not reduced again. */
  reduced?: boolean;
}

/** One line of a chart: finite points only. */
export interface ChartLine {
  run: number;
  runLabel: string;
  metric: string;
  x: number[];
  /** The values logged (raw), at the points kept. */
  value: number[];
  /**
   * The smoothed curve at the same points, when the model was built with `smoothing` > 0:
   * smoothed over every finite point logged, then picked where `value` was kept.
   */
  smoothed?: number[];
  last: number;
  logged: number;
  notFinite: number;
}

export interface ChartGroup {
  group: string;
  xAxis: ChartXAxis;
  /** Colour by run when the view has several runs, else by metric. */
  colorBy: 'run' | 'series';
  lines: ChartLine[];
  /** The colour range, in the order Vega sorts the coloured field's values (see `vegaAscending`). */
  colors: string[];
  /** Where a drawn run was resumed (step axes only). */
  resumes: Array<{ run: string; step: number }>;
  /** What the chart says about points it does not draw, one line per metric. */
  notes: string[];
  logScale: boolean;
  logged: number;
  drawn: number;
  notFinite: number;
  /** Points drawn of the longest line. */
  longest: number;
}

export interface ChartModel {
  runs: Array<ChartRun & { color: string }>;
  groups: ChartGroup[];
}

/** A Vega row: the one shape every chart draws. Names are data values. */
export interface ChartRow {
  run: string;
  series: string;
  x: number;
  value: number;
}

/** Points one chart may hold in all, and the least and most M4 buckets one line gets. */
export const CHART_POINT_BUDGET = 12_000;
const MIN_BUCKETS = 25;
const MAX_BUCKETS = 500;

/** M4 buckets per line of a chart of `lineCount` lines within `budget` points. */
export function bucketsPerSeries(lineCount: number, budget = CHART_POINT_BUDGET): number {
  return Math.max(MIN_BUCKETS, Math.min(MAX_BUCKETS, Math.floor(budget / 4 / Math.max(1, lineCount))));
}

export interface ChartModelOptions {
  /** Points per chart; null draws the series as given (already bounded, like a live payload). */
  budget?: number | null;
  /** One chart per metric (sorted by name) instead of per metric group: compare's overlays. */
  perMetric?: boolean;
  /**
   * The x axis: `step` or `epoch` for non-system charts (system metrics stay on `elapsed`), or
   * `elapsed` or `wall` for every chart.
   */
  xAxis?: ChartXAxis;
  /** The EMA weight in [0, 1) each line's `smoothed` curve is made with ({@link emaSmooth}); 0 or absent: none. */
  smoothing?: number;
}

/** The x column of a series for an axis; undefined when the series has none. */
function xColumn(series: ChartSeriesInput, axis: ChartXAxis): ArrayLike<number> | undefined {
  return axis === 'elapsed' ? series.elapsed : axis === 'wall' ? series.wall : axis === 'epoch' ? series.epoch : series.step;
}

/**
 * A series reduced for a chart: finite points only (the others counted by kind), M4 over `buckets`
 * buckets, every column kept for the points kept. Reducing again at the same `buckets` changes
 * nothing, so a series reduced early (to free a long run's columns) is reduced once.
 */
export function reduceForChart(series: ChartSeriesInput, buckets: number | null): ChartSeriesInput {
  return reduceLine(series, buckets, 0).reduced;
}

/**
 * {@link reduceForChart}, and the smoothed values at the points kept when `smoothing` > 0. The
 * curve is smoothed over every finite point of `series` first and only then picked at the points
 * M4 keeps, so it does not depend on the point budget (smoothing the kept points instead would
 * give another curve for each budget, and M4's extremes would drag it about).
 */
function reduceLine(series: ChartSeriesInput, buckets: number | null, smoothing: number): { reduced: ChartSeriesInput; smoothed?: number[] } {
  const leftOut: Record<string, number> = Object.create(null);
  for (const [kind, count] of Object.entries(series.leftOut ?? {})) leftOut[kind] = count;
  // Indices and values of the finite points, as columns (a long run's series has millions).
  const index = new Float64Array(series.length);
  const finite = new Float64Array(series.length);
  let count = 0;
  for (let i = 0; i < series.length; i++) {
    const v = series.value[i]!;
    if (Number.isFinite(v)) {
      index[count] = i;
      finite[count++] = v;
    } else {
      const kind = formatNumber(v);
      leftOut[kind] = (leftOut[kind] ?? 0) + 1;
    }
  }
  const kept = buckets === null ? Array.from(index.subarray(0, count)) : m4(index, finite, count, buckets).x;
  const pick = (column: ArrayLike<number>): number[] => kept.map((i) => column[i]!);
  const last = series.last ?? (series.length > 0 ? series.value[series.length - 1]! : undefined);
  // Non-finite values pass through emaSmooth without moving the average: smoothing the whole
  // column is smoothing its finite points.
  const smoothed = smoothing > 0 ? { smoothed: pick(emaSmooth(series.value, smoothing)) } : {};
  const reduced: ChartSeriesInput = {
    run: series.run,
    metric: series.metric,
    length: kept.length,
    ...(series.step ? { step: pick(series.step) } : {}),
    value: pick(series.value),
    ...(series.epoch ? { epoch: pick(series.epoch) } : {}),
    ...(series.elapsed ? { elapsed: pick(series.elapsed) } : {}),
    ...(series.wall ? { wall: pick(series.wall) } : {}),
    ...(last === undefined ? {} : { last }),
    logged: series.logged ?? series.length,
    leftOut,
    reduced: series.reduced === true || buckets !== null,
  };
  return { reduced, ...smoothed };
}

/**
 * The M4 buckets of each metric's lines in a view's charts, from the metrics each run has: lets a
 * reader reduce each series once, as it reads it, to exactly what its chart keeps.
 */
export function plannedBuckets(runMetrics: ReadonlyArray<readonly string[]>, options: ChartModelOptions = {}): (metric: string) => number {
  const groupOf = options.perMetric ? (name: string) => name : metricGroup;
  const lines = new Map<string, number>();
  for (const metrics of runMetrics) for (const metric of metrics) lines.set(groupOf(metric), (lines.get(groupOf(metric)) ?? 0) + 1);
  const budget = options.budget ?? CHART_POINT_BUDGET;
  return (metric) => bucketsPerSeries(lines.get(groupOf(metric)) ?? 1, budget);
}

/** Seconds since `startedAtMs` from wall times in ms (how system metrics are drawn). */
export function elapsedColumn(time: ArrayLike<number>, length: number, startedAtMs: number): Float64Array {
  const elapsed = new Float64Array(length);
  for (let i = 0; i < length; i++) elapsed[i] = (time[i]! - startedAtMs) / 1000;
  return elapsed;
}

/**
 * What to say about a line's points that are not drawn: `loss: 2 NaN/Infinity points not drawn`,
 * or `loss: NaN at last point (3 points not drawn)` when the last value is one of them.
 */
export function nonFiniteNote(metric: string, last: number | undefined, leftOut: Readonly<Record<string, number>>): string | null {
  const kinds = Object.keys(leftOut).filter((kind) => leftOut[kind]! > 0);
  const count = kinds.reduce((sum, kind) => sum + leftOut[kind]!, 0);
  if (last !== undefined && !Number.isFinite(last)) {
    const more = count > 1 ? ` (${count} points not drawn)` : '';
    return `${metric}: ${formatNumber(last)} at last point${more}`;
  }
  if (count === 0) return null;
  return `${metric}: ${count} ${kinds.join('/')} point${count === 1 ? '' : 's'} not drawn`;
}

/** A log scale helps when every value is positive and they span more than three decades. */
export function wantsLogScale(lines: readonly ChartLine[]): boolean {
  let min = Infinity;
  let max = -Infinity;
  let count = 0;
  for (const line of lines) {
    for (const v of line.value) {
      if (v <= 0) return false;
      if (v < min) min = v;
      if (v > max) max = v;
      count++;
    }
  }
  return count > 1 && max / min > 1e3;
}

/**
 * The chart model of a view: `runs` in the view's order (their colours), `series` of any of them.
 *
 * @example
 * const model = buildChartModel([{ id: 'r1', label: 'mlp' }], [{ run: 0, metric: 'loss', length: 2, step: [0, 1], value: [1, 0.5] }]);
 * model.groups[0].lines[0].x; // [0, 1]
 */
export function buildChartModel(runs: readonly ChartRun[], series: readonly ChartSeriesInput[], options: ChartModelOptions = {}): ChartModel {
  const budget = options.budget === undefined ? CHART_POINT_BUDGET : options.budget;
  // emaSmooth refuses a weight outside [0, 1).
  const smoothing = options.smoothing ?? 0;
  const manyRuns = runs.length > 1;
  const metricNames: string[] = [];
  for (const s of series) if (!metricNames.includes(s.metric)) metricNames.push(s.metric);
  const names = options.perMetric ? [...metricNames].sort() : metricNames;
  const groups = groupMetrics(names, options.perMetric ? (name) => name : undefined);
  const roles = [...new Set(metricNames.map(seriesRole))];
  const result: ChartGroup[] = [];
  for (const [group, metrics] of groups) {
    const xAxis = chartXAxis(metrics, options.xAxis);
    const inputs = series.filter((s) => metrics.includes(s.metric));
    const buckets = budget === null ? null : bucketsPerSeries(inputs.length, budget);
    const lines: ChartLine[] = [];
    const notes: string[] = [];
    for (const input of inputs) {
      // A series reduced already is smoothed over the points it kept.
      const { reduced, smoothed } = reduceLine(input, input.reduced ? null : buckets, smoothing);
      const x = xColumn(reduced, xAxis);
      const leftOut = reduced.leftOut ?? {};
      const notFinite = Object.values(leftOut).reduce((sum, n) => sum + n, 0);
      const note = nonFiniteNote(input.metric, reduced.last, leftOut);
      if (note !== null) notes.push(manyRuns ? `${runs[input.run]!.label} ${note}` : note);
      // A series without the axis's column (no wall times, no epochs) cannot be placed on it.
      if (!x) {
        notes.push(`${manyRuns ? `${runs[input.run]!.label} ` : ''}${input.metric}: not drawn (no ${X_AXIS_TITLES[xAxis]} recorded)`);
        continue;
      }
      lines.push({ run: input.run, runLabel: runs[input.run]!.label, metric: input.metric, x: Array.from(x), value: Array.from(reduced.value), ...(smoothed ? { smoothed } : {}), last: reduced.last ?? NaN, logged: reduced.logged ?? reduced.length, notFinite });
    }
    if (lines.length === 0 && notes.length === 0) continue;
    const colorBy = manyRuns ? 'run' : 'series';
    result.push({
      group,
      xAxis,
      colorBy,
      lines,
      colors: colorRange(lines, colorBy, roles),
      resumes: xAxis === 'step' ? resumeMarks(runs, lines) : [],
      notes,
      logScale: wantsLogScale(lines),
      logged: lines.reduce((sum, line) => sum + line.logged, 0),
      drawn: lines.reduce((sum, line) => sum + line.x.length, 0),
      notFinite: lines.reduce((sum, line) => sum + line.notFinite, 0),
      longest: lines.reduce((most, line) => Math.max(most, line.x.length), 0),
    });
  }
  return { runs: runs.map((run, i) => ({ ...run, color: paletteColor(i) })), groups: result };
}

/**
 * What a series is within its chart, apart from the chart's subject: `batch/loss` and `batch/acc`
 * are both `batch/`, `val_loss` and `val_acc` both `val_`, `loss` and `acc` both ''. Series of one
 * role get one colour in every chart of a run's output. A system metric is its own role.
 *
 * @example
 * seriesRole('batch/loss'); // 'batch/'
 */
export function seriesRole(metric: string): string {
  if (isSystemMetric(metric)) return metric;
  const group = metricGroup(metric);
  return metric.endsWith(group) ? metric.slice(0, metric.length - group.length) : metric;
}

/**
 * The coloured values of a chart (run labels, or metric names), in Vega's domain order: what
 * `colors` colours. A line without points has no rows, so Vega's domain does not hold it: it
 * takes no colour (it would shift the colours of the values after it).
 */
export function colorDomain(group: { lines: readonly ChartLine[]; colorBy: ChartGroup['colorBy'] }): string[] {
  const keys = group.lines.filter((line) => line.x.length > 0).map((line) => (group.colorBy === 'run' ? line.runLabel : line.metric));
  return [...new Set(keys)].sort(vegaAscending);
}

/**
 * The colours of a chart's coloured values ({@link colorDomain}): a run keeps its view index's
 * colour, a metric its role's index among the view's roles ({@link seriesRole}), whichever chart
 * draws it.
 */
function colorRange(lines: readonly ChartLine[], colorBy: 'run' | 'series', roles: readonly string[]): string[] {
  const colorOf = new Map<string, string>();
  for (const line of lines) {
    if (colorBy === 'run') colorOf.set(line.runLabel, paletteColor(line.run));
    else colorOf.set(line.metric, paletteColor(roles.indexOf(seriesRole(line.metric))));
  }
  return colorDomain({ lines, colorBy }).map((key) => colorOf.get(key)!);
}

/** Each drawn run's resume steps once, however many of its metrics the chart draws. */
function resumeMarks(runs: readonly ChartRun[], lines: readonly ChartLine[]): Array<{ run: string; step: number }> {
  const marks: Array<{ run: string; step: number }> = [];
  const seen = new Set<number>();
  for (const line of lines) {
    if (seen.has(line.run)) continue;
    seen.add(line.run);
    for (const step of runs[line.run]!.resumeSteps ?? []) if (Number.isFinite(step)) marks.push({ run: line.runLabel, step });
  }
  return marks;
}

/** The rows of a line, for Vega views that rows stream into. */
export function lineRows(line: ChartLine): ChartRow[] {
  const rows: ChartRow[] = new Array(line.x.length);
  for (let i = 0; i < line.x.length; i++) rows[i] = { run: line.runLabel, series: line.metric, x: line.x[i]!, value: line.value[i]! };
  return rows;
}

/** Every row of a group. */
export function chartRows(group: ChartGroup): ChartRow[] {
  return group.lines.flatMap(lineRows);
}

/**
 * A row of the Runs dashboard's charts: `value` is what the main curve draws (the smoothed value
 * when smoothed, else the raw one), `raw` the value logged.
 */
export interface DashboardRow extends ChartRow {
  raw: number;
  /** The lower of `value` and `raw` that is positive, null when neither is: where a log scale's domain starts. */
  lowestPositive: number | null;
}

/**
 * The rows of a group for `chartSpec(model, { mode: 'dashboard', smoothing })`: with `smoothed`,
 * each row's value is its line's smoothed value (the raw one where the model has none).
 *
 * @example
 * dashboardRows(buildChartModel(runs, series, { smoothing: 0.6 }).groups[0], true)[0]; // { run, series, x, value, raw, lowestPositive }
 */
export function dashboardRows(group: ChartGroup, smoothed: boolean): DashboardRow[] {
  const rows: DashboardRow[] = [];
  for (const line of group.lines) {
    const values = smoothed && line.smoothed ? line.smoothed : line.value;
    for (let i = 0; i < line.x.length; i++) {
      const value = values[i]!;
      const raw = line.value[i]!;
      const positive = value > 0 ? (raw > 0 ? Math.min(value, raw) : value) : raw > 0 ? raw : null;
      rows.push({ run: line.runLabel, series: line.metric, x: line.x[i]!, value, raw, lowestPositive: positive });
    }
  }
  return rows;
}

/** What the live chart model reads of a live payload (`LivePayload` fits; declared here so charts need nothing from `live/`). */
export interface LiveChartInput {
  run?: { id: string; name: string };
  series: ReadonlyArray<{ name: string; count: number; last: EncodedNumber; step: number[]; value: EncodedNumber[]; xAxis?: 'elapsed' }>;
  resumes?: readonly number[];
}

/**
 * The chart model of a run's live output: the payload's points as they are (the recorder's
 * streaming M4 reduced them already, so nothing is reduced again), system metrics over seconds
 * since the start (what the payload's `xAxis: 'elapsed'` series hold).
 */
export function liveChartModel(payload: LiveChartInput): ChartModel {
  const series: ChartSeriesInput[] = payload.series.map((s) => {
    const value = s.value.map(decodeNumber);
    const x = s.step;
    return {
      run: 0,
      metric: s.name,
      length: Math.min(x.length, value.length),
      ...(s.xAxis === 'elapsed' ? { elapsed: x } : { step: x }),
      value,
      last: decodeNumber(s.last),
      logged: s.count,
    };
  });
  return buildChartModel([{ id: payload.run?.id ?? '', label: payload.run?.name ?? '', resumeSteps: payload.resumes ?? [] }], series, { budget: null });
}
