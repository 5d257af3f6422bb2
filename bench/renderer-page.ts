/**
 * Bench page (bundled by bench/renderer.js with esbuild): the renderer's real chart panel, and
 * vega-embed for the re-embed-everything approach to compare with.
 */
import embed from 'vega-embed';
import { ChartPanel } from '../extension/src/renderer/liveCharts.js';
import { chartRows, liveChartModel } from '../core/src/charts/model.js';
import { chartSpec } from '../core/src/charts/spec.js';
import type { LiveSeries } from '../core/src/live/payload.js';

declare global {
  interface Window {
    bench: typeof api;
  }
}

let panel: ChartPanel | null = null;
/** JupyterLab's null translator, as the renderer gets it without a language pack. */
const english = { __: (text: string, ...args: unknown[]) => text.replace(/%(\d+)/g, (_, i: string) => String(args[Number(i) - 1])) };

const api = {
  /** Streams one update into the panel (the first call embeds). Returns ms. */
  async update(series: LiveSeries[]): Promise<number> {
    if (!panel) {
      panel = new ChartPanel(() => ({ dark: false }), english);
      document.body.append(panel.node);
    }
    const start = performance.now();
    await panel.update(series);
    return performance.now() - start;
  },
  reset(): void {
    panel?.dispose();
    panel?.node.remove();
    panel = null;
  },
  /**
   * What a renderer that re-embeds every point on each update pays (tfjs-vis redraws its charts
   * from all logs at each callback): a new view with all `points` points. Returns ms.
   */
  async reembed(points: number): Promise<number> {
    const step = Array.from({ length: points }, (_, i) => i);
    const value = step.map((i) => Math.sin(i / 1000) + 1 / (1 + i / 1000));
    const start = performance.now();
    const model = liveChartModel({ series: [{ name: 'batch/loss', count: points, last: value[points - 1]!, step, value }] });
    const rows = chartRows(model.groups[0]!);
    const target = document.createElement('div');
    target.style.width = '600px';
    document.body.append(target);
    const spec = { ...chartSpec(model, { mode: 'live', group: 0 }), data: { values: rows } };
    const result = await embed(target, spec as never, { renderer: 'svg', actions: false, mode: 'vega-lite' });
    const elapsed = performance.now() - start;
    result.finalize();
    target.remove();
    return elapsed;
  },
};

window.bench = api;
