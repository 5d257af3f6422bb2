/**
 * The dashboard's hyperparameter views of the compared runs: the parameter diff (differing params
 * first, each run's column headed by its colour swatch), parallel coordinates, and a scatter of
 * any param against any metric (two selects; the metric's value is the table's stat: last, min or
 * max), each run in its view colour. Names reach the page only as textContent and data values.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Result } from 'vega-embed';
import { isSystemMetric, POINTS_DATA, runLabels, scatterRows, scatterSpec, type ChartTheme, type MetricStat, type RunRecord } from 'trainbook/core';
import { embedChart } from '../../charts/embed.js';
import { loadVegaEmbed } from '../../charts/vegaLoader.js';
import type { DashboardModel } from '../../dashboard/model.js';
import type { Comparison } from '../../runs/model.js';
import { el } from '../dom.js';
import { keepFitted } from './fitWidth.js';
import { parallelCoordinates } from '../parallel.js';
import { paramDiffTable } from '../paramTable.js';

/** The params and (non-system) metrics any of `records` has, each sorted by name: what the scatter's selects offer. */
export function scatterChoices(records: readonly RunRecord[]): { params: string[]; metrics: string[] } {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const record of records) {
    for (const key of Object.keys(record.params)) params.add(key);
    for (const name of Object.keys(record.summary)) if (!isSystemMetric(name)) metrics.add(name);
  }
  return { params: [...params].sort(), metrics: [...metrics].sort() };
}

/** `current` when it is still offered, else the first choice (null: none). */
export function keepChoice(current: string | null, choices: readonly string[]): string | null {
  return current !== null && choices.includes(current) ? current : (choices[0] ?? null);
}

export interface HyperViewOptions {
  trans: TranslationBundle;
  theme: () => ChartTheme;
}

export class HyperView {
  readonly node = el('section', 'tb-DashHyper');
  private readonly diff = el('div', 'tb-DashHyper-diff');
  private readonly parallel = el('div', 'tb-DashHyper-parallel');
  private readonly paramChoice = el('select', 'tb-DashHyper-param jp-mod-styled');
  private readonly metricChoice = el('select', 'tb-DashHyper-metric jp-mod-styled');
  private readonly xLog = el('input', 'tb-DashHyper-xLog');
  private readonly yLog = el('input', 'tb-DashHyper-yLog');
  private readonly scatterNote = el('p', 'tb-DashHyper-note');
  private readonly scatterPlot = el('div', 'tb-DashHyper-scatterPlot');
  private records: RunRecord[] = [];
  private param: string | null = null;
  private metric: string | null = null;
  private scatter: { result: Result; specKey: string } | null = null;
  private scatterGeneration = 0;
  private lastKey = '';
  private disposed = false;
  private readonly fitting = keepFitted(this.scatterPlot, () => this.scatter?.result.view ?? null);

  constructor(
    private readonly model: DashboardModel,
    private readonly options: HyperViewOptions,
  ) {
    const { trans } = options;
    const heading = (text: string) => el('h3', 'tb-DashHyper-heading', text);
    const scatter = el('div', 'tb-DashHyper-scatter');
    const controls = el('div', 'tb-DashHyper-controls');
    const paramLabel = el('label', 'tb-DashHyper-control');
    paramLabel.append(el('span', undefined, trans.__('Param (x)')), this.paramChoice);
    const metricLabel = el('label', 'tb-DashHyper-control');
    metricLabel.append(el('span', undefined, trans.__('Metric (y)')), this.metricChoice);
    const logLabel = (input: HTMLInputElement, text: string) => {
      const label = el('label', 'tb-DashHyper-control');
      input.type = 'checkbox';
      input.addEventListener('change', () => this.drawScatter());
      label.append(input, el('span', undefined, text));
      return label;
    };
    controls.append(paramLabel, metricLabel, logLabel(this.xLog, trans.__('Log x')), logLabel(this.yLog, trans.__('Log y')));
    this.paramChoice.addEventListener('change', () => {
      this.param = this.paramChoice.value;
      this.drawScatter();
    });
    this.metricChoice.addEventListener('change', () => {
      this.metric = this.metricChoice.value;
      this.drawScatter();
    });
    scatter.append(controls, this.scatterNote, this.scatterPlot);
    this.scatterNote.hidden = true;
    this.node.append(heading(trans.__('Parameters')), this.diff, heading(trans.__('Parallel coordinates')), this.parallel, heading(trans.__('Param against metric')), scatter);
    model.comparisonChanged.connect(this.onComparison, this);
    model.changed.connect(this.onModelChanged, this);
    this.onComparison(model, model.comparison);
  }

  private onComparison(_: DashboardModel, comparison: Comparison | null): void {
    this.records = comparison ? comparison.rows.map((row) => row.record) : [];
    this.render();
  }

