/**
 * The dashboard's charts: the controls (smoothing, x axis, log scale) and one chart per metric
 * of the compared runs, in a responsive grid, each run in its view colour (the table's swatch).
 * Every chart is the core's chart model and `chartSpec(model, { mode: 'dashboard' })`, embedded
 * once and kept: while its spec stays the same (a live run's new points, the smoothing weight
 * moved), only its rows are replaced (`view.change`), so zoom and the runs hidden in its legend
 * stay. A new spec (x axis, log scale, other runs, the theme) embeds it again, with the hidden
 * runs put back. Names reach the page only as textContent and as data values.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Result } from 'vega-embed';
import {
  buildChartModel,
  chartSpec,
  dashboardRows,
  elapsedColumn,
  formatNumber,
  HIDDEN_PARAM,
  HIDDEN_STORE,
  hiddenLabels,
  hiddenTuples,
  isSystemMetric,
  POINTS_DATA,
  runLabels,
  type ChartGroup,
  type ChartSeriesInput,
  type ChartTheme,
  type ChartXAxis,
} from 'trainbook/core';
import { embedChart } from '../../charts/embed.js';
import { loadVegaEmbed, type VegaEmbedModule } from '../../charts/vegaLoader.js';
import { DASHBOARD_X_AXES, MAX_SMOOTHING, type ChartSettings, type DashboardModel, type DashboardXAxis } from '../../dashboard/model.js';
import type { Comparison } from '../../runs/model.js';
import { el } from '../dom.js';
import { keepFitted, type Fitting } from './fitWidth.js';

/** The chart model's x axis for the dashboard's choice ("relative" is seconds since each run started). */
export function chartAxisOf(xAxis: DashboardXAxis): ChartXAxis {
  return xAxis === 'relative' ? 'elapsed' : xAxis;
}

/** The chart inputs of a comparison: every series of every compared run, with its elapsed and wall columns. */
export function comparisonInputs(comparison: Pick<Comparison, 'rows' | 'series'>): ChartSeriesInput[] {
  const inputs: ChartSeriesInput[] = [];
  comparison.series.forEach((map, run) => {
    const startedAt = Date.parse(comparison.rows[run]!.record.startedAt);
    for (const [metric, s] of map) {
      const elapsed = Number.isFinite(startedAt) ? { elapsed: elapsedColumn(s.time, s.length, startedAt) } : {};
      inputs.push({ run, metric, length: s.length, step: s.step, epoch: s.epoch, value: s.value, wall: s.time, ...elapsed });
    }
  });
  return inputs;
}

/** Training metrics first, then system metrics, each by name (the chart model sorts by name). */
export function chartOrder(groups: readonly ChartGroup[]): number[] {
  return groups.map((_, i) => i).sort((a, b) => Number(isSystemMetric(groups[a]!.group)) - Number(isSystemMetric(groups[b]!.group)) || a - b);
}

/** One metric's chart: its DOM and its kept Vega view. */
class MetricChart {
  readonly node = el('figure', 'tb-DashChart');
  readonly title = el('figcaption', 'tb-DashChart-title');
  private readonly plot = el('div', 'tb-DashChart-plot');
  private readonly points = el('div', 'tb-DashChart-points');
  private readonly notes = el('div', 'tb-DashChart-notes');
  result: Result | null = null;
  specKey = '';
  private readonly fitting: Fitting;

  constructor(readonly metric: string) {
    this.node.dataset.metric = metric;
    this.title.textContent = metric;
    this.title.title = metric;
    this.notes.hidden = true;
    this.node.append(this.title, this.plot, this.points, this.notes);
    this.fitting = keepFitted(this.plot, () => this.result?.view ?? null);
  }

  describe(group: ChartGroup, trans: TranslationBundle): void {
    this.points.textContent = trans.__('%1 of %2 points drawn', formatNumber(group.drawn), formatNumber(group.logged));
    this.node.dataset.points = String(group.drawn);
    this.node.dataset.logged = String(group.logged);
    this.node.dataset.runs = String(new Set(group.lines.map((line) => line.run)).size);
    this.notes.textContent = group.notes.join('; ');
    this.notes.hidden = group.notes.length === 0;
  }

  /** A new view in the plot (the old one finalized). */
  async embed(vegaEmbed: VegaEmbedModule, spec: Record<string, unknown>, specKey: string): Promise<Result> {
    this.reset();
    const target = el('div', 'tb-DashChart-view');
    this.plot.replaceChildren(target);
    const result = await embedChart(vegaEmbed, target, spec);
    this.result = result;
    this.specKey = specKey;
    this.fitting.fit();
    return result;
  }

  reset(): void {
    this.result?.finalize();
    this.result = null;
    this.specKey = '';
  }

