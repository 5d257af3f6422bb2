import { describe, expect, it } from 'vitest';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { paletteColor } from '../../../core/src/charts/colors.js';
import { buildChartModel, chartRows, liveChartModel, type ChartModel, type ChartSeriesInput } from '../../../core/src/charts/model.js';
import { chartSpec, FOCUS_SIGNAL, POINTS_DATA, RESUMED_LABEL, type ChartMode } from '../../../core/src/charts/spec.js';
import type { LivePayload } from '../../../core/src/live/payload.js';

const HOSTILE = `"]}};alert(1)//<img src=x onerror=alert(2)>'datum.x`;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const line = (run: number, metric: string, value: number[]): ChartSeriesInput => ({ run, metric, length: value.length, step: range(value.length), value });

async function render(spec: Record<string, unknown>, rows?: unknown[]): Promise<{ view: vega.View; svg: string }> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec as never).spec), { renderer: 'none' });
  if (rows) await view.change(POINTS_DATA, vega.changeset().insert(rows)).runAsync();
  const svg = await view.toSVG();
  return { view, svg };
}

/** The spec with every inline data value removed: what is left must hold no name. */
function specText(spec: unknown): string {
  return JSON.stringify(spec, (key, value) => (key === 'values' ? undefined : value));
}

describe('chartSpec()', () => {
  const model = buildChartModel([{ id: '1', label: HOSTILE, resumeSteps: [2] }, { id: '2', label: 'b' }], [line(0, HOSTILE, [3, 2, 1, 0.5]), line(1, HOSTILE, [4, 3]), line(0, `val_${HOSTILE}`, [4, 3, 2, 1])]);

  it.each<ChartMode>(['live', 'compare', 'report', 'fallback'])('builds a %s spec from constants only: names are data values, never spec text', async (mode) => {
    const spec = chartSpec(model, { mode, group: 0 });
    expect(specText(spec)).not.toContain('alert');
    expect(specText(spec)).not.toContain(HOSTILE.slice(0, 8));
    const { view, svg } = await render(spec, mode === 'live' || mode === 'compare' ? chartRows(model.groups[0]!) : undefined);
    expect(svg).toContain('<path');
    view.finalize();
  });

  it('titles the x axis by what it shows', () => {
    const sys = buildChartModel([{ id: 'r', label: 'r' }], [{ run: 0, metric: 'sys/cpu_percent', length: 1, value: [1], elapsed: [1] }, line(0, 'loss', [1])]);
    const x = (mode: ChartMode, group: number) => ((chartSpec(sys, { mode, group }) as { encoding: { x: { title: string; field: string } } }).encoding.x);
    expect(x('live', 0)).toMatchObject({ field: 'x', title: 'seconds since start' });
    expect(x('report', 0).title).toBe('seconds since start');
    expect(x('live', 1).title).toBe('step');
    // The fallback draws sys and user charts in one facet: x scales are not shared.
    expect((chartSpec(sys, { mode: 'fallback' }) as { resolve: { scale: Record<string, string> } }).resolve.scale.x).toBe('independent');
  });

  it('draws a dashed "resumed" rule at each resume step of a live chart, rows still streaming into points', async () => {
    const live = liveChartModel({ series: [{ name: 'loss', count: 20, last: 1, step: range(20), value: range(20).map((i) => 20 - i) }], resumes: [10] });
    const spec = chartSpec(live, { mode: 'live', theme: { dark: true }, group: 0 });
    const layers = spec.layer as Array<{ mark: { type: string; strokeDash?: number[]; text?: string } }>;
    expect(layers.map((layer) => layer.mark.type)).toEqual(['line', 'rule', 'text']);
    expect(layers[2]!.mark.text).toBe(RESUMED_LABEL);
    const { view, svg } = await render({ ...spec, width: 300 }, chartRows(live.groups[0]!));
    expect(view.data(POINTS_DATA)).toHaveLength(20);
    expect(svg).toContain('>resumed</text>');
    expect(svg).toContain('stroke-dasharray="4,3"');
    view.finalize();
  });

  // Old: a live or compare view made before its first rows arrived logged Vega's "Infinite extent
  // for field x/value" warnings in the browser console.
  it.each<ChartMode>(['live', 'compare'])('draws a %s view without rows without a warning, then scales to the rows streamed in', async (mode) => {
    const spec = chartSpec(model, { mode, group: 0 });
    const view = new vega.View(vega.parse(vegaLite.compile({ ...spec, width: 300 } as never).spec), { renderer: 'none' });
    const warnings: unknown[][] = [];
    view.logger({ level: () => vega.Warn, warn: (...args: unknown[]) => warnings.push(args), error: (...args: unknown[]) => warnings.push(args), info: () => undefined, debug: () => undefined } as never);
    await view.runAsync();
    expect(warnings).toEqual([]);
    await view.change(POINTS_DATA, vega.changeset().insert(chartRows(model.groups[0]!))).runAsync();
    expect(view.scale('x').domain()[1]).toBeGreaterThanOrEqual(3);
    expect(view.scale('y').domain()[0]).toBeLessThanOrEqual(0.5);
    expect(warnings).toEqual([]);
    view.finalize();
  });

  it('makes report charts with their points inline, zoom, legend picks and the focus signal, resume rules marked', async () => {
    const compiled = vegaLite.compile(chartSpec(model, { mode: 'report', group: 0 }) as never).spec as unknown as { signals: Array<{ name: string }> };
    expect(compiled.signals.map((signal) => signal.name)).toContain(FOCUS_SIGNAL);
    expect(JSON.stringify(compiled)).toContain('"pick');
    const { view, svg } = await render(chartSpec(model, { mode: 'report', group: 0 }));
    expect(svg).toContain('>resumed</text>');
    view.finalize();
  });

  // Old: Vega's category scheme coloured each chart by the runs it drew; now the view's palette index decides.
  it('colours each run with its view colour in a rendered chart, also where another run is missing', async () => {
    const runs = [{ id: '1', label: 'zeta' }, { id: '2', label: 'alpha' }, { id: '3', label: 'mid' }];
    const three = buildChartModel(runs, [line(0, 'loss', [1, 2]), line(1, 'loss', [1, 2]), line(2, 'loss', [1, 2]), line(0, 'acc', [1, 2]), line(2, 'acc', [1, 2])], { perMetric: true });
    for (const mode of ['compare', 'report'] as const) {
      for (const group of [0, 1]) {
        const { view } = await render(chartSpec(three, { mode, group }), mode === 'compare' ? chartRows(three.groups[group]!) : undefined);
        const color = view.scale('color') as unknown as (value: string) => string;
        for (const label of new Set(three.groups[group]!.lines.map((l) => l.runLabel))) expect(color(label)).toBe(paletteColor(runs.findIndex((run) => run.label === label)));
        view.finalize();
      }
    }
  });
});

