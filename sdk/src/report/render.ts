/**
 * Charts to SVG at build time: the core's report spec compiled to Vega once per chart, rendered
 * headless by vega in Node. vega and vega-lite are ESM-only, so they are imported here, lazily,
 * never from a module the SDK's entry point exports (notebooks `require()` the SDK).
 */
import { chartSpec, type ChartModel } from 'trainbook/core';

export interface RenderedChart {
  /** The compiled Vega spec with its points: the page embeds it as it is. */
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

/** Compiles and renders chart `group` of `model`. The SVG is what a reader sees before (or without) scripts. */
export async function renderChart(model: ChartModel, group: number): Promise<RenderedChart> {
  const [vega, vegaLite] = await loadVega();
  const compiled = vegaLite.compile(chartSpec(model, { mode: 'report', group }) as never).spec as unknown as Record<string, unknown>;
  const view = new vega.View(vega.parse(compiled as never), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return { vegaSpec: compiled, svg };
  } finally {
    view.finalize();
  }
}
