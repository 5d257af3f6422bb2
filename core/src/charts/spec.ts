/**
 * Vega-Lite specs for metric charts, built from nothing but constants: names of metrics and runs
 * travel only as data values (fields `series`, `group`), never inside a spec's text or an
 * expression. Used by the JupyterLab renderer, the Vega-Lite fallback output and reports. Pure.
 */
import { decodeNumber, type EncodedNumber } from '../format/numbers.js';
import { SYSTEM_METRIC_PREFIX, isSystemMetric } from '../format/metricNames.js';

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** The data set name the renderer streams rows into. */
export const POINTS_DATA = 'points';

export interface ChartRow {
  group: string;
  series: string;
  step: number;
  value: number;
}

// The naming rule is the store format's; charts read it from there.
export { SYSTEM_METRIC_PREFIX, isSystemMetric };

/**
 * What a chart's x axis shows: the step, or the seconds elapsed since the run started (system
 * metrics, sampled on a clock rather than per training step).
 */
export type ChartXAxis = 'step' | 'elapsed';

/** Wall time when every series of the chart is a system metric, else steps. */
export function chartXAxis(names: readonly string[]): ChartXAxis {
  return names.length > 0 && names.every(isSystemMetric) ? 'elapsed' : 'step';
}

export const X_AXIS_TITLES: Readonly<Record<ChartXAxis, string>> = { step: 'step', elapsed: 'seconds since start' };

/**
 * System metrics share a chart by subject and unit (`sys/cpu_percent` with
 * `sys/process_cpu_percent`, every GPU's utilisation together), so scales stay comparable.
 */
function systemMetricGroup(name: string): string {
  const rest = name.slice(SYSTEM_METRIC_PREFIX.length);
  if (/^gpu\d+_/.test(rest)) return rest.endsWith('_mb') ? 'sys/gpu memory (MB)' : 'sys/gpu (%)';
  if (rest.endsWith('cpu_percent')) return 'sys/cpu (%)';
  if (rest.startsWith('memory_') && rest.endsWith('_percent')) return 'sys/memory (%)';
  if (rest.startsWith('process_') && rest.endsWith('_mb')) return 'sys/process memory (MB)';
  return name;
}

/**
 * The chart a metric belongs to: `val_loss`, `batch/loss` and `loss` share the `loss` chart, so a
 * training curve and its validation curve are drawn together. System metrics (`sys/...`) are
 * grouped by subject and unit.
 */
export function metricGroup(name: string): string {
  if (isSystemMetric(name)) return systemMetricGroup(name);
  let base = name.startsWith('batch/') ? name.slice('batch/'.length) : name;
  if (base.startsWith('val_')) base = base.slice(4);
  else if (base.startsWith('val/')) base = base.slice(4);
  return base || name;
}

/** Groups metric names into charts, in first-seen order. */
export function groupMetrics(names: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const group = metricGroup(name);
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group)!.push(name);
  }
  return groups;
}

/**
 * Chart rows from columns; points that cannot be drawn (NaN, ±Infinity) are left out, and
 * the caller says so beside the chart.
 */
export function chartRows(group: string, series: string, step: readonly number[], value: readonly EncodedNumber[]): ChartRow[] {
  const rows: ChartRow[] = [];
  for (let i = 0; i < step.length; i++) {
    const v = decodeNumber(value[i]);
    if (Number.isFinite(v)) rows.push({ group, series, step: step[i]!, value: v });
  }
  return rows;
}

export interface ChartTheme {
  dark: boolean;
  /** CSS font family for axis labels; a constant, never from data. */
  font?: string;
  background?: string;
  foreground?: string;
  grid?: string;
}

export function chartConfig(theme: ChartTheme): Record<string, unknown> {
  const foreground = theme.foreground ?? (theme.dark ? '#e0e0e0' : '#333333');
  const grid = theme.grid ?? (theme.dark ? '#444444' : '#e6e6e6');
  return {
    background: theme.background ?? 'transparent',
    font: theme.font ?? 'sans-serif',
    view: { stroke: null },
    axis: { labelColor: foreground, titleColor: foreground, gridColor: grid, domainColor: grid, tickColor: grid },
    legend: { labelColor: foreground, titleColor: foreground, orient: 'bottom', labelLimit: 240 },
    range: { category: theme.dark ? { scheme: 'set2' } : { scheme: 'tableau10' } },
  };
}

