/**
 * The one spec builder: `chartSpec(model, { mode })` turns a chart model into a Vega-Lite spec for
 * the live renderer, the compare view, the Runs dashboard, the report (its SVG and its interactive
 * page) and the Vega-Lite fallback output. Built from constants only: names of metrics and runs travel as data
 * values (fields `run`, `series`, `group`), never inside a spec's text or an expression;
 * colours are palette constants. Pure.
 */
import { vegaAscending } from './colors.js';
import { POINTS_DATA, positiveDomain, rowsHighest, streamedDomain, streamedUnionDomain } from './domains.js';
import { X_AXIS_TITLES, colorDomain, type ChartGroup, type ChartLine, type ChartModel, type ChartXAxis } from './model.js';

export { POINTS_DATA };

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/**
 * The dashboard's legend-bound point selection: the runs (or, in a one-run chart, the metrics)
 * clicked in the legend, drawn at opacity 0. Its tuples are in {@link HIDDEN_STORE}.
 */
export const HIDDEN_PARAM = 'hidden';
/** The data set of the dashboard's hidden runs: what a legend click toggles ({@link hiddenTuples}). */
export const HIDDEN_STORE = `${HIDDEN_PARAM}_store`;
/** The dashboard's zoom and pan: an interval selection bound to the scales (double-click resets). */
export const ZOOM_PARAM = 'zoom';
/**
 * The dashboard's hover: the point whose hit area is under the pointer (a point selection of its
 * run, metric and x), drawn as a dot in its colour; the hit area carries the chart's tooltip.
 */
export const HOVER_PARAM = 'hover';
/**
 * The dashboard's signal of where the pointer is along x: the start (px in the plot) of the
 * {@link HOVER_STRIP} px wide strip it is in, null before it first moves over the chart. Only
 * points near it have hit areas.
 */
export const POINTER_SIGNAL = 'pointer_x';
/** The dashboard's hover layers: the points' hit areas and the hovered point's dot. */
const HOVER_LAYERS = { hits: 'hover_hits', dot: 'hover_dot' } as const;
/** The scenegraph marks of {@link HOVER_LAYERS} (Vega-Lite names a layer's marks `<name>_marks`). */
export const HOVER_MARKS = { hits: `${HOVER_LAYERS.hits}_marks`, dot: `${HOVER_LAYERS.dot}_marks` } as const;
/** The opacity of the raw curve under a smoothed one. */
export const RAW_OPACITY = 0.25;
/** The signal holding the run labels a report compares (empty: none). */
export const FOCUS_SIGNAL = 'focus';
/** The label of the rule drawn where a resumed run continued. */
export const RESUMED_LABEL = 'resumed';
/** Points per line below which a report chart marks each point (a line of one or two points is barely visible). */
export const FEW_POINTS = 4;

/**
 * Where a chart is drawn. `live`, `compare` and `dashboard` views keep their Vega view and get
 * rows streamed into {@link POINTS_DATA} (`dashboard` rows from {@link dashboardRows}); `report`
 * and `fallback` specs hold their points (as columns, unfolded by a `flatten` transform).
 */
export type ChartMode = 'live' | 'compare' | 'dashboard' | 'report' | 'fallback';

export interface ChartTheme {
  dark: boolean;
  /** CSS font family for axis labels; a constant, never from data. */
  font?: string;
  background?: string;
  foreground?: string;
  grid?: string;
}

export interface ChartSpecOptions {
  mode: ChartMode;
  theme?: ChartTheme;
  /** The group to draw (index into `model.groups`); the fallback draws every group. */
  group?: number;
  /** Dashboard: a log y scale; points whose value is not positive are not drawn. */
  logScale?: boolean;
  /** Dashboard: the rows' `value` is the smoothed curve; the raw one is drawn faint beneath it. */
  smoothing?: boolean;
}

