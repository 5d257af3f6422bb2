/**
 * Comparing selected runs: overlaid curves per metric (the core's chart model and `chartSpec`,
 * names only as data; each run in its colour, the same in the diff table and the parallel
 * coordinates), a parameter diff table that marks what differs, and
 * parallel coordinates (`parallel.ts`) for three runs or more. Text only through textContent.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Result } from 'vega-embed';
import { buildChartModel, chartRows, chartSpec, isSystemMetric, POINTS_DATA, type ChartSeriesInput, type ChartTheme, type Series, type RunRecord, runLabels } from 'trainbook/core';
import { embedChart } from '../charts/embed.js';
import { loadVegaEmbed } from '../charts/vegaLoader.js';
import { el } from './dom.js';
import { parallelCoordinates } from './parallel.js';
import { paramDiffTable } from './paramTable.js';

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
    diffSection.append(el('h3', undefined, trans.__('Parameters')), paramDiffTable(records, labels, trans));
    const charts = el('section', 'tb-Compare-charts');
    charts.append(el('h3', undefined, trans.__('Metrics')));
    this.node.append(title, diffSection, charts);
    if (records.length >= 3) {
      const parallel = el('section', 'tb-Compare-parallel');
      parallel.append(el('h3', undefined, trans.__('Parallel coordinates')), parallelCoordinates(records, labels, { tooFewText: trans.__('Parallel coordinates need two numeric params or metrics shared by every run.') }));
      this.node.append(parallel);
    }
    try {
      await this.drawCharts(charts, labels, series, generation);
    } finally {
      if (generation === this.generation) this.node.style.minHeight = '';
    }
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
      await result.view.change(POINTS_DATA, vegaEmbed.vega.changeset().insert(rows)).resize().runAsync();
    }
  }

  dispose(): void {
    this.clear();
  }
}
