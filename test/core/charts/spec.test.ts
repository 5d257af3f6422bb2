import { describe, expect, it } from 'vitest';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import { paletteColor } from '../../../core/src/charts/colors.js';
import { buildChartModel, chartRows, dashboardRows, liveChartModel, type ChartModel, type ChartSeriesInput } from '../../../core/src/charts/model.js';
import { chartSpec, FOCUS_SIGNAL, HIDDEN_PARAM, HIDDEN_STORE, hiddenLabels, hiddenTuples, HOVER_MARKS, HOVER_PARAM, POINTER_SIGNAL, POINTS_DATA, RAW_OPACITY, RESUMED_LABEL, ZOOM_PARAM, type ChartMode, type ChartSpecOptions } from '../../../core/src/charts/spec.js';
import type { LivePayload } from '../../../core/src/live/payload.js';
import { recordingView, sceneMarks, type SceneMark } from './views.js';

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

  it.each<ChartMode>(['live', 'compare', 'dashboard', 'report', 'fallback'])('builds a %s spec from constants only: names are data values, never spec text', async (mode) => {
    const spec = chartSpec(model, { mode, group: 0, smoothing: true, logScale: true });
    expect(specText(spec)).not.toContain('alert');
    expect(specText(spec)).not.toContain(HOSTILE.slice(0, 8));
    const rows = mode === 'dashboard' ? dashboardRows(model.groups[0]!, true) : mode === 'live' || mode === 'compare' ? chartRows(model.groups[0]!) : undefined;
    const { view, svg } = await render(spec, rows);
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

  // Old: a run whose every value of a metric was NaN still took a colour of that chart's range
  // while Vega's domain (of the rows) left it out, so the runs after it got the wrong colours.
  it.each<ChartMode>(['compare', 'dashboard', 'report', 'fallback'])('keeps each run\'s colour in a %s chart where a run has no point to draw', async (mode) => {
    const runs = [{ id: '1', label: 'a' }, { id: '2', label: 'b' }, { id: '3', label: 'c' }];
    const diverged = buildChartModel(runs, [line(0, 'loss', [NaN, NaN]), line(1, 'loss', [1, 2]), line(2, 'loss', [2, 1])]);
    const group = diverged.groups[0]!;
    const { view } = await render(chartSpec(diverged, { mode, group: 0 }), mode === 'compare' ? chartRows(group) : mode === 'dashboard' ? dashboardRows(group, false) : undefined);
    const color = view.scale('color') as unknown as (value: string) => string;
    expect(color('b')).toBe(paletteColor(1));
    expect(color('c')).toBe(paletteColor(2));
    view.finalize();
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

/** The line items of the dashboard's curves (the raw layer first when smoothed), by layer. */
function curves(view: vega.View): Map<string, SceneMark['items']> {
  const layers = new Map<string, SceneMark['items']>();
  for (const mark of sceneMarks(view)) if (mark.marktype === 'line' && mark.name) layers.set(mark.name, [...(layers.get(mark.name) ?? []), ...mark.items]);
  return layers;
}

describe("chartSpec(model, { mode: 'dashboard' })", () => {
  const runs = [{ id: '1', label: 'zeta', resumeSteps: [2] }, { id: '2', label: 'alpha' }, { id: '3', label: 'mid' }];
  const model = buildChartModel(runs, [line(0, 'loss', [4, 3, 0, 1, 0.5]), line(1, 'loss', [-2, -1]), line(2, 'loss', [8, 0.02, 4]), line(0, 'val_loss', [5, 4, 3, 2, 1])], { smoothing: 0.5 });
  const group = model.groups[0]!;
  const options = (extra: Partial<ChartSpecOptions> = {}): ChartSpecOptions => ({ mode: 'dashboard', group: 0, ...extra });

  it('is full width, about 220 high, the x axis titled by what it shows and the y axis untitled', () => {
    const spec = chartSpec(model, options()) as { width: unknown; height: number; layer: Array<{ encoding?: { x: { title: string }; y: { title: null } } }> };
    expect(spec.width).toBe('container');
    expect(spec.height).toBe(220);
    expect(spec.layer[0]!.encoding!.x.title).toBe('step');
    expect(spec.layer[0]!.encoding!.y.title).toBeNull();
  });

  it.each([{}, { logScale: true }, { smoothing: true }, { logScale: true, smoothing: true }])('draws a view without rows without a warning (%o), then scales to the rows streamed in', async (extra) => {
    const { view, warnings } = recordingView(chartSpec(model, options(extra)));
    await view.runAsync();
    expect(warnings).toEqual([]);
    await view.change(POINTS_DATA, vega.changeset().insert(dashboardRows(group, extra.smoothing === true))).runAsync();
    expect(warnings).toEqual([]);
    expect(view.scale('x').domain()[1]).toBeGreaterThanOrEqual(4);
    expect(view.scale('y').domain()[1]).toBeGreaterThanOrEqual(8);
    view.finalize();
  });

  it('draws the raw curve faint under the smoothed one only when smoothed, tooltips with the raw value', async () => {
    const plain = recordingView(chartSpec(model, options())).view;
    await plain.change(POINTS_DATA, vega.changeset().insert(dashboardRows(group, false))).runAsync();
    expect([...curves(plain).keys()]).toHaveLength(1);
    plain.finalize();

    const spec = chartSpec(model, options({ smoothing: true })) as { layer: Array<{ name?: string; encoding?: { tooltip?: Array<{ field: string }> } }> };
    const { view } = recordingView(spec);
    await view.change(POINTS_DATA, vega.changeset().insert(dashboardRows(group, true))).runAsync();
    const [raw, smoothed] = [...curves(view).values()];
    expect(raw!.every((item) => item.opacity === RAW_OPACITY)).toBe(true);
    expect(smoothed!.every((item) => item.opacity === 1)).toBe(true);
    // Under it: the raw layer is drawn first. The smoothed curve draws the smoothed values.
    const zeta = (items: SceneMark['items']) => items.filter((item) => item.datum!.run === 'zeta' && item.datum!.series === 'loss');
    expect(zeta(smoothed!).map((item) => item.datum!.value)).toEqual(group.lines[0]!.smoothed);
    expect(zeta(raw!).map((item) => item.datum!.raw)).toEqual([4, 3, 0, 1, 0.5]);
    // The curves have no tooltip (a line's would be its first point's): the hovered point has it.
    expect(spec.layer.slice(0, 2).flatMap((layer) => layer.encoding?.tooltip ?? [])).toEqual([]);
    expect(spec.layer.filter((layer) => layer.name === 'hover_hits').flatMap((layer) => layer.encoding!.tooltip!).map((field) => field.field)).toEqual(['run', 'series', 'x', 'value', 'raw']);
    view.finalize();
  });

  it('drops values that are not positive on a log scale, each run keeping its colour', async () => {
    const { view } = recordingView(chartSpec(model, options({ logScale: true, smoothing: true })));
    await view.change(POINTS_DATA, vega.changeset().insert(dashboardRows(group, true))).runAsync();
    expect(view.scale('y').type).toBe('log');
    // From the lowest positive value (0.02, raw) to the highest (8), made nice.
    expect(view.scale('y').domain()).toEqual([0.01, 10]);
    const drawn = [...curves(view).values()].flat().filter((item) => item.defined !== false);
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.every((item) => Number(item.datum!.value) > 0 || Number(item.datum!.raw) > 0)).toBe(true);
    const [raw, smoothed] = [...curves(view).values()];
    expect(raw!.filter((item) => item.defined !== false).every((item) => Number(item.datum!.raw) > 0)).toBe(true);
    expect(smoothed!.filter((item) => item.defined !== false).every((item) => Number(item.datum!.value) > 0)).toBe(true);
    // alpha has no positive value at all: nothing drawn, and the runs after it keep their colours.
    expect(smoothed!.filter((item) => item.datum!.run === 'alpha' && item.defined !== false)).toEqual([]);
    const color = view.scale('color') as unknown as (value: string) => string;
    runs.forEach((run, i) => expect(color(run.label)).toBe(paletteColor(i)));
    view.finalize();
  });

  it('hides a run clicked in the legend (a toggling point selection on run) and draws its entry faint', async () => {
    const compiled = vegaLite.compile(chartSpec(model, options({ smoothing: true })) as never).spec as unknown as { signals: Array<{ name: string; on?: Array<{ update: string }> }>; legends: Array<{ encode: { symbols: { interactive: boolean } } }> };
    expect(compiled.signals.find((signal) => signal.name === `${HIDDEN_PARAM}_toggle`)!.on![0]!.update).toBe('true');
    expect(compiled.signals.map((signal) => signal.name)).toContain(`${HIDDEN_PARAM}_run_legend`);
    expect(compiled.legends[0]!.encode.symbols.interactive).toBe(true);

    const { view } = recordingView(chartSpec(model, options({ smoothing: true })));
    await view.change(POINTS_DATA, vega.changeset().insert(dashboardRows(group, true))).runAsync();
    // What a click on alpha's legend entry stores.
    await view.change(`${HIDDEN_PARAM}_store`, vega.changeset().insert([{ unit: '', fields: view.signal(`${HIDDEN_PARAM}_tuple_fields`), values: ['alpha'] }])).runAsync();
    for (const items of curves(view).values()) {
      expect(items.filter((item) => item.datum!.run === 'alpha').every((item) => item.opacity === 0)).toBe(true);
      expect(items.filter((item) => item.datum!.run === 'zeta').every((item) => Number(item.opacity) > 0)).toBe(true);
    }
    const symbols = sceneMarks(view).filter((mark) => mark.name === 'run_legend_symbols').flatMap((mark) => mark.items);
    const opacityOf = (label: string) => symbols.find((item) => item.datum!.value === label)!.opacity;
    expect(opacityOf('alpha')).toBe(0.35);
    expect(opacityOf('zeta')).toBe(1);
    // The y scale does not change when a run is hidden.
    expect(view.scale('y').domain()[0]).toBeLessThan(0);
    view.finalize();
  });

  it('restores hidden runs from tuples, which a click on their legend entry shows again', async () => {
    const { view, warnings } = recordingView(chartSpec(model, options()));
    await view.change(POINTS_DATA, vega.changeset().insert(dashboardRows(group, false))).runAsync();
    await view.change(HIDDEN_STORE, vega.changeset().insert(hiddenTuples(['alpha', 'mid'], group.colorBy))).runAsync();
    const opacityOf = (label: string) => [...new Set(curves(view).get('layer_0_marks')!.filter((item) => item.datum!.run === label).map((item) => item.opacity))];
    expect(opacityOf('alpha')).toEqual([0]);
    expect(opacityOf('zeta')).toEqual([1]);
    // What a click on an entry does: the legend's value, with the toggle on.
    const click = async (label: string) => {
      view.signal(`${HIDDEN_PARAM}_toggle`, true);
      view.signal(`${HIDDEN_PARAM}_run_legend`, label);
      await view.runAsync();
    };
    await click('alpha');
    expect(opacityOf('alpha')).toEqual([1]);
    await click('zeta');
    expect(hiddenLabels(view.data(HIDDEN_STORE) as never).sort()).toEqual(['mid', 'zeta']);
    expect(opacityOf('zeta')).toEqual([0]);
    expect(hiddenLabels([{ values: [1] }, {}, { values: 'x' }, { values: ['x'] }])).toEqual(['x']);
    expect(warnings).toEqual([]);
    view.finalize();
  });

  it('zooms and pans both axes (an interval bound to the scales), a double-click resetting them', () => {
    const compiled = vegaLite.compile(chartSpec(model, options()) as never).spec as unknown as { scales: Array<{ name: string; domainRaw?: { signal: string } }>; signals: Array<{ name: string; on?: Array<{ events: unknown; update: string }> }> };
    expect(compiled.scales.find((scale) => scale.name === 'x')!.domainRaw!.signal).toContain(ZOOM_PARAM);
    expect(compiled.scales.find((scale) => scale.name === 'y')!.domainRaw!.signal).toContain(ZOOM_PARAM);
    const reset = compiled.signals.find((signal) => signal.name === `${ZOOM_PARAM}_x`)!.on!.find((on) => JSON.stringify(on.events).includes('dblclick'));
    expect(reset!.update).toBe('null');
  });

  it('tells metrics of a run apart by their dash, and marks resumes on a step axis', async () => {
    const { view } = recordingView(chartSpec(model, options()));
    await view.change(POINTS_DATA, vega.changeset().insert(dashboardRows(group, false))).runAsync();
    const svg = await view.toSVG();
    expect(svg).toContain('>resumed</text>');
    expect(view.scale('strokeDash').domain()).toEqual(['loss', 'val_loss']);
    view.finalize();
  });

  it('marks each point of lines of a few points, the legend still the one interactive legend of runs', async () => {
    const short = buildChartModel(runs, [line(0, 'loss', [3, 2]), line(1, 'loss', [1])]);
    const { view, warnings } = recordingView(chartSpec(short, options()));
    await view.change(POINTS_DATA, vega.changeset().insert(dashboardRows(short.groups[0]!, false))).runAsync();
    const symbols = sceneMarks(view).filter((mark) => mark.marktype === 'symbol' && mark.name !== 'run_legend_symbols').flatMap((mark) => mark.items);
    expect(symbols.map((item) => item.datum!.value)).toEqual([3, 2, 1]);
    expect(sceneMarks(view).filter((mark) => mark.name === 'run_legend_symbols').flatMap((mark) => mark.items).map((item) => item.datum!.value)).toEqual(['alpha', 'zeta']);
    expect(warnings).toEqual([]);
    view.finalize();
  });

  it('draws wall-clock time on a time axis, in time tooltips', async () => {
    const start = Date.UTC(2026, 0, 2, 3, 4, 5);
    const wall = buildChartModel([{ id: '1', label: 'a' }], [{ run: 0, metric: 'loss', length: 3, value: [3, 2, 1], wall: [start, start + 60_000, start + 120_000] }], { xAxis: 'wall' });
    const spec = chartSpec(wall, options()) as { layer: Array<{ encoding: { x: { type: string; title: string }; tooltip?: Array<{ field: string; type: string; title?: string }> } }> };
    expect(spec.layer[0]!.encoding.x).toMatchObject({ type: 'temporal', title: 'time' });
    expect(spec.layer.flatMap((layer) => layer.encoding.tooltip ?? []).find((field) => field.field === 'x')).toMatchObject({ type: 'temporal', title: 'time' });
    const { view, warnings } = recordingView(spec);
    await view.runAsync();
    await view.change(POINTS_DATA, vega.changeset().insert(dashboardRows(wall.groups[0]!, false))).runAsync();
    expect(view.scale('x').type).toBe('time');
    expect(+view.scale('x').domain()[1]! - +view.scale('x').domain()[0]!).toBeGreaterThanOrEqual(120_000);
    // The hovered point's time, to the second (the last point: its area reaches a little past the line's end).
    const [px, py] = pixel(view, start + 120_000, 1);
    await pointTo(view, px);
    expect(hitAreasAt(view, px + 2, py)[0]!.tooltip).toMatchObject({ time: expect.stringMatching(/^2026-01-0[1-3] \d\d:\d\d:05$/), value: '1' });
    expect(hitAreasAt(view, px + 6, py)).toEqual([]);
    expect(warnings).toEqual([]);
    view.finalize();
  });
});

/** A hit area of the dashboard's hover: a rect item in the plot's pixels. */
type HitArea = SceneMark['items'][number] & { x: number; y: number; width: number; height: number; datum: Record<string, unknown> };

/** The hit areas of a dashboard chart's hover. */
function hitAreas(view: vega.View): HitArea[] {
  return sceneMarks(view).filter((mark) => mark.name === HOVER_MARKS.hits).flatMap((mark) => mark.items) as HitArea[];
}

/** The hit areas under a pixel of the plot, the topmost (the one the pointer is over) first. */
function hitAreasAt(view: vega.View, px: number, py: number): HitArea[] {
  return hitAreas(view).filter((item) => px >= item.x && px <= item.x + item.width && py >= item.y && py <= item.y + item.height).reverse();
}

/** Where a point of the chart is drawn (px in the plot). */
function pixel(view: vega.View, x: number, value: number): [number, number] {
  return [(view.scale('x') as unknown as (v: number) => number)(x), (view.scale('y') as unknown as (v: number) => number)(value)];
}

/** The pointer's move to a pixel's x, as the chart's pointer signal takes it. */
async function pointTo(view: vega.View, px: number): Promise<void> {
  view.signal(POINTER_SIGNAL, Math.floor(px));
  await view.runAsync();
}

/** What the pointer's entering a hit area stores: its point is the one hovered. */
async function hover(view: vega.View, area: HitArea): Promise<void> {
  const tuple = { unit: 'hover_hits', fields: view.signal(`${HOVER_PARAM}_tuple_fields`), values: [area.datum.run, area.datum.series, area.datum.x] };
  await view.change(`${HOVER_PARAM}_store`, vega.changeset().remove(() => true).insert([tuple])).runAsync();
}

describe("chartSpec(model, { mode: 'dashboard' }): the point under the pointer", () => {
  // Two lines 10 apart over steps 0..10: a = 10 - step, b = 20 - step.
  const runs = [{ id: '1', label: 'a' }, { id: '2', label: 'b' }];
  const model = buildChartModel(runs, [line(0, 'loss', range(11).map((i) => 10 - i)), line(1, 'loss', range(11).map((i) => 20 - i))]);
  const group = model.groups[0]!;
  const drawn = async (extra: Partial<ChartSpecOptions> = {}, chart: ChartModel = model) => {
    const recorded = recordingView(chartSpec(chart, { mode: 'dashboard', group: 0, ...extra }));
    await recorded.view.change(POINTS_DATA, vega.changeset().insert(dashboardRows(chart.groups[0]!, extra.smoothing === true))).runAsync();
    return recorded;
  };

  it('gives the tooltip of the point nearest along the line under the pointer, not the line\'s first', async () => {
    const { view, warnings } = await drawn();
    // Before the pointer moves over the chart no point has a hit area, and no curve has a tooltip.
    expect(hitAreas(view)).toEqual([]);
    expect([...curves(view).values()].flat().every((item) => item.tooltip === undefined)).toBe(true);
    // 30% of the way from a's step 4 to its step 5: step 4's; 70%: step 5's (30 px a step).
    for (const [at, step] of [[4.3, 4], [4.7, 5], [0.2, 0], [9.9, 10]] as const) {
      const [px, py] = pixel(view, at, 10 - at);
      await pointTo(view, px);
      const [under] = hitAreasAt(view, px, py);
      expect(under?.datum).toMatchObject({ run: 'a', series: 'loss', x: step, value: 10 - step });
      expect(under!.tooltip).toEqual({ run: 'a', metric: 'loss', step: String(step), value: String(10 - step) });
    }
    // Off the line (between a and b): no point is under the pointer.
    const [px, py] = pixel(view, 4.3, 10.7);
    expect(hitAreasAt(view, px, py)).toEqual([]);
    expect(warnings).toEqual([]);
    view.finalize();
  });

  it('draws the hovered point as a dot in its run\'s colour, and none once the pointer leaves it', async () => {
    const { view, warnings } = await drawn({ smoothing: true });
    const [px, py] = pixel(view, 6, 14);
    await pointTo(view, px);
    const [under] = hitAreasAt(view, px, py);
    expect(under!.datum).toMatchObject({ run: 'b', x: 6 });
    expect(Object.keys(under!.tooltip as object)).toEqual(['run', 'metric', 'step', 'value', 'raw']);
    await hover(view, under!);
    const dots = () => sceneMarks(view).filter((mark) => mark.name === HOVER_MARKS.dot).flatMap((mark) => mark.items);
    expect(dots()).toHaveLength(1);
    expect(dots()[0]).toMatchObject({ x: px, y: py, fill: paletteColor(1), opacity: 1 });
    await view.change(`${HOVER_PARAM}_store`, vega.changeset().remove(() => true)).runAsync();
    expect(dots()).toEqual([]);
    // Hidden while hovered (the hit area went from under the pointer without a pointerout): no dot.
    await hover(view, under!);
    expect(dots()).toHaveLength(1);
    await view.change(HIDDEN_STORE, vega.changeset().insert(hiddenTuples(['b'], 'run'))).runAsync();
    expect(dots()).toEqual([]);
    expect(hitAreas(view).filter((item) => item.datum.run === 'b')).toEqual([]);
    expect(warnings).toEqual([]);
    view.finalize();
  });

  it('gives no hit area to the points of hidden runs, nor to values that are not positive on a log scale', async () => {
    const mixed = buildChartModel([...runs, { id: '3', label: 'c' }], [line(0, 'loss', range(11).map((i) => 5 - i)), line(1, 'loss', range(11).map((i) => 20 - i)), line(2, 'loss', range(11).map((i) => 1 + i))]);
    const { view, warnings } = await drawn({ logScale: true }, mixed);
    await view.change(HIDDEN_STORE, vega.changeset().insert(hiddenTuples(['b'], 'run'))).runAsync();
    const seen: Array<Record<string, unknown>> = [];
    for (let px = 0; px <= 300; px += 8) {
      await pointTo(view, px);
      seen.push(...hitAreas(view).map((item) => item.datum));
    }
    expect(new Set(seen.map((datum) => datum.run))).toEqual(new Set(['a', 'c']));
    expect(seen.every((datum) => Number(datum.value) > 0)).toBe(true);
    // a's positive values (5 down to 1, steps 0..4) have their areas.
    expect([...new Set(seen.filter((datum) => datum.run === 'a').map((datum) => datum.x))].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(warnings).toEqual([]);
    view.finalize();
  });

  it('moves the hit areas with a pan or a zoom (the interval bound to the scales)', async () => {
    const { view, warnings } = await drawn();
    // What a drag to the left does: the x domain from steps 0..10 to 3..8, y kept.
    view.signal(`${ZOOM_PARAM}_x`, [3, 8]);
    view.signal(`${ZOOM_PARAM}_value`, view.scale('y').domain());
    await view.runAsync();
    expect(view.scale('x').domain()).toEqual([3, 8]);
    const [px, py] = pixel(view, 5.2, 4.8);
    await pointTo(view, px);
    expect(hitAreasAt(view, px, py)[0]!.datum).toMatchObject({ run: 'a', x: 5 });
    expect(warnings).toEqual([]);
    view.finalize();
  });

  it('keeps its cost bounded: of 12,000 points only those near the pointer have hit areas', async () => {
    const many = buildChartModel(range(10).map((i) => ({ id: String(i), label: `r${i}` })), range(10).map((i) => line(i, 'loss', range(1200).map((step) => i + 1 / (1 + step)))), { budget: null });
    expect(many.groups[0]!.drawn).toBe(12_000);
    const { view, warnings } = await drawn({}, many);
    expect(hitAreas(view)).toEqual([]);
    await pointTo(view, 150);
    // The chart is 300 px wide: 40 points a pixel; the areas are those of about 60 px.
    expect(hitAreas(view).length).toBeGreaterThan(0);
    expect(hitAreas(view).length).toBeLessThan(12_000 / 4);
    expect(warnings).toEqual([]);
    view.finalize();
  });
});