const LIGHT: ChartTheme = { dark: false };
const REPORT_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const SIZES: Readonly<Record<ChartMode, { width: number | 'container'; height: number }>> = {
  live: { width: 'container', height: 120 },
  compare: { width: 'container', height: 140 },
  dashboard: { width: 'container', height: 220 },
  report: { width: 640, height: 220 },
  fallback: { width: 480, height: 140 },
};

export function chartConfig(theme: ChartTheme): Record<string, unknown> {
  const foreground = theme.foreground ?? (theme.dark ? '#e0e0e0' : '#333333');
  const grid = theme.grid ?? (theme.dark ? '#444444' : '#e6e6e6');
  return {
    background: theme.background ?? 'transparent',
    font: theme.font ?? 'sans-serif',
    view: { stroke: null },
    axis: { labelColor: foreground, titleColor: foreground, gridColor: grid, domainColor: grid, tickColor: grid },
    legend: { labelColor: foreground, titleColor: foreground, orient: 'bottom', labelLimit: 240 },
  };
}

/**
 * The Vega-Lite spec of one chart of `model` (or, in `fallback` mode, of all of them).
 *
 * @example
 * chartSpec(liveChartModel(payload), { mode: 'live', theme: { dark: false }, group: 0 });
 */
export function chartSpec(model: ChartModel, options: ChartSpecOptions): Record<string, unknown> {
  const theme = options.theme ?? LIGHT;
  if (options.mode === 'fallback') return fallbackSpec(model, theme);
  const group = model.groups[options.group ?? 0];
  if (!group) throw new RangeError(`chartSpec: the model has no group ${options.group ?? 0}`);
  if (options.mode === 'report') return reportSpec(group, theme);
  if (options.mode === 'dashboard') return dashboardSpec(group, theme, options.logScale === true, options.smoothing === true);
  return viewSpec(group, options.mode, theme);
}

function xEncoding(xAxis: ChartXAxis): Record<string, unknown> {
  // Wall-clock times (ms since the epoch) are a time axis.
  if (xAxis === 'wall') return { field: 'x', type: 'temporal', title: X_AXIS_TITLES.wall };
  // Seconds since the start begin at 0 (a run with one sample would otherwise get a one-value axis).
  return { field: 'x', type: 'quantitative', title: X_AXIS_TITLES[xAxis], axis: { tickMinStep: 1 }, ...(xAxis === 'elapsed' ? { scale: { zero: true } } : {}) };
}

function colorEncoding(group: ChartGroup, legend: Record<string, unknown> | null = null): Record<string, unknown> {
  return { field: group.colorBy, type: 'nominal', title: null, sort: 'ascending', scale: { range: group.colors }, ...(legend ? { legend } : {}) };
}

function tooltip(group: ChartGroup, withRun: boolean): Array<Record<string, unknown>> {
  return [
    ...(withRun ? [{ field: 'run', type: 'nominal' }] : []),
    { field: 'series', type: 'nominal', title: 'metric' },
    group.xAxis === 'wall' ? { field: 'x', type: 'temporal', title: X_AXIS_TITLES.wall, format: '%Y-%m-%d %H:%M:%S' } : { field: 'x', type: 'quantitative', title: X_AXIS_TITLES[group.xAxis], format: '~g' },
    { field: 'value', type: 'quantitative', format: '.6~g' },
  ];
}

/** A line's points as one data value; the `flatten` transform unfolds them into rows. */
function lineValue(line: ChartLine, group?: string): Record<string, unknown> {
  return { ...(group === undefined ? {} : { group }), run: line.runLabel, series: line.metric, x: line.x, value: line.value };
}

const FLATTEN = [{ flatten: ['x', 'value'] }];