  dispose(): void {
    this.fitting.stop();
    this.reset();
    this.node.remove();
  }
}

export interface DashboardChartsOptions {
  trans: TranslationBundle;
  theme: () => ChartTheme;
}

export class DashboardCharts {
  readonly node = el('section', 'tb-DashCharts');
  private readonly smoothing = el('input', 'tb-DashCharts-smoothing');
  private readonly smoothingValue = el('output', 'tb-DashCharts-smoothingValue');
  private readonly xAxis = el('select', 'tb-DashCharts-xAxis jp-mod-styled');
  private readonly logScale = el('input', 'tb-DashCharts-log');
  private readonly grid = el('div', 'tb-DashCharts-grid');
  private readonly message = el('p', 'tb-DashCharts-message');
  private readonly charts = new Map<string, MetricChart>();
  private comparison: Comparison | null = null;
  private drawing = false;
  private again = false;
  private disposed = false;
  /** Run labels by id, and ids by label, of the charts drawn (the legend's selection holds labels). */
  private labels = new Map<string, string>();
  private idsByLabel = new Map<string, string>();

  constructor(
    private readonly model: DashboardModel,
    private readonly options: DashboardChartsOptions,
  ) {
    const { trans } = options;
    this.node.setAttribute('aria-label', trans.__('Charts'));
    this.node.append(this.controls(), this.message, this.grid);
    this.message.hidden = true;
    this.showSettings(model.settings);
    model.settingsChanged.connect(this.onSettings, this);
    model.comparisonChanged.connect(this.onComparison, this);
    this.comparison = model.comparison;
  }

  private controls(): HTMLElement {
    const { trans } = this.options;
    const bar = el('div', 'tb-DashCharts-controls');
    const smoothingLabel = el('label', 'tb-DashCharts-control');
    this.smoothing.type = 'range';
    this.smoothing.min = '0';
    this.smoothing.max = String(MAX_SMOOTHING);
    this.smoothing.step = '0.01';
    this.smoothing.setAttribute('aria-label', trans.__('Smoothing (EMA weight)'));
    this.smoothing.addEventListener('input', () => {
      this.smoothingValue.textContent = Number(this.smoothing.value).toFixed(2);
      this.model.setSmoothing(Number(this.smoothing.value));
    });
    smoothingLabel.append(el('span', undefined, trans.__('Smoothing')), this.smoothing, this.smoothingValue);

    const axisLabel = el('label', 'tb-DashCharts-control');
    const axisNames: Record<DashboardXAxis, string> = { step: trans.__('Step'), epoch: trans.__('Epoch'), relative: trans.__('Relative (seconds)'), wall: trans.__('Wall time') };
    for (const axis of DASHBOARD_X_AXES) this.xAxis.append(new Option(axisNames[axis], axis));
    this.xAxis.addEventListener('change', () => this.model.setXAxis(this.xAxis.value as DashboardXAxis));
    axisLabel.append(el('span', undefined, trans.__('X axis')), this.xAxis);

    const logLabel = el('label', 'tb-DashCharts-control');
    this.logScale.type = 'checkbox';
    this.logScale.addEventListener('change', () => this.model.setLogScale(this.logScale.checked));
    logLabel.append(this.logScale, el('span', undefined, trans.__('Log scale')));
    bar.append(smoothingLabel, axisLabel, logLabel);
    return bar;
  }

  private showSettings(settings: ChartSettings): void {
    if (document.activeElement !== this.smoothing) this.smoothing.value = String(settings.smoothing);
    this.smoothingValue.textContent = settings.smoothing.toFixed(2);
    this.xAxis.value = settings.xAxis;
    this.logScale.checked = settings.logScale;
  }

  private onSettings(_: DashboardModel, settings: ChartSettings): void {
    this.showSettings(settings);
    this.redraw();
  }

  private onComparison(_: DashboardModel, comparison: Comparison | null): void {
    this.comparison = comparison;
    this.redraw();
  }

  /** Draws again (the theme changed): every view is embedded again. */
  themeChanged(): void {
    for (const chart of this.charts.values()) chart.reset();
    this.redraw();
  }

  /** Draws the current comparison; draws requested meanwhile are merged into one that follows. */
  redraw(): void {
    if (this.disposed) return;
    if (this.drawing) {
      this.again = true;
      return;
    }
    this.drawing = true;
    void this.draw()
      .catch((error: unknown) => this.say(this.options.trans.__('Charts unavailable: %1', error instanceof Error ? error.message : String(error))))
      .finally(() => {
        this.drawing = false;
        if (this.again) {
          this.again = false;
          this.redraw();
        }
      });
  }

  private say(text: string | null): void {
    this.message.textContent = text ?? '';
    this.message.hidden = text === null;
  }

