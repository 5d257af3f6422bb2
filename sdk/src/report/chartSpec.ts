/**
 * Vega-Lite specs for report charts, built from constants only (as in charts/spec.ts): run labels
 * and metric names reach Vega as data values in the fields `run` and `metric`, never in the spec's
 * text or an expression. Interactive parts: tooltips, zoom and pan (an interval bound to the
 * scales), legend clicks that toggle series, and a `focus` signal the page sets to the runs being
 * compared. Pure.
 */
import { chartConfig, VEGA_LITE_SCHEMA, X_AXIS_TITLES, type ChartXAxis } from 'trainbook/core';

/** The data set the rows go into. */
export const REPORT_POINTS = 'points';
/** The signal holding the run labels being compared (empty: none). */
export const FOCUS_SIGNAL = 'focus';
export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 220;

export interface ReportChartShape {
  /** Colour by run when several runs are drawn, else by metric. */
  colorBy: 'run' | 'metric';
  /** Dash the lines by metric (train vs validation) when colour shows runs and the group has several metrics. */
  dashByMetric: boolean;
  /** Log scale for a positive metric spanning several decades. */
  logScale: boolean;
  /** `elapsed`: x is seconds since the run started (system metrics), held in the `step` field. Default `step`. */
  xAxis?: ChartXAxis;
  /** Mark each point too: lines of one or two points are barely visible (a short run's system samples). */
  points?: boolean;
}

/** Points per series below which a chart marks each point. */
export const FEW_POINTS = 4;

export function reportChartSpec(shape: ReportChartShape): Record<string, unknown> {
  const color = shape.colorBy;
  const dimmed = 0.12;
  const xTitle = X_AXIS_TITLES[shape.xAxis ?? 'step'];
  return {
    $schema: VEGA_LITE_SCHEMA,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { name: REPORT_POINTS },
    params: [
      { name: FOCUS_SIGNAL, value: [] },
      { name: 'pick', select: { type: 'point', fields: [color] }, bind: 'legend' },
      { name: 'zoom', select: { type: 'interval', encodings: ['x', 'y'] }, bind: 'scales' },
    ],
    mark: { type: 'line', clip: true, strokeWidth: 1.5, interpolate: 'linear', ...(shape.points ? { point: { filled: true, size: 36 } } : {}) },
    encoding: {
      // Seconds since the start begin at 0 (a run with one sample would otherwise get a one-value axis).
      x: { field: 'step', type: 'quantitative', title: xTitle, axis: { tickMinStep: 1 }, ...(shape.xAxis === 'elapsed' ? { scale: { zero: true } } : {}) },
      y: { field: 'value', type: 'quantitative', title: null, scale: shape.logScale ? { type: 'log' } : { zero: false } },
      color: { field: color, type: 'nominal', title: null, legend: { symbolLimit: 30, columns: 3, labelLimit: 220 } },
      ...(shape.dashByMetric ? { strokeDash: { field: 'metric', type: 'nominal', title: null, legend: { labelLimit: 220 } } } : {}),
      detail: [{ field: 'run', type: 'nominal' }, { field: 'metric', type: 'nominal' }],
      opacity: {
        condition: [
          { test: `length(${FOCUS_SIGNAL}) > 0 && indexof(${FOCUS_SIGNAL}, datum.run) < 0`, value: dimmed },
          { param: 'pick', empty: true, value: 1 },
        ],
        value: dimmed,
      },
      tooltip: [
        { field: 'run', type: 'nominal' },
        { field: 'metric', type: 'nominal' },
        { field: 'step', type: 'quantitative', title: xTitle, format: '~g' },
        { field: 'value', type: 'quantitative', format: '.6~g' },
      ],
    },
    config: { ...chartConfig({ dark: false, font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' }), legend: { orient: 'bottom', labelLimit: 220, labelColor: '#333333', titleColor: '#333333' } },
  };
}

/** A log scale helps when every value is positive and they span more than three decades. */
export function wantsLogScale(values: ArrayLike<number>): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v <= 0) return false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length > 1 && max / min > 1e3;
}