/** Live output and compare: rows stream into `points`. */
function viewSpec(group: ChartGroup, mode: 'live' | 'compare', theme: ChartTheme): Record<string, unknown> {
  const { width, height } = SIZES[mode];
  // System samples come every few seconds: each is marked, so the first ones show before a line does.
  const mark = { type: 'line', clip: true, strokeWidth: 1.5, ...(group.xAxis === 'elapsed' ? { point: { filled: true, size: 16 } } : {}) };
  const x = xEncoding(group.xAxis);
  const encoding = {
    x: { ...x, scale: { ...(x.scale as object | undefined), domain: streamedDomain('x') } },
    y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false, type: 'linear', domain: streamedDomain('value') } },
    color: colorEncoding(group),
    detail: [{ field: 'run', type: 'nominal' }, { field: 'series', type: 'nominal' }],
    tooltip: tooltip(group, mode === 'compare'),
  };
  return withResumes(
    { width, height, autosize: { type: 'fit-x', contains: 'padding' }, config: chartConfig(theme) },
    { data: { name: POINTS_DATA }, mark, encoding },
    [],
    group,
    theme,
  );
}

/** The report's chart: points inline, tooltips, zoom and pan, legend picks and the page's `focus`. */
function reportSpec(group: ChartGroup, theme: ChartTheme): Record<string, unknown> {
  const { width, height } = SIZES.report;
  const dimmed = 0.12;
  const points = group.longest < FEW_POINTS;
  const encoding = {
    x: xEncoding(group.xAxis),
    y: { field: 'value', type: 'quantitative', title: null, scale: group.logScale ? { type: 'log' } : { zero: false } },
    color: colorEncoding(group, { symbolLimit: 30, columns: 3, labelLimit: 220 }),
    ...metricDashes(group),
    detail: [{ field: 'run', type: 'nominal' }, { field: 'series', type: 'nominal' }],
    opacity: {
      condition: [
        { test: `length(${FOCUS_SIGNAL}) > 0 && indexof(${FOCUS_SIGNAL}, datum.run) < 0`, value: dimmed },
        { param: 'pick', empty: true, value: 1 },
      ],
      value: dimmed,
    },
    tooltip: tooltip(group, true),
  };
  const config = { ...chartConfig({ ...theme, font: theme.font ?? REPORT_FONT }), legend: { orient: 'bottom', labelLimit: 220, labelColor: '#333333', titleColor: '#333333' } };
  return withResumes(
    { $schema: VEGA_LITE_SCHEMA, width, height, config },
    {
      data: { values: group.lines.map((line) => lineValue(line)) },
      transform: FLATTEN,
      mark: { type: 'line', clip: true, strokeWidth: 1.5, interpolate: 'linear', ...(points ? { point: { filled: true, size: 36 } } : {}) },
      encoding,
    },
    [
      { name: FOCUS_SIGNAL, value: [] },
      { name: 'pick', select: { type: 'point', fields: [group.colorBy] }, bind: 'legend' },
      { name: 'zoom', select: { type: 'interval', encodings: ['x', 'y'] }, bind: 'scales' },
    ],
    group,
    theme,
  );
}

/**
 * Lines of several metrics of a chart coloured by run are told apart by their dash: the
 * `strokeDash` encoding (with its legend of metrics), or nothing.
 */
function metricDashes(group: ChartGroup): { strokeDash?: Record<string, unknown> } {
  const several = group.colorBy === 'run' && new Set(group.lines.map((line) => line.metric)).size > 1;
  return several ? { strokeDash: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 220 } } } : {};
}

/**
 * The Runs dashboard's chart: full width, rows streamed into {@link POINTS_DATA} (from
 * {@link dashboardRows}), a legend of runs (a click hides or shows a run: {@link HIDDEN_PARAM}),
 * zoom and pan ({@link ZOOM_PARAM}; a double-click resets), tooltips, a log scale on request and,
 * when smoothed, the raw curve faint under the smoothed one. The chart's title is DOM text above
 * it, so the y axis has none.
 */
