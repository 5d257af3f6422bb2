/**
 * Comparing selected runs: overlaid curves per metric (the core's chart model and `chartSpec`,
 * names only as data; each run in its colour, the same in the diff table and the parallel
 * coordinates), a parameter diff table that marks what differs, and
 * parallel coordinates (plain SVG) for three runs or more. Text only through textContent.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Result } from 'vega-embed';
import { buildChartModel, chartRows, chartSpec, isSystemMetric, paletteColor, POINTS_DATA, type ChartSeriesInput, type ChartTheme, decodeNumber, formatNumber, type Series, type RunRecord, formatValue, paramDiff, runLabels } from 'trainbook/core';
import { embedChart } from '../charts/embed.js';
import { loadVegaEmbed } from '../charts/vegaLoader.js';
import { el } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

export class CompareView {
  readonly node = el('div', 'tb-Compare');
  private results: Result[] = [];
  private generation = 0;

  constructor(
    private readonly theme: () => ChartTheme,
    private readonly trans: TranslationBundle,
  ) {
    this.node.hidden = true;
  }

  clear(): void {
    this.generation++;
    for (const result of this.results) result.finalize();
    this.results = [];
    this.node.replaceChildren();
    this.node.hidden = true;
  }

  async show(records: readonly RunRecord[], series: ReadonlyArray<Map<string, Series>>): Promise<void> {
    // A redraw of a live comparison keeps its height meanwhile, so the panel does not jump.
    const height = this.node.hidden ? 0 : this.node.offsetHeight;
    this.clear();
    if (height > 0) this.node.style.minHeight = `${height}px`;
    const generation = this.generation;
    this.node.hidden = false;
    const { trans } = this;
    const labels = runLabels(records);
    const title = el('div', 'tb-Compare-title', trans.__('Comparing %1 runs', records.length));
    const diffSection = el('section', 'tb-Compare-diff');
    diffSection.append(el('h3', undefined, trans.__('Parameters')), this.diffTable(records, labels));
    const charts = el('section', 'tb-Compare-charts');
    charts.append(el('h3', undefined, trans.__('Metrics')));
    this.node.append(title, diffSection, charts);
    if (records.length >= 3) {
      const parallel = el('section', 'tb-Compare-parallel');
      parallel.append(el('h3', undefined, trans.__('Parallel coordinates')), parallelCoordinates(records, labels, trans.__('Parallel coordinates need two numeric params or metrics shared by every run.')));
      this.node.append(parallel);
    }
    try {
      await this.drawCharts(charts, labels, series, generation);
    } finally {
      if (generation === this.generation) this.node.style.minHeight = '';
    }
  }

  private diffTable(records: readonly RunRecord[], labels: string[]): HTMLElement {
    const rows = paramDiff(records);
    if (rows.length === 0) return el('p', 'tb-Compare-empty', this.trans.__('These runs have no params.'));
    const table = el('table', 'tb-DiffTable');
    const head = el('tr');
    head.append(el('th', undefined, this.trans.__('param')), ...labels.map((label, i) => runHeader(label, i)));
    table.append(el('thead'), el('tbody'));
    table.tHead!.append(head);
    for (const row of rows) {
      const tr = el('tr', row.differs ? 'tb-mod-differs' : undefined);
      tr.dataset.param = row.key;
      tr.dataset.differs = String(row.differs);
      tr.append(el('th', undefined, row.key), ...row.values.map((v) => el('td', undefined, formatValue(v))));
      table.tBodies[0]!.append(tr);
    }
    return table;
  }

  private async drawCharts(container: HTMLElement, labels: string[], series: ReadonlyArray<Map<string, Series>>, generation: number): Promise<void> {
    const metrics = new Set<string>();
    // System metrics are per machine and on a clock, not on training steps: not compared here.
    for (const map of series) for (const name of map.keys()) if (!isSystemMetric(name)) metrics.add(name);
    if (metrics.size === 0) {
      container.append(el('p', 'tb-Compare-empty', this.trans.__('No metrics were logged by these runs.')));
      return;
    }
    let vegaEmbed: Awaited<ReturnType<typeof loadVegaEmbed>>;
    try {
      vegaEmbed = await loadVegaEmbed();
    } catch (error) {
      container.append(el('p', 'tb-Compare-empty', this.trans.__('Charts unavailable: %1', error instanceof Error ? error.message : String(error))));
      return;
    }
    // One chart per metric, one line per run (its label is data), each run in its view colour.
    const runs = labels.map((label, i) => ({ id: String(i), label }));
    const inputs: ChartSeriesInput[] = [];
    series.forEach((map, run) => {
      for (const metric of metrics) {
        const s = map.get(metric);
        if (s) inputs.push({ run, metric, length: s.length, step: s.step, epoch: s.epoch, value: s.value });
      }
    });
    const model = buildChartModel(runs, inputs, { perMetric: true });
    for (const [index, group] of model.groups.entries()) {
      if (generation !== this.generation) return;
      const chart = el('div', 'tb-Chart');
      chart.dataset.metric = group.group;
      const plot = el('div', 'tb-Chart-plot');
      chart.append(el('div', 'tb-Chart-title', group.group), plot);
      container.append(chart);
      const rows = chartRows(group);
      chart.dataset.points = String(rows.length);
      chart.dataset.runs = String(new Set(group.lines.filter((line) => line.x.length > 0).map((line) => line.run)).size);
      const target = el('div', 'tb-Chart-view');
      plot.append(target);
      const result = await embedChart(vegaEmbed, target, chartSpec(model, { mode: 'compare', theme: this.theme(), group: index }));
      if (generation !== this.generation) {
        result.finalize();
        return;
      }
      this.results.push(result);
      await result.view.change(POINTS_DATA, vegaEmbed.vega.changeset().insert(rows)).runAsync();
    }
  }

  dispose(): void {
    this.clear();
  }
}

/** A diff table's column head: the run's label after a swatch of its chart colour. */
function runHeader(label: string, index: number): HTMLElement {
  const th = el('th');
  th.dataset.color = paletteColor(index);
  const swatch = el('span', 'tb-RunSwatch');
  swatch.style.backgroundColor = paletteColor(index);
  th.append(swatch, document.createTextNode(label));
  return th;
}

