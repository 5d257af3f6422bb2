/**
 * One Vega-Lite chart per metric group, kept across updates: each update streams its rows into
 * the existing views (a new view only for a new group). Specs come only from
 * `groupChartSpec`, rows only from `chartRows`; nothing from the output reaches vega-embed
 * except data values.
 */
import type { View } from 'vega';
import type { Result, VisualizationSpec } from 'vega-embed';
import { chartRows, groupChartSpec, groupMetrics, isSystemMetric, POINTS_DATA, withResumeRules, type ChartRow, type ChartTheme, type ChartXAxis, decodeNumber, formatNumber, type LiveSeries } from 'trainbook/core';
import { hideTooltip, safeTooltip } from './tooltip.js';
import { loadVegaEmbed, type VegaEmbedModule } from './vegaLoader.js';

const CHART_HEIGHT = 120;

/** What to say beside a chart about a series' points that cannot be drawn (NaN, ±Infinity). */
export function nonFiniteNote(series: LiveSeries): string | null {
  let count = 0;
  const kinds = new Set<string>();
  for (const encoded of series.value) {
    const value = decodeNumber(encoded);
    if (!Number.isFinite(value)) {
      count++;
      kinds.add(formatNumber(value));
    }
  }
  const last = decodeNumber(series.last);
  if (!Number.isFinite(last)) {
    const more = count > 1 ? ` (${count} points not drawn)` : '';
    return `${series.name}: ${formatNumber(last)} at last point${more}`;
  }
  if (count === 0) return null;
  return `${series.name}: ${count} ${[...kinds].join('/')} point${count === 1 ? '' : 's'} not drawn`;
}

/** A chart's x axis: seconds since the run started when every series is sampled on a clock (system metrics), else steps. */
export function liveXAxis(series: readonly LiveSeries[]): ChartXAxis {
  return series.length > 0 && series.every((s) => s.xAxis === 'elapsed') ? 'elapsed' : 'step';
}

/** True when `rows` starts with exactly the rows in `previous` (same steps and values). */
export function startsWith(rows: readonly ChartRow[], previous: readonly ChartRow[]): boolean {
  if (previous.length > rows.length) return false;
  for (let i = 0; i < previous.length; i++) {
    if (rows[i]!.step !== previous[i]!.step || rows[i]!.value !== previous[i]!.value) return false;
  }
  return true;
}

/**
 * A new group chart view in `target`. The spec comes only from `groupChartSpec`, the embed options
 * are these constants: nothing from an output or a store reaches vega-embed but data values.
 */
export function embedGroupChart(
  vegaEmbed: VegaEmbedModule,
  target: HTMLElement,
  theme: ChartTheme,
  height: number,
  xAxis: ChartXAxis = 'step',
  resumeSteps: readonly number[] = [],
): Promise<Result> {
  // A resumed run's gaps are dashed rules on a step axis (a clock axis has no steps to mark).
  const spec = groupChartSpec(theme, { height, xAxis });
  const marked = xAxis === 'step' ? withResumeRules(spec, resumeSteps.map((step) => ({ step })), theme) : spec;
  return vegaEmbed.default(target, marked as VisualizationSpec, {
    mode: 'vega-lite',
    renderer: 'svg',
    actions: false,
    defaultStyle: false,
    tooltip: safeTooltip,
  });
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
  /** The x axis of the current view. */
  private xAxis: ChartXAxis = 'step';
  /** The resume steps the view marks, as a key. */
  private resumeKey = '';
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

  async draw(vegaEmbed: VegaEmbedModule, theme: ChartTheme, series: readonly LiveSeries[], resumeSteps: readonly number[] = []): Promise<void> {
    this.latest.textContent = series.map((s) => `${s.name} ${formatNumber(decodeNumber(s.last))}`).join(' · ');
    this.latest.title = this.latest.textContent;
    const notes = series.map(nonFiniteNote).filter((note): note is string => note !== null);
    this.notes.textContent = notes.join('; ');
    this.notes.hidden = notes.length === 0;

    const xAxis = liveXAxis(series);
    const resumeKey = resumeSteps.join(',');
    if (this.result && (xAxis !== this.xAxis || resumeKey !== this.resumeKey)) this.reset();
    this.xAxis = xAxis;
    this.resumeKey = resumeKey;
    const view = this.result?.view ?? (await this.embed(vegaEmbed, theme, xAxis, resumeSteps));
    const next = new Map(series.map((s) => [s.name, chartRows(this.group, s.name, s.step, s.value)]));
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

  private async embed(vegaEmbed: VegaEmbedModule, theme: ChartTheme, xAxis: ChartXAxis, resumeSteps: readonly number[]): Promise<View> {
    const target = div('tb-Chart-view');
    this.plot.replaceChildren(target);
    const generation = this.generation;
    const result = await embedGroupChart(vegaEmbed, target, theme, CHART_HEIGHT, xAxis, resumeSteps);
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

  constructor(private readonly theme: () => ChartTheme) {
    this.system.className = 'tb-Charts-system';
    this.system.hidden = true;
    const summary = document.createElement('summary');
    summary.textContent = 'System: CPU, memory, GPU';
    this.system.append(summary, this.systemGrid);
  }

  /** Shows these series: streams rows into the views it has, creates views for new groups. */
  async update(series: readonly LiveSeries[], resumeSteps: readonly number[] = []): Promise<void> {
    this.series = series;
    this.resumeSteps = resumeSteps;
    const byName = new Map<string, LiveSeries>();
    for (const s of series) if (!byName.has(s.name)) byName.set(s.name, s);
    const groups = groupMetrics([...byName.keys()]);
    for (const [group, chart] of this.charts) {
      if (groups.has(group)) continue;
      chart.dispose();
      chart.node.remove();
      this.charts.delete(group);
    }
    const systemGroups = [...groups.keys()].filter(isSystemMetric);
    this.node.hidden = groups.size === systemGroups.length;
    this.system.hidden = systemGroups.length === 0;
    this.showMessage(groups.size === 0 ? 'No metrics logged yet.' : null);
    if (groups.size === 0) return;
    let vegaEmbed: VegaEmbedModule;
    try {
      vegaEmbed = await loadVegaEmbed();
    } catch (error) {
      this.showMessage(`Charts unavailable: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (this.disposed) return;
    const theme = this.theme();
    for (const [group, names] of groups) {
      let chart = this.charts.get(group);
      if (!chart) {
        chart = new GroupChart(group);
        this.charts.set(group, chart);
      }
      // Keeps the charts in the order of the groups (a no-op when they already are).
      (isSystemMetric(group) ? this.systemGrid : this.node).appendChild(chart.node);
      if (this.disposed) return;
      try {
        await chart.draw(vegaEmbed, theme, names.map((name) => byName.get(name)!), resumeSteps);
      } catch (error) {
        if (this.disposed) return;
        chart.reset();
        chart.showError(`chart failed: ${error instanceof Error ? error.message : String(error)}`);
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