function dashboardSpec(group: ChartGroup, theme: ChartTheme, logScale: boolean, smoothed: boolean): Record<string, unknown> {
  const { width, height } = SIZES.dashboard;
  const x = xEncoding(group.xAxis);
  // Over the values and the raw values; a log scale's from the lowest positive one of either.
  const yScale = logScale ? { type: 'log', domain: positiveDomain('lowestPositive', rowsHighest(['value', 'raw'])) } : { type: 'linear', zero: false, domain: streamedUnionDomain(['value', 'raw']) };
  // The legend draws hidden entries faint: Vega-Lite's own legend binding would draw the selected
  // (here: hidden) ones bright. `encoding` is Vega-Lite's (undocumented) legend encoding, which
  // wins over its own (the tests look). `group.colorBy` is a row shape constant.
  const hiddenEntry = `${HIDDEN_PARAM}['${group.colorBy}'] && indexof(${HIDDEN_PARAM}['${group.colorBy}'], datum.value) >= 0`;
  const faintWhenHidden = { opacity: { condition: { test: hiddenEntry, value: 0.35 }, value: 1 } };
  const legend = { orient: 'bottom', columns: 4, labelLimit: 180, symbolLimit: 50, encoding: { symbols: faintWhenHidden, labels: faintWhenHidden } };
  const shared = {
    x: { ...x, scale: { ...(x.scale as object | undefined), domain: streamedDomain('x') } },
    ...metricDashes(group),
    detail: [{ field: 'run', type: 'nominal' }, { field: 'series', type: 'nominal' }],
  };
  const opacity = (shown: number) => ({ condition: { param: HIDDEN_PARAM, empty: false, value: 0 }, value: shown });
  // On a log scale a value that is not positive becomes null: its line breaks there, and its run
  // keeps its place in the colour domain (a filter that dropped a run's every row would shift the
  // colours of the runs after it).
  const positiveOnly = (field: 'value' | 'raw') => (logScale ? { transform: [{ calculate: `datum.${field} > 0 ? datum.${field} : null`, as: field }] } : {});
  const line = { type: 'line', clip: true, interpolate: 'linear', invalid: 'break-paths-show-domains' };
  const raw = {
    ...positiveOnly('raw'),
    mark: { ...line, strokeWidth: 1 },
    // The legend is the main curve's (its selection and opacity).
    encoding: { ...shared, color: colorEncoding(group), y: { field: 'raw', type: 'quantitative', title: null, scale: yScale }, opacity: opacity(RAW_OPACITY) },
  };
  const y = { field: 'value', type: 'quantitative', title: null, scale: yScale };
  const valueEncoding = { y, opacity: opacity(1) };
  const values = {
    params: [
      { name: HIDDEN_PARAM, select: { type: 'point', fields: [group.colorBy], toggle: 'true' }, bind: 'legend' },
      { name: ZOOM_PARAM, select: { type: 'interval', encodings: ['x', 'y'] }, bind: 'scales' },
    ],
    ...positiveOnly('value'),
    mark: { ...line, strokeWidth: 1.5 },
    encoding: { ...shared, color: colorEncoding(group, legend), ...valueEncoding },
  };
  // Lines of a few points get a mark at each, as a layer of their own: the `point` overlay of a
  // line mark would copy the legend (and Vega-Lite warn of two legends that disagree).
  const points = { ...positiveOnly('value'), mark: { type: 'point', clip: true, filled: true, size: 36 }, encoding: { ...shared, color: colorEncoding(group), ...valueEncoding } };
  const hover = hoverLayers(group, shared.x, y, logScale, [...tooltip(group, true), ...(smoothed ? [{ field: 'raw', type: 'quantitative', format: '.6~g' }] : [])]);
  return {
    width,
    height,
    autosize: { type: 'fit-x', contains: 'padding' },
    config: chartConfig(theme),
    params: [pointerSignal()],
    data: { name: POINTS_DATA },
    layer: [...(smoothed ? [raw] : []), values, ...(group.longest < FEW_POINTS ? [points] : []), ...hover, ...resumeRuleLayers(group.resumes, theme, group.colorBy === 'run')],
  };
}

