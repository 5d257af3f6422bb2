/**
 * Hyperparameter views of compared runs: the dimensions of parallel coordinates (the numeric
 * params and final metrics every run has), and a scatter of one param against one metric (rows,
 * colours and its Vega-Lite spec). Runs keep their view colours (their place in `records`).
 * Names of params, metrics and runs are data values, never spec text. Pure.
 */
import { hasName, nameValue } from '../format/names.js';
import { isSystemMetric } from '../format/metricNames.js';
import { decodeNumber } from '../format/numbers.js';
import type { RunRecord } from '../format/types.js';
import { formatValue } from '../format/values.js';
import { runLabels } from '../runs/labels.js';
import type { MetricStat } from '../runs/rows.js';
import { paletteColor, vegaAscending } from './colors.js';
import { POINTS_DATA, positiveDomain, rowsHighest, streamedDomain } from './domains.js';
import { chartConfig, type ChartTheme } from './spec.js';

/** One axis of parallel coordinates: a param or a final metric, one finite value per run. */
export interface ParallelDimension {
  name: string;
  kind: 'param' | 'metric';
  /** One per run, in the order of the records. */
  values: number[];
  min: number;
  max: number;
}

export interface ParallelDimensions {
  /** The runs, in the order of the records: their labels and view colours. */
  runs: Array<{ label: string; color: string }>;
  /** The params (sorted by name) then the metrics (sorted by name). */
  dimensions: ParallelDimension[];
}

/**
 * What parallel coordinates of `records` draw: the params that are numbers in every run, then
 * the metrics whose last value is finite in every run (system metrics left out: they describe
 * the machine, not the model). `labels` default to {@link runLabels}.
 *
 * @example
 * parallelDimensions(records).dimensions.map((dim) => dim.name); // ['batch_size', 'lr', 'acc', 'loss']
 */
export function parallelDimensions(records: readonly RunRecord[], labels: readonly string[] = runLabels(records)): ParallelDimensions {
  const dimensions: ParallelDimension[] = [];
  const dimension = (name: string, kind: ParallelDimension['kind'], values: number[]): void => {
    if (values.every(Number.isFinite)) dimensions.push({ name, kind, values, min: Math.min(...values), max: Math.max(...values) });
  };
  for (const key of sortedKeys(records.map((record) => record.params))) {
    dimension(key, 'param', records.map((record) => {
      const value = nameValue(record.params, key);
      return typeof value === 'number' ? value : NaN;
    }));
  }
  for (const name of sortedKeys(records.map((record) => record.summary)).filter((name) => !isSystemMetric(name))) {
    dimension(name, 'metric', records.map((record) => summaryStat(record, name, 'last')));
  }
  return { runs: records.map((_, i) => ({ label: labels[i]!, color: paletteColor(i) })), dimensions };
}

/** Every key of any of `objects`, sorted. */
function sortedKeys(objects: ReadonlyArray<object>): string[] {
  const keys = new Set<string>();
  for (const object of objects) for (const key of Object.keys(object)) keys.add(key);
  return [...keys].sort();
}

/** A metric's summary value in a run, NaN where the run has none. */
function summaryStat(record: RunRecord, metric: string, stat: MetricStat): number {
  const summary = nameValue(record.summary, metric);
  return summary ? decodeNumber(summary[stat]) : NaN;
}

/** A run in a param-against-metric scatter. */
export interface ScatterRow {
  run: string;
  /** The param's value: a number on a quantitative axis, else its text. */
  x: number | string;
  /** The metric's value. */
  y: number;
  /** `x` where it is a positive number, else null (where a log axis starts). */
  xPositive: number | null;
  /** `y` where it is positive, else null. */
  yPositive: number | null;
}

export interface ScatterData {
  rows: ScatterRow[];
  /** Quantitative when the param is a number in every run drawn, else nominal (its values' text). */
  xType: 'quantitative' | 'nominal';
  /** The colour range for {@link scatterSpec}: each drawn run's view colour, in Vega's order of the labels. */
  colors: string[];
  /** Runs left out: without the param, or without a finite value of the metric's stat. */
  leftOut: number;
}

