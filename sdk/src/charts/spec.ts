/**
 * Vega-Lite specs for metric charts, built from nothing but constants: names of metrics and runs
 * travel only as data values (fields `series`, `group`), never inside a spec's text or an
 * expression. Used by the JupyterLab renderer, the Vega-Lite fallback output and reports. Pure.
 */
import { decodeNumber, type EncodedNumber } from '../format/numbers.js';

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** The data set name the renderer streams rows into. */
export const POINTS_DATA = 'points';

export interface ChartRow {
  group: string;
  series: string;
  step: number;
  value: number;
}

/**
 * The chart a metric belongs to: `val_loss`, `batch/loss` and `loss` share the `loss` chart, so a
 * training curve and its validation curve are drawn together.
 */
export function metricGroup(name: string): string {
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
export function groupChartSpec(theme: ChartTheme, options: { height?: number; logScale?: boolean } = {}): Record<string, unknown> {
  return {
    width: 'container',
    height: options.height ?? 180,
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { name: POINTS_DATA },
    mark: { type: 'line', clip: true, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step', axis: { format: '~s', tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false, type: options.logScale ? 'log' : 'linear' }, axis: { format: '~g' } },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: [
        { field: 'series', type: 'nominal', title: 'metric' },
        { field: 'step', type: 'quantitative' },
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
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
    resolve: { scale: { y: 'independent', color: 'independent' } },
    config: chartConfig(theme),
  };
}