/** The width (px) of the pointer's strips: hit areas change as the pointer goes to another strip, not on every move. */
const HOVER_STRIP = 8;
/** How far (px) beyond the pointer's strip hit areas are made: more than a pointer moves between two events. */
const HOVER_REACH = 24;
/** How far (px) a hit area reaches beyond its part of the line, across it. */
const HIT_ACROSS = 8;
/** How far (px) the hit area of a line's end reaches beyond it, along the line. */
const HIT_END = 4;

/**
 * The dashboard's hover: the layers that show the point under the pointer, with its tooltip (a
 * line's own tooltip would be its first point's, wherever the pointer is on it).
 *
 * Each point drawn (none of hidden runs, none of a log scale's values that are not positive) near
 * the pointer's x ({@link POINTER_SIGNAL}) has an invisible hit area carrying the tooltip: a
 * rectangle from halfway to the point before it to halfway to the one after it, across the line's
 * span there and {@link HIT_ACROSS} px more. A line's areas tile it: over the line the pointer is
 * in the area of the point nearest to it along x. The area under the pointer is
 * {@link HOVER_PARAM}, drawn as a dot in its run's colour beneath the areas (above them it would
 * take the pointer from its area).
 *
 * Not Vega-Lite's `nearest: true` (a Voronoi cell per point) nor an area for every point: over
 * the chart's up to 12,000 points they added 12,000 to 24,000 SVG elements and, in Chromium, 0.2
 * to 0.6 s to each data change and to each frame of a pan. Areas near the pointer are a few
 * hundred, remade as the pointer goes to another strip.
 */
function hoverLayers(group: ChartGroup, x: Record<string, unknown>, y: Record<string, unknown>, logScale: boolean, tooltipFields: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  // Halfway to a neighbour on the screen (on a log scale, their geometric mean), or the point itself.
  const halfway = (field: 'x' | 'value', neighbour: 'before' | 'after') => {
    const other = `datum.${field}_${neighbour}`;
    return `isValid(${other}) ? ${field === 'value' && logScale ? `sqrt(${other} * datum.value)` : `(${other} + datum.${field}) / 2`} : datum.${field}`;
  };
  const span = (end: 'min' | 'max') => `${end}(datum.value, ${halfway('value', 'before')}, ${halfway('value', 'after')})`;
  // The area's x: halfway to the neighbours; a line's end reaches HIT_END px beyond it (at the
  // current zoom: computed for the points near the pointer only). Vega-Lite's x scale is 'x'.
  const areaX = (neighbour: 'before' | 'after') => ({
    calculate: `isValid(datum.x_${neighbour}) ? datum.x_${neighbour}_half : datum.x ${neighbour === 'before' ? '-' : '+'} (domain('x')[1] - domain('x')[0]) * ${HIT_END} / width`,
    as: `hit_x${neighbour === 'before' ? 0 : 1}`,
  });
  const nearPointer = `isValid(${POINTER_SIGNAL}) && scale('x', datum.x_after_half) >= ${POINTER_SIGNAL} - ${HOVER_REACH} && scale('x', datum.x_before_half) <= ${POINTER_SIGNAL} + ${HOVER_STRIP + HOVER_REACH}`;
  const hits = {
    name: HOVER_LAYERS.hits,
    transform: [
      { filter: `isValid(datum.x) && isFinite(datum.x) && isValid(datum.value) && isFinite(datum.value)${logScale ? ' && datum.value > 0' : ''}` },
      { filter: { not: { param: HIDDEN_PARAM, empty: false } } },
      {
        window: [
          { op: 'lag', field: 'x', as: 'x_before' },
          { op: 'lead', field: 'x', as: 'x_after' },
          { op: 'lag', field: 'value', as: 'value_before' },
          { op: 'lead', field: 'value', as: 'value_after' },
        ],
        groupby: ['run', 'series'],
        sort: [{ field: 'x', order: 'ascending' }],
      },
      { calculate: halfway('x', 'before'), as: 'x_before_half' },
      { calculate: halfway('x', 'after'), as: 'x_after_half' },
      { calculate: span('min'), as: 'hit_y0' },
      { calculate: span('max'), as: 'hit_y1' },
      // What changes as the pointer moves or the chart pans comes last: for the points near the pointer only.
      { filter: nearPointer },
      areaX('before'),
      areaX('after'),
    ],
    params: [{ name: HOVER_PARAM, select: { type: 'point', fields: ['run', 'series', 'x'], on: { type: 'pointerover', markname: HOVER_MARKS.hits }, clear: 'pointerout', toggle: false } }],
    // aria: false: invisible helpers, not content (axe: a graphics role needs a name).
    mark: { type: 'rect', clip: true, opacity: 0, aria: false, yOffset: HIT_ACROSS, y2Offset: -HIT_ACROSS },
    encoding: { x: { ...x, field: 'hit_x0' }, x2: { field: 'hit_x1' }, y: { ...y, field: 'hit_y0' }, y2: { field: 'hit_y1' }, tooltip: tooltipFields },
  };
  const dot = {
    name: HOVER_LAYERS.dot,
    // A run hidden while its point is hovered (its hit area gone from under the pointer) loses its dot.
    transform: [{ filter: { param: HOVER_PARAM, empty: false } }, { filter: { not: { param: HIDDEN_PARAM, empty: false } } }],
    mark: { type: 'point', clip: true, filled: true, size: 64, opacity: 1, aria: false },
    encoding: { x, y, color: colorEncoding(group) },
  };
  return [dot, hits];
}