describe("chartSpec(model, { mode: 'fallback' })", () => {
  const payload = (): LivePayload => ({
    version: 1, progress: null, updatedAt: 0, resumes: [],
    run: { id: 'r', name: 'mlp', experiment: null, store: 's', status: 'running', startedAt: '', endedAt: null, error: null },
    series: [
      { name: 'batch/loss', count: 1_000_000, last: 0.1, step: range(388).map((i) => i * 2577), value: range(388).map((i) => Number(Math.sin(i).toPrecision(6))) },
      { name: 'val_loss', count: 4, last: 0.5, step: [0, 1, 2, 3], value: [2, 'NaN', 1, 0.5] },
      { name: 'sys/cpu_percent', count: 3, last: 30, step: [5.2, 10.2, 15.2], value: [20, 30, 30], xAxis: 'elapsed' },
    ],
  });

  // Old: the fallback ran M4 again (24 buckets) over the payload's points, already M4-reduced by the
  // recorder: two downsamplings, and the fallback drew other points than the renderer.
  it('draws exactly the payload\'s points, the ones the renderer draws (M4 once, in the recorder)', async () => {
    const model: ChartModel = liveChartModel(payload());
    const spec = chartSpec(model, { mode: 'fallback' });
    const { view } = await render(spec);
    const flattened = (vegaLite.compile(spec as never).spec.data ?? []).filter((entry) => JSON.stringify(entry).includes('"flatten"')).map((entry) => entry.name);
    const rows = view.data(flattened.at(-1)!) as Array<{ series: string; x: number; value: number }>;
    expect(Array.isArray(rows[0]!.x)).toBe(false);
    const drawn = (name: string) => rows.filter((row) => row.series === name).map((row) => row.x);
    expect(drawn('batch/loss')).toEqual(payload().series[0]!.step);
    expect(drawn('val_loss')).toEqual([0, 2, 3]);
    expect(drawn('sys/cpu_percent')).toEqual([5.2, 10.2, 15.2]);
    expect(rows.length).toBe(model.groups.reduce((sum, group) => sum + group.drawn, 0));
    view.finalize();
  });

  it('stays small: columns, not row objects', () => {
    const text = JSON.stringify(chartSpec(liveChartModel(payload()), { mode: 'fallback' }));
    expect(text.length).toBeLessThan(12_000);
    expect(text).toContain('"$schema":"https://vega.github.io/schema/vega-lite/v5.json"');
  });
});