  private async draw(): Promise<void> {
    const { trans } = this.options;
    const comparison = this.comparison;
    if (!comparison || comparison.rows.length === 0) {
      this.clear();
      this.say(null);
      return;
    }
    const settings = this.model.settings;
    const records = comparison.rows.map((row) => row.record);
    const labels = runLabels(records);
    this.labels = new Map(records.map((record, i) => [record.id, labels[i]!]));
    this.idsByLabel = new Map(records.map((record, i) => [labels[i]!, record.id]));
    const smoothed = settings.smoothing > 0;
    const chartModel = buildChartModel(
      records.map((record, i) => ({ id: record.id, label: labels[i]! })),
      comparisonInputs(comparison),
      { perMetric: true, xAxis: chartAxisOf(settings.xAxis), ...(smoothed ? { smoothing: settings.smoothing } : {}) },
    );
    const notes = comparison.omitted > 0 ? [trans._n('%1 more selected run is not charted (at most %2 at once).', '%1 more selected runs are not charted (at most %2 at once).', comparison.omitted, this.model.runs.compareLimit)] : [];
    if (chartModel.groups.length === 0) notes.push(trans.__('No metrics were logged by these runs.'));
    this.say(notes.length > 0 ? notes.join(' ') : null);
    const vegaEmbed = await loadVegaEmbed();
    if (this.disposed) return;
    const theme = this.options.theme();
    const drawn = new Set<string>();
    for (const index of chartOrder(chartModel.groups)) {
      if (this.disposed || this.again) return;
      const group = chartModel.groups[index]!;
      drawn.add(group.group);
      let chart = this.charts.get(group.group);
      if (!chart) {
        chart = new MetricChart(group.group);
        this.charts.set(group.group, chart);
      }
      this.grid.append(chart.node); // in chart order
      chart.describe(group, trans);
      const spec = chartSpec(chartModel, { mode: 'dashboard', theme, group: index, logScale: settings.logScale, smoothing: smoothed });
      const specKey = JSON.stringify(spec);
      const rows = dashboardRows(group, smoothed);
      if (chart.result && chart.specKey === specKey) {
        // resize(): the legend grows with the rows (Vega sized the view for the legend it had before).
        await chart.result.view.change(POINTS_DATA, vegaEmbed.vega.changeset().remove(() => true).insert(rows)).resize().runAsync();
      } else {
        const result = await chart.embed(vegaEmbed, spec, specKey);
        await result.view.change(POINTS_DATA, vegaEmbed.vega.changeset().insert(rows)).resize().runAsync();
        const drawnChart = chart;
        if (group.colorBy === 'run') result.view.addSignalListener(HIDDEN_PARAM, () => this.readHidden(drawnChart));
      }
      await this.syncHidden(vegaEmbed, chart, group);
    }
    for (const [metric, chart] of this.charts) {
      if (drawn.has(metric)) continue;
      chart.dispose();
      this.charts.delete(metric);
    }
  }

  /**
   * The view's legend selection made to hide exactly the runs the model hides (a legend click in
   * another chart, a restored tab, a new view): its store gets the tuples a click would add.
   */
  private async syncHidden(vegaEmbed: VegaEmbedModule, chart: MetricChart, group: ChartGroup): Promise<void> {
    const view = chart.result?.view;
    if (!view || group.colorBy !== 'run') return;
    const wanted = this.model.settings.hiddenRuns.map((id) => this.labels.get(id)).filter((label): label is string => label !== undefined);
    const shown = hiddenInView(view);
    if (wanted.length === shown.length && wanted.every((label) => shown.includes(label))) return;
    await view.change(HIDDEN_STORE, vegaEmbed.vega.changeset().remove(() => true).insert(hiddenTuples(wanted, group.colorBy))).runAsync();
  }

  /** A legend click changed the runs one view hides: the model (and so every chart) follows. */
  private readHidden(chart: MetricChart): void {
    const view = chart.result?.view;
    if (!view) return;
    const hidden = new Set(hiddenInView(view).map((label) => this.idsByLabel.get(label)).filter((id): id is string => id !== undefined));
    for (const id of this.labels.keys()) {
      const isHidden = this.model.settings.hiddenRuns.includes(id);
      if (hidden.has(id) !== isHidden) this.model.setRunHidden(id, hidden.has(id));
    }
  }

  private clear(): void {
    for (const chart of this.charts.values()) chart.dispose();
    this.charts.clear();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clear();
    this.model.settingsChanged.disconnect(this.onSettings, this);
    this.model.comparisonChanged.disconnect(this.onComparison, this);
  }
}

/** The run labels a view's legend hides now (the tuples of its selection's store). */
function hiddenInView(view: Result['view']): string[] {
  return hiddenLabels(view.data(HIDDEN_STORE) as Array<{ values?: unknown }>);
}