/**
 * The dashboard's top-level signal of the pointer's strip ({@link POINTER_SIGNAL}). Vega-Lite has
 * no parameter of the pointer's position; it hands a variable parameter's `on` to Vega as it is.
 */
function pointerSignal(): Record<string, unknown> {
  return { name: POINTER_SIGNAL, value: null, on: [{ events: 'pointermove', update: `floor(x() / ${HOVER_STRIP}) * ${HOVER_STRIP}` }] };
}

/** A tuple of {@link HIDDEN_STORE}: the one a click on a legend entry toggles. */
export interface HiddenTuple {
  fields: Array<{ type: 'E'; field: ChartGroup['colorBy'] }>;
  values: [string];
}

/**
 * The tuples that hide `labels` in a dashboard chart coloured by `field` (its group's `colorBy`):
 * insert them into {@link HIDDEN_STORE} to restore what was hidden; a click shows each again.
 *
 * @example
 * view.change(HIDDEN_STORE, vega.changeset().insert(hiddenTuples(['mlp'], group.colorBy)));
 */
export function hiddenTuples(labels: readonly string[], field: ChartGroup['colorBy']): HiddenTuple[] {
  return labels.map((label) => ({ fields: [{ type: 'E', field }], values: [label] }));
}

/** The labels hidden in a dashboard chart, from the tuples of its {@link HIDDEN_STORE} (`view.data(HIDDEN_STORE)`). */
export function hiddenLabels(store: ReadonlyArray<{ values?: unknown }>): string[] {
  return store.flatMap((tuple) => (Array.isArray(tuple.values) && typeof tuple.values[0] === 'string' ? [tuple.values[0]] : []));
}

/**
 * `lines` as the chart's unit view, with the resume rules layered over it when the group has any.
 * Selections stay in the lines' view (Vega-Lite wants them in a unit view), variables on top.
 */
function withResumes(top: Record<string, unknown>, lines: Record<string, unknown>, params: Array<Record<string, unknown>>, group: ChartGroup, theme: ChartTheme): Record<string, unknown> {
  const rules = resumeRuleLayers(group.resumes, theme, group.colorBy === 'run');
  const selections = params.filter((param) => 'select' in param);
  const variables = params.filter((param) => !('select' in param));
  if (rules.length === 0) return { ...top, ...(params.length > 0 ? { params } : {}), ...lines };
  return { ...top, ...(variables.length > 0 ? { params: variables } : {}), layer: [{ ...(selections.length > 0 ? { params: selections } : {}), ...lines }, ...rules] };
}