/**
 * The rows of a scatter of `param` against `metric`'s `stat` (its summary, `last`, `min` or
 * `max`), one per run that has both, in the view colours of `records`' order. `labels` default
 * to {@link runLabels}.
 *
 * @example
 * const data = scatterRows(records, 'lr', 'val_loss', 'min');
 * const spec = scatterSpec({ theme, xType: data.xType, xLog: true, colors: data.colors });
 * // embed spec, then: view.change(POINTS_DATA, changeset().insert(data.rows))
 */
export function scatterRows(records: readonly RunRecord[], param: string, metric: string, stat: MetricStat, labels: readonly string[] = runLabels(records)): ScatterData {
  const drawn: Array<{ index: number; x: unknown; y: number }> = [];
  records.forEach((record, index) => {
    const y = summaryStat(record, metric, stat);
    if (hasName(record.params, param) && Number.isFinite(y)) drawn.push({ index, x: record.params[param], y });
  });
  const quantitative = drawn.every((point) => typeof point.x === 'number' && Number.isFinite(point.x));
  const rows = drawn.map(({ index, x, y }): ScatterRow => {
    const value = quantitative ? (x as number) : formatValue(x);
    return { run: labels[index]!, x: value, y, xPositive: typeof value === 'number' && value > 0 ? value : null, yPositive: y > 0 ? y : null };
  });
  const colorOf = new Map(drawn.map(({ index }) => [labels[index]!, paletteColor(index)]));
  return {
    rows,
    xType: quantitative ? 'quantitative' : 'nominal',
    colors: [...colorOf.keys()].sort(vegaAscending).map((label) => colorOf.get(label)!),
    leftOut: records.length - drawn.length,
  };
}

export interface ScatterSpecOptions {
  theme: ChartTheme;
  xType: ScatterData['xType'];
  /** A log x axis (quantitative only); runs whose param is not positive are not drawn. */
  xLog?: boolean;
  /** A log y axis; runs whose metric value is not positive are not drawn. */
  yLog?: boolean;
  /** {@link ScatterData.colors}. */
  colors: readonly string[];
}

/**
 * The Vega-Lite spec of a param-against-metric scatter: one point per run (rows from
 * {@link scatterRows}, streamed into {@link POINTS_DATA}), coloured by run, tooltips of the run,
 * the param's and the metric's value. No axis titles: the names are DOM text beside the chart.
 */
export function scatterSpec(options: ScatterSpecOptions): Record<string, unknown> {
  const xLog = options.xLog === true && options.xType === 'quantitative';
  const yLog = options.yLog === true;
  const x =
    options.xType === 'quantitative'
      ? { field: 'x', type: 'quantitative', title: null, scale: xLog ? { type: 'log', domain: positiveDomain('xPositive', rowsHighest(['x'])) } : { zero: false, domain: streamedDomain('x') } }
      : { field: 'x', type: 'nominal', title: null, sort: 'ascending', axis: { labelLimit: 120 } };
  const y = { field: 'y', type: 'quantitative', title: null, scale: yLog ? { type: 'log', domain: positiveDomain('yPositive', rowsHighest(['y'])) } : { zero: false, domain: streamedDomain('y') } };
  // On a log axis a run whose value is not positive is not drawn.
  const positiveOnly = [...(xLog ? ['x' as const] : []), ...(yLog ? ['y' as const] : [])].map((field) => ({ filter: `datum.${field} > 0` }));
  return {
    width: 'container',
    height: 260,
    autosize: { type: 'fit-x', contains: 'padding' },
    config: chartConfig(options.theme),
    data: { name: POINTS_DATA },
    ...(positiveOnly.length > 0 ? { transform: positiveOnly } : {}),
    mark: { type: 'point', filled: true, size: 70, opacity: 0.85 },
    encoding: {
      x,
      y,
      // The domain is every streamed run (one row each), sorted as the colours are: a run left
      // out by a log axis does not shift the colours of the runs after it.
      color: { field: 'run', type: 'nominal', title: null, scale: { domain: { expr: `sort(pluck(data('${POINTS_DATA}'), 'run'))` }, range: [...options.colors] }, legend: null },
      tooltip: [
        { field: 'run', type: 'nominal' },
        { field: 'x', type: options.xType, title: 'param', ...(options.xType === 'quantitative' ? { format: '.6~g' } : {}) },
        { field: 'y', type: 'quantitative', title: 'metric', format: '.6~g' },
      ],
    },
  };
}