/**
 * Parallel coordinates of the params and final metrics that are numbers in every run, drawn as
 * plain SVG (one axis per dimension, one polyline per run).
 */
export function parallelCoordinates(records: readonly RunRecord[], labels: string[], tooFewText: string): SVGSVGElement {
  const dims: Array<{ name: string; values: number[] }> = [];
  const keys = new Set<string>();
  for (const r of records) for (const k of Object.keys(r.params)) keys.add(k);
  for (const key of [...keys].sort()) {
    const values = records.map((r) => r.params[key]);
    if (values.every((v) => typeof v === 'number')) dims.push({ name: key, values: values as number[] });
  }
  const metrics = new Set<string>();
  for (const r of records) for (const k of Object.keys(r.summary)) if (!isSystemMetric(k)) metrics.add(k);
  for (const name of [...metrics].sort()) {
    const values = records.map((r) => (r.summary[name] ? decodeNumber(r.summary[name]!.last) : NaN));
    if (values.every(Number.isFinite)) dims.push({ name, values });
  }
  const width = Math.max(320, dims.length * 110);
  const height = 200;
  const top = 24;
  const bottom = height - 24;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'tb-Parallel');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.dataset.dimensions = String(dims.length);
  if (dims.length < 2) {
    const text = document.createElementNS(SVG, 'text');
    text.setAttribute('x', '8');
    text.setAttribute('y', '20');
    text.textContent = tooFewText;
    svg.append(text);
    return svg;
  }
  const x = (i: number): number => 50 + (i * (width - 100)) / (dims.length - 1);
  const y = (dim: { values: number[] }, v: number): number => {
    const min = Math.min(...dim.values);
    const max = Math.max(...dim.values);
    return max === min ? (top + bottom) / 2 : bottom - ((v - min) / (max - min)) * (bottom - top);
  };
  dims.forEach((dim, i) => {
    const axis = document.createElementNS(SVG, 'line');
    axis.setAttribute('class', 'tb-Parallel-axis');
    axis.setAttribute('x1', String(x(i)));
    axis.setAttribute('x2', String(x(i)));
    axis.setAttribute('y1', String(top));
    axis.setAttribute('y2', String(bottom));
    const label = document.createElementNS(SVG, 'text');
    label.setAttribute('x', String(x(i)));
    label.setAttribute('y', String(top - 8));
    label.setAttribute('text-anchor', 'middle');
    label.textContent = dim.name;
    const low = document.createElementNS(SVG, 'text');
    low.setAttribute('x', String(x(i)));
    low.setAttribute('y', String(bottom + 14));
    low.setAttribute('text-anchor', 'middle');
    low.textContent = `${formatNumber(Math.min(...dim.values))} – ${formatNumber(Math.max(...dim.values))}`;
    svg.append(axis, label, low);
  });
  records.forEach((_, r) => {
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('class', 'tb-Parallel-line');
    // The run's colour in the charts and the diff table.
    line.style.stroke = paletteColor(r);
    line.setAttribute('points', dims.map((dim, i) => `${x(i)},${y(dim, dim.values[r]!)}`).join(' '));
    const title = document.createElementNS(SVG, 'title');
    title.textContent = labels[r]!;
    line.append(title);
    svg.append(line);
  });
  return svg;
}