/**
 * Layers that draw a vertical dashed rule labelled "resumed" at each step where a run was
 * continued (`init({ resume })`). Steps and run labels are data values; the label is a constant.
 */
export function resumeRuleLayers(marks: ReadonlyArray<{ run: string; step: number }>, theme: ChartTheme, withRun: boolean): Array<Record<string, unknown>> {
  const values = marks.filter((mark) => Number.isFinite(mark.step)).map((mark) => (withRun ? { x: mark.step, run: mark.run } : { x: mark.step }));
  if (values.length === 0) return [];
  // Text: 4.5:1 at least on white (#707070) and on a dark panel (#bbbbbb).
  const color = theme.dark ? '#bbbbbb' : '#707070';
  const x = { field: 'x', type: 'quantitative' };
  const tooltipFields = [...(withRun ? [{ field: 'run', type: 'nominal' }] : []), { field: 'x', type: 'quantitative', title: `${RESUMED_LABEL} at step` }];
  return [
    { data: { values }, mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1, color }, encoding: { x, tooltip: tooltipFields } },
    { data: { values }, mark: { type: 'text', text: RESUMED_LABEL, align: 'left', baseline: 'top', dx: 3, dy: 2, fontSize: 10, color }, encoding: { x, y: { value: 0 } } },
  ];
}

/** Every coloured value of the model's charts with its colour, in Vega's domain order. */
function modelColors(model: ChartModel): string[] {
  const colorOf = new Map<string, string>();
  for (const group of model.groups) {
    colorDomain(group).forEach((key, i) => colorOf.set(key, group.colors[i]!));
  }
  return [...colorOf.keys()].sort(vegaAscending).map((key) => colorOf.get(key)!);
}

/**
 * A self-contained Vega-Lite v5 spec, one row of charts per group, for frontends that draw
 * Vega-Lite but do not know trainbook. It holds the model's points as they are (columns per line,
 * unfolded by `flatten`): small, and the same points the live renderer draws.
 */
function fallbackSpec(model: ChartModel, theme: ChartTheme): Record<string, unknown> {
  const { width, height } = SIZES.fallback;
  const axes = [...new Set(model.groups.map((group) => group.xAxis))];
  const xTitle = axes.length === 1 ? X_AXIS_TITLES[axes[0]!] : axes.map((axis) => (axis === 'elapsed' ? `sys/*: ${X_AXIS_TITLES.elapsed}` : X_AXIS_TITLES[axis])).join(' · ');
  const colorBy = model.groups[0]?.colorBy ?? 'series';
  return {
    $schema: VEGA_LITE_SCHEMA,
    data: { values: model.groups.flatMap((group, order) => group.lines.map((line) => ({ ...lineValue(line, group.group), order }))) },
    transform: FLATTEN,
    // Charts in the model's order (loss before acc), each titled above its plot.
    facet: { row: { field: 'group', type: 'nominal', title: null, sort: { field: 'order', op: 'min' }, header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top', labelFontWeight: 'bold', labelFontSize: 12 } } },
    spec: {
      width,
      height,
      mark: { type: 'line', clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xTitle },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        // Four legend entries a row: the legend stays as wide as the charts.
        color: { field: colorBy, type: 'nominal', title: null, sort: 'ascending', scale: { range: modelColors(model) }, legend: { columns: 4, labelLimit: 180 } },
        detail: [{ field: 'run', type: 'nominal' }, { field: 'series', type: 'nominal' }],
      },
    },
    // x too: system metrics are drawn over seconds, the others over steps.
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: chartConfig(theme),
  };
}
