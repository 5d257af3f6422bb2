/**
 * One Vega-Lite chart per metric group, kept across updates: each update streams its rows into
 * the existing views (a new view only for a new group, or when its spec changes). The chart
 * model comes from the core's `liveChartModel`, specs only from `chartSpec`; nothing from the
 * output reaches vega-embed except data values.
 */
import type { View } from 'vega';
import type { Result } from 'vega-embed';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { chartSpec, isSystemMetric, lineRows, liveChartModel, POINTS_DATA, type ChartModel, type ChartRow, type ChartTheme, formatNumber, type LiveSeries } from 'trainbook/core';
import { embedChart } from '../charts/embed.js';
import { hideTooltip } from '../charts/tooltip.js';
import { loadVegaEmbed, type VegaEmbedModule } from '../charts/vegaLoader.js';

/** True when `rows` starts with exactly the rows in `previous` (same x and values). */
export function startsWith(rows: readonly ChartRow[], previous: readonly ChartRow[]): boolean {
  if (previous.length > rows.length) return false;
  for (let i = 0; i < previous.length; i++) {
    if (rows[i]!.x !== previous[i]!.x || rows[i]!.value !== previous[i]!.value) return false;
  }
  return true;
}

function div(className: string): HTMLDivElement {
  const node = document.createElement('div');
  node.className = className;
  return node;
}

/** One group's chart: its title, latest values, notes and the Vega view. */
class GroupChart {
  readonly node = div('tb-Chart');
  private readonly latest = document.createElement('span');
  private readonly notes = div('tb-Chart-notes');
  private readonly plot = div('tb-Chart-plot');
  private result: Result | null = null;
  /** The spec of the current view, as a key: a new one (axis, colours, resume marks) rebuilds it. */
  private specKey = '';
  /** Bumped by reset(), so an embed that finishes after a reset is thrown away. */
  private generation = 0;
  /**
   * Vega refits `width: 'container'` charts only on window resizes; a notebook panel also
   * changes width when a sidebar opens or closes.
   */
  private readonly resizeObserver = new ResizeObserver(() => this.fit());
  /** The rows the view holds, per series (the same objects, so a prefix can be kept). */
  private rows = new Map<string, ChartRow[]>();

  constructor(readonly group: string) {
    this.node.dataset.group = group;
    this.node.dataset.points = '0';
    const head = div('tb-Chart-head');
    const title = document.createElement('span');
    title.className = 'tb-Chart-title';
    title.textContent = group;
    title.title = group;
    this.latest.className = 'tb-Chart-latest';
    head.append(title, this.latest);
    this.notes.hidden = true;
    this.node.append(head, this.notes, this.plot);
    this.resizeObserver.observe(this.plot);
  }

  async draw(vegaEmbed: VegaEmbedModule, theme: ChartTheme, model: ChartModel, index: number): Promise<void> {
    const group = model.groups[index]!;
    this.latest.textContent = group.lines.map((line) => `${line.metric} ${formatNumber(line.last)}`).join(' · ');
    this.latest.title = this.latest.textContent;
    this.notes.textContent = group.notes.join('; ');
    this.notes.hidden = group.notes.length === 0;

    const spec = chartSpec(model, { mode: 'live', theme, group: index });
    const specKey = JSON.stringify(spec);
    if (this.result && specKey !== this.specKey) this.reset();
    this.specKey = specKey;
    const view = this.result?.view ?? (await this.embed(vegaEmbed, spec));
    const next = new Map(group.lines.map((line) => [line.metric, lineRows(line)]));
    const replaced = new Set<string>();
    const inserted: ChartRow[] = [];
    const kept = new Map<string, ChartRow[]>();
    for (const name of this.rows.keys()) if (!next.has(name)) replaced.add(name);
    for (const [name, rows] of next) {
      const previous = this.rows.get(name) ?? [];
      if (startsWith(rows, previous)) {
        const tail = rows.slice(previous.length);
        inserted.push(...tail);
        kept.set(name, tail.length > 0 ? previous.concat(tail) : previous);
      } else {
        replaced.add(name);
        inserted.push(...rows);
        kept.set(name, rows);
      }
    }
    this.rows = kept;
    if (replaced.size > 0 || inserted.length > 0) {
      const changes = vegaEmbed.vega.changeset().insert(inserted);
      if (replaced.size > 0) changes.remove((row: ChartRow) => replaced.has(row.series));
      await view.change(POINTS_DATA, changes).runAsync();
    }
    this.node.dataset.points = String(view.data(POINTS_DATA).length);
  }