  /** The table's stat changed: the scatter's metric value follows it. */
  private onModelChanged(): void {
    const key = this.renderKey();
    if (key !== this.lastKey) this.render();
  }

  private renderKey(): string {
    return JSON.stringify([this.model.runs.metricStat, this.records.map((record) => [record.id, record.name, record.params, record.summary])]);
  }

  /** Draws the three views again, unless nothing they show changed. */
  private render(): void {
    const key = this.renderKey();
    if (key === this.lastKey) return;
    this.lastKey = key;
    const { trans } = this.options;
    const records = this.records;
    const labels = runLabels(records);
    if (records.length === 0) {
      this.diff.replaceChildren();
      this.parallel.replaceChildren();
      this.clearScatter();
      return;
    }
    this.diff.replaceChildren(paramDiffTable(records, labels, trans));
    this.parallel.replaceChildren(
      parallelCoordinates(records, labels, {
        tooFewText: trans.__('Parallel coordinates need two numeric params or metrics shared by every run.'),
        label: trans.__('Parallel coordinates of the compared runs'),
      }),
    );
    const { params, metrics } = scatterChoices(records);
    this.param = keepChoice(this.param, params);
    this.metric = keepChoice(this.metric, metrics);
    fillSelect(this.paramChoice, params, this.param);
    fillSelect(this.metricChoice, metrics, this.metric);
    this.drawScatter();
  }

  private drawScatter(): void {
    const generation = ++this.scatterGeneration;
    void this.scatterNow(generation).catch((error: unknown) => {
      if (generation === this.scatterGeneration) this.note(this.options.trans.__('Chart unavailable: %1', error instanceof Error ? error.message : String(error)));
    });
  }

  private async scatterNow(generation: number): Promise<void> {
    const { trans } = this.options;
    const { param, metric, records } = this;
    if (param === null || metric === null) {
      this.clearScatter();
      this.note(param === null ? trans.__('These runs have no params.') : trans.__('These runs have no metrics.'));
      return;
    }
    const stat: MetricStat = this.model.runs.metricStat;
    const data = scatterRows(records, param, metric, stat, runLabels(records));
    const vegaEmbed = await loadVegaEmbed();
    if (generation !== this.scatterGeneration || this.disposed) return;
    const statNames: Record<MetricStat, string> = { last: trans.__('last value'), min: trans.__('min value'), max: trans.__('max value') };
    const left = data.leftOut > 0 ? trans._n(' %1 run has no value for them.', ' %1 runs have no value for them.', data.leftOut) : '';
    this.note(`${trans.__('%1 against the %2 of %3.', param, statNames[stat], metric)}${left}`);
    this.xLog.disabled = data.xType !== 'quantitative';
    const spec = scatterSpec({ theme: this.options.theme(), xType: data.xType, xLog: this.xLog.checked, yLog: this.yLog.checked, colors: data.colors });
    const specKey = JSON.stringify(spec);
    if (!this.scatter || this.scatter.specKey !== specKey) {
      this.scatter?.result.finalize();
      this.scatter = null;
      const target = el('div', 'tb-DashHyper-view');
      this.scatterPlot.replaceChildren(target);
      const result = await embedChart(vegaEmbed, target, spec);
      if (generation !== this.scatterGeneration || this.disposed) {
        result.finalize();
        return;
      }
      this.scatter = { result, specKey };
      this.fitting.fit();
    }
    this.scatterPlot.dataset.points = String(data.rows.length);
    await this.scatter.result.view.change(POINTS_DATA, vegaEmbed.vega.changeset().remove(() => true).insert(data.rows)).runAsync();
  }

  private note(text: string): void {
    this.scatterNote.textContent = text;
    this.scatterNote.hidden = text === '';
  }

  private clearScatter(): void {
    this.scatterGeneration++;
    this.scatter?.result.finalize();
    this.scatter = null;
    this.scatterPlot.replaceChildren();
    this.note('');
  }

  /** The theme changed: the scatter is embedded again in the new colours. */
  themeChanged(): void {
    this.scatter?.result.finalize();
    this.scatter = null;
    if (this.records.length > 0) this.drawScatter();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.fitting.stop();
    this.clearScatter();
    this.model.comparisonChanged.disconnect(this.onComparison, this);
    this.model.changed.disconnect(this.onModelChanged, this);
  }
}

/** A select's options (values and text are the names, as text), with `selected` chosen. */
function fillSelect(select: HTMLSelectElement, choices: readonly string[], selected: string | null): void {
  const same = select.options.length === choices.length && choices.every((choice, i) => select.options[i]!.value === choice);
  if (!same) select.replaceChildren(...choices.map((choice) => new Option(choice, choice)));
  select.disabled = choices.length === 0;
  if (selected !== null) select.value = selected;
}