/** One chart: every series of a group as a line over steps, streamed into the `points` data set. */
export function groupChartSpec(theme: ChartTheme, options: { height?: number; logScale?: boolean; xAxis?: ChartXAxis } = {}): Record<string, unknown> {
  const xTitle = X_AXIS_TITLES[options.xAxis ?? 'step'];
  return {
    width: 'container',
    height: options.height ?? 180,
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { name: POINTS_DATA },
    // System samples come every few seconds: each is marked, so the first ones show before a line does.
    mark: { type: 'line', clip: true, strokeWidth: 1.5, ...(options.xAxis === 'elapsed' ? { point: { filled: true, size: 16 } } : {}) },
    encoding: {
      // The `step` field holds seconds since the run started on an `elapsed` axis.
      x: { field: 'step', type: 'quantitative', title: xTitle, axis: { tickMinStep: 1 }, ...(options.xAxis === 'elapsed' ? { scale: { zero: true } } : {}) },
      y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false, type: options.logScale ? 'log' : 'linear' } },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: [
        { field: 'series', type: 'nominal', title: 'metric' },
        { field: 'step', type: 'quantitative', title: xTitle, format: '~g' },
        { field: 'value', type: 'quantitative', format: '.6~g' },
      ],
    },
    config: chartConfig(theme),
  };
}

/**
 * A self-contained Vega-Lite spec (data inline) with one row of charts per group, for frontends
 * that draw Vega-Lite but do not know trainbook.
 */
export function fallbackSpec(rows: ChartRow[], theme: ChartTheme = { dark: false }): Record<string, unknown> {
  return {
    $schema: VEGA_LITE_SCHEMA,
    data: { values: rows },
    facet: { row: { field: 'group', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start' } } },
    spec: {
      width: 480,
      height: 140,
      mark: { type: 'line', clip: true },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: rows.some((row) => isSystemMetric(row.series)) ? 'step (sys/*: seconds since start)' : 'step' },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
    // x too: system metrics are drawn over seconds, the others over steps.
    resolve: { scale: { x: 'independent', y: 'independent', color: 'independent' } },
    config: chartConfig(theme),
  };
}

/** The label of the rule drawn where a resumed run continued. */
export const RESUMED_LABEL = 'resumed';

/** Where a run was continued: the step, and the run's label on charts of several runs. */
export interface ResumeMark {
  step: number;
  run?: string;
}

/**
 * Layers that draw a vertical dashed rule labelled "resumed" at each step where a run was
 * continued (`init({ resume })`). Steps and run labels are data values; the label is a constant.
 *
 * @example
 * resumeRuleLayers([{ step: 120 }], { dark: false }); // [the rule layer, the label layer]
 */
export function resumeRuleLayers(marks: readonly ResumeMark[], theme: ChartTheme): Array<Record<string, unknown>> {
  const values = marks.filter((mark) => Number.isFinite(mark.step)).map((mark) => (mark.run === undefined ? { step: mark.step } : { step: mark.step, run: mark.run }));
  if (values.length === 0) return [];
  const color = theme.dark ? '#bbbbbb' : '#777777';
  const x = { field: 'step', type: 'quantitative' };
  const tooltip = [...(values.some((value) => 'run' in value) ? [{ field: 'run', type: 'nominal' }] : []), { field: 'step', type: 'quantitative', title: `${RESUMED_LABEL} at step` }];
  return [
    { data: { values }, mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1, color }, encoding: { x, tooltip } },
    { data: { values }, mark: { type: 'text', text: RESUMED_LABEL, align: 'left', baseline: 'top', dx: 3, dy: 2, fontSize: 10, color }, encoding: { x, y: { value: 0 } } },
  ];
}

/**
 * A single-view chart spec (from {@link groupChartSpec} or the report's) with the resume rules
 * drawn over its lines; the spec itself when there is nothing to mark. The lines keep their data
 * set, so rows still stream into `points`; selections move into the lines' layer (Vega-Lite wants
 * them in a unit view), other params stay on top.
 *
 * @example
 * withResumeRules(groupChartSpec(theme), [{ step: 120 }], theme);
 */
export function withResumeRules(spec: Record<string, unknown>, marks: readonly ResumeMark[], theme: ChartTheme): Record<string, unknown> {
  const rules = resumeRuleLayers(marks, theme);
  if (rules.length === 0) return spec;
  const { mark, encoding, params, ...rest } = spec;
  const all = Array.isArray(params) ? (params as Array<Record<string, unknown>>) : [];
  const selections = all.filter((param) => 'select' in param);
  const variables = all.filter((param) => !('select' in param));
  return {
    ...rest,
    ...(variables.length > 0 ? { params: variables } : {}),
    layer: [{ ...(selections.length > 0 ? { params: selections } : {}), mark, encoding }, ...rules],
  };
}