  private async embed(vegaEmbed: VegaEmbedModule, spec: Record<string, unknown>): Promise<View> {
    const target = div('tb-Chart-view');
    this.plot.replaceChildren(target);
    const generation = this.generation;
    const result = await embedChart(vegaEmbed, target, spec);
    if (generation !== this.generation) {
      result.finalize();
      throw new Error('the chart was reset while it was being drawn');
    }
    this.result = result;
    this.rows = new Map();
    return result.view;
  }

  private fit(): void {
    const view = this.result?.view;
    const container = view?.container();
    if (!view || !container) return;
    const style = getComputedStyle(container);
    const width = container.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (width > 0 && view.signal('width') !== width) void view.signal('width', width).runAsync();
  }

  /** Drops the view (it is rebuilt on the next draw, e.g. with a new theme). */
  reset(): void {
    this.generation++;
    this.result?.finalize();
    this.result = null;
    this.rows = new Map();
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    this.reset();
  }

  showError(message: string): void {
    this.notes.textContent = message;
    this.notes.hidden = false;
  }
}

/** The charts of one run output. */
export class ChartPanel {
  readonly node = div('tb-Charts');
  /** A line for when there is nothing to chart, or the charting library failed to load. */
  readonly message = div('tb-Charts-message');
  /** System metrics (CPU, memory, GPU) in a section of their own, closed until opened. */
  readonly system = document.createElement('details');
  private readonly systemGrid = div('tb-Charts');
  private readonly charts = new Map<string, GroupChart>();
  private series: readonly LiveSeries[] = [];
  private resumeSteps: readonly number[] = [];
  private disposed = false;

  constructor(
    private readonly theme: () => ChartTheme,
    private readonly trans: Pick<IRenderMime.TranslationBundle, '__'>,
  ) {
    this.system.className = 'tb-Charts-system';
    this.system.hidden = true;
    const summary = document.createElement('summary');
    summary.textContent = trans.__('System: CPU, memory, GPU');
    this.system.append(summary, this.systemGrid);
  }

  /** Shows these series: streams rows into the views it has, creates views for new groups. */
  async update(series: readonly LiveSeries[], resumeSteps: readonly number[] = []): Promise<void> {
    this.series = series;
    this.resumeSteps = resumeSteps;
    const model = liveChartModel({ series, resumes: resumeSteps });
    const groups = new Set(model.groups.map((group) => group.group));
    for (const [group, chart] of this.charts) {
      if (groups.has(group)) continue;
      chart.dispose();
      chart.node.remove();
      this.charts.delete(group);
    }
    const systemGroups = [...groups].filter(isSystemMetric);
    this.node.hidden = groups.size === systemGroups.length;
    this.system.hidden = systemGroups.length === 0;
    this.showMessage(groups.size === 0 ? this.trans.__('No metrics logged yet.') : null);
    if (groups.size === 0) return;
    let vegaEmbed: VegaEmbedModule;
    try {
      vegaEmbed = await loadVegaEmbed();
    } catch (error) {
      this.showMessage(this.trans.__('Charts unavailable: %1', error instanceof Error ? error.message : String(error)));
      return;
    }
    if (this.disposed) return;
    const theme = this.theme();
    for (const [index, { group }] of model.groups.entries()) {
      let chart = this.charts.get(group);
      if (!chart) {
        chart = new GroupChart(group);
        this.charts.set(group, chart);
      }
      // Keeps the charts in the order of the groups (a no-op when they already are).
      (isSystemMetric(group) ? this.systemGrid : this.node).appendChild(chart.node);
      if (this.disposed) return;
      try {
        await chart.draw(vegaEmbed, theme, model, index);
      } catch (error) {
        if (this.disposed) return;
        chart.reset();
        chart.showError(this.trans.__('chart failed: %1', error instanceof Error ? error.message : String(error)));
      }
    }
  }

  /** Rebuilds every view with the current theme and the last series shown. */
  async retheme(): Promise<void> {
    for (const chart of this.charts.values()) chart.reset();
    await this.update(this.series, this.resumeSteps);
  }

  /** Clears the message line, or shows `text` there (as text). */
  showMessage(text: string | null): void {
    this.message.textContent = text ?? '';
    this.message.hidden = text === null;
  }

  dispose(): void {
    this.disposed = true;
    for (const chart of this.charts.values()) chart.dispose();
    this.charts.clear();
    hideTooltip();
  }
}
