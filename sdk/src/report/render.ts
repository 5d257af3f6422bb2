/**
 * Charts to SVG at build time: Vega-Lite compiled to Vega once per chart, rendered headless by
 * vega in Node. vega and vega-lite are ESM-only, so they are imported here, lazily, never from
 * a module the SDK's entry point exports (notebooks `require()` the SDK).
 */
import { chartRowsOf, type ChartData } from './chartData.js';
import { FEW_POINTS, REPORT_POINTS, reportChartSpec, wantsLogScale } from './chartSpec.js';
import { withResumeRules } from 'trainbook/core';

export interface RenderedChart {
  /** The compiled Vega spec, data set `points` left empty: the page fills it from the columns. */
  vegaSpec: Record<string, unknown>;
  svg: string;
}

type VegaModule = typeof import('vega');
type VegaLiteModule = typeof import('vega-lite');
let modules: Promise<[VegaModule, VegaLiteModule]> | null = null;

function loadVega(): Promise<[VegaModule, VegaLiteModule]> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]);
  return modules;
}

export function chartShape(data: ChartData): Parameters<typeof reportChartSpec>[0] {
  const manyRuns = data.runs.length > 1;
  return {
    colorBy: manyRuns ? 'run' : 'metric',
    dashByMetric: manyRuns && data.metrics.length > 1,
    logScale: wantsLogScale(data.columns.value),
    xAxis: data.xAxis,
    points: data.longest < FEW_POINTS,
  };
}

/** Compiles and renders one chart. The SVG is what a reader sees before (or without) scripts. */
export async function renderChart(data: ChartData): Promise<RenderedChart> {
  const [vega, vegaLite] = await loadVega();
  // Runs continued with init({ resume }) get a dashed "resumed" rule at each resume step.
  const compiled = vegaLite.compile(withResumeRules(reportChartSpec(chartShape(data)), data.resumes ?? [], { dark: false }) as never).spec as unknown as Record<string, unknown>;
  const withRows = withData(compiled, chartRowsOf(data));
  const view = new vega.View(vega.parse(withRows as never), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return { vegaSpec: compiled, svg };
  } finally {
    view.finalize();
  }
}

/** A copy of a compiled spec whose `points` data set holds `rows`. */
export function withData(spec: Record<string, unknown>, rows: unknown[]): Record<string, unknown> {
  const data = (spec.data as Array<Record<string, unknown>>).map((entry) => (entry.name === REPORT_POINTS ? { ...entry, values: rows } : entry));
  return { ...spec, data };
}
