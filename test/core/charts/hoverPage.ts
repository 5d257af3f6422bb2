/**
 * The page side of the dashboard chart's browser test (bundled by esbuild, loaded into Chromium
 * after vega, vega-lite and vega-embed's own build files): a dashboard chart from the core's
 * builders, embedded as the extension's `embedChart` does (SVG, no actions) but with vega-embed's
 * default tooltip, its rows streamed in.
 */
import type { Result } from 'vega-embed';
import { buildChartModel, dashboardRows, type ChartGroup } from '../../../core/src/charts/model.js';
import { chartSpec, POINTS_DATA } from '../../../core/src/charts/spec.js';

/** What the build files put on `window`. */
declare const vegaEmbed: { default: (target: HTMLElement, spec: unknown, options: Record<string, unknown>) => Promise<Result> };

declare global {
  interface Window {
    drawChart(runs: number, points: number): Promise<void>;
    /** Page coordinates of where a point of the chart is drawn. */
    pointAt(x: number, value: number): { x: number; y: number };
    drawn: { view: Result['view']; group: ChartGroup };
  }
}

/** Run i logs loss = 1 / (1 + step / 100) + i / 5 at steps 0, 10, 20, …: lines apart, none crossing. */
window.drawChart = async (runs: number, points: number): Promise<void> => {
  const labels = Array.from({ length: runs }, (_, i) => ({ id: String(i), label: `run${i}` }));
  const step = Array.from({ length: points }, (_, i) => i * 10);
  const series = labels.map((_, run) => ({ run, metric: 'loss', length: points, step, value: step.map((s) => 1 / (1 + s / 100) + run / 5) }));
  const model = buildChartModel(labels, series, { budget: null });
  const group = model.groups[0]!;
  const host = document.getElementById('chart')!;
  window.drawn?.view.finalize();
  host.replaceChildren();
  const result = await vegaEmbed.default(host, chartSpec(model, { mode: 'dashboard', group: 0, theme: { dark: false } }), { mode: 'vega-lite', renderer: 'svg', actions: false });
  await result.view.change(POINTS_DATA, result.view.changeset().insert(dashboardRows(group, false))).runAsync();
  // Vega sizes the view for the legend it had when made (none: no rows yet); a resize fits the one it has now.
  await result.view.resize().runAsync();
  window.drawn = { view: result.view, group };
};

window.pointAt = (x: number, value: number) => {
  const { view } = window.drawn;
  const box = document.querySelector('#chart svg')!.getBoundingClientRect();
  // Where the plot is in the SVG: the view's origin within its padding.
  const [left, top] = view.origin();
  const padding = view.padding() as { left: number; top: number };
  return { x: box.left + padding.left + left + (view.scale('x') as (v: number) => number)(x), y: box.top + padding.top + top + (view.scale('y') as (v: number) => number)(value) };
};
