/**
 * The runs dashboard's model: what one dashboard tab follows and how it shows it. It owns a
 * `RunsPanelModel` (rows of every followed notebook and the team's, query, sort, metric value,
 * selection, the comparison that follows the selection, polling) and adds what the tab has
 * beyond the side panel: the notebooks a path argument means (one `NotebookRuns` each), the
 * table's column layout, and the charts' settings (smoothing, x axis, log scale, runs hidden).
 * `state()` and `restore()` carry all of it as plain JSON through the layout restorer; restore
 * reads untrusted JSON and keeps only what it understands. Widgets show it and forward actions.
 */
import type { Contents } from '@jupyterlab/services';
import { Signal, type ISignal } from '@lumino/signaling';
import { isObject, isRunId, METRIC_STATS, nameValue, type MetricStat } from 'trainbook/core';
import { COMPARE_LIMIT, RunsPanelModel, type Comparison, type PanelNotebook } from '../runs/model.js';
import { NotebookRuns } from '../runs/notebookRuns.js';
import type { KernelState } from '../runs/panelRows.js';
import type { ExperimentStore } from '../store/experimentStore.js';
import { availableColumns, ColumnLayout, parseLayout, type DropSide, type LayoutState, type ResolvedColumn } from './columns.js';
import { dashboardTarget, type DashboardTarget } from './folderStores.js';

/** The charts' x axis: steps, epochs, seconds since each run started ("relative"), or wall-clock time. */
export type DashboardXAxis = 'step' | 'epoch' | 'relative' | 'wall';
export const DASHBOARD_X_AXES: readonly DashboardXAxis[] = ['step', 'epoch', 'relative', 'wall'];
/** The EMA weight's upper bound (1 would freeze the curve at its first value). */
export const MAX_SMOOTHING = 0.99;

/** How the charts draw the compared runs. */
export interface ChartSettings {
  /** EMA weight in [0, MAX_SMOOTHING]; 0 draws the raw values only. */
  smoothing: number;
  xAxis: DashboardXAxis;
  logScale: boolean;
  /** Compared runs the charts leave out (clicked off in a legend), by id. */
  hiddenRuns: readonly string[];
}

/** A dashboard tab as plain JSON (the layout restorer keeps it beside the path). */
export interface DashboardState {
  version: 1;
  query: string;
  sort: { column: string; descending: boolean };
  metricStat: MetricStat;
  /** The selected runs, in the order they were selected (their colours follow it). */
  selected: string[];
  showTeam: boolean;
  columns: LayoutState;
  charts: { smoothing: number; xAxis: DashboardXAxis; logScale: boolean; hiddenRuns: string[] };
}

export interface DashboardModelOptions {
  store: ExperimentStore;
  /** Resolves a path argument (`open`): folders are listed through it. */
  contents?: Pick<Contents.IManager, 'get'>;
  /** The clock (tests pass their own). */
  now?: () => number;
  /** True while the browser tab is in the background: polls are skipped then. */
  pageHidden?: () => boolean;
  /** What is known of a notebook's kernel (default: nothing, so a stale heartbeat alone marks a run crashed). */
  kernelOf?: (notebookPath: string) => KernelState;
}

const MAX_QUERY = 10_000;
const MAX_SELECTED = 5_000;

export class DashboardModel {
  /** The rows, query, sort, selection and comparison (every followed notebook's runs, and the team's). */
  readonly runs: RunsPanelModel;
  private _layout = new ColumnLayout();
  private _available: string[] = [];
  private _settings: ChartSettings = { smoothing: 0, xAxis: 'step', logScale: false, hiddenRuns: [] };
  private _target: DashboardTarget | null = null;
  private readonly followed = new Map<string, PanelNotebook>();
  /** Each compared run's place (its colour), by id. */
  private colorIndexes = new Map<string, number>();
  /** A restored selection waits for the notebooks it belongs to. */
  private pendingSelection: string[] | null = null;
  /** Bumped by each `open()`: a path resolved after a later one was asked for is dropped. */
  private openToken = 0;
  private disposed = false;

  private readonly _changed = new Signal<this, void>(this);
  private readonly _layoutChanged = new Signal<this, void>(this);
  private readonly _settingsChanged = new Signal<this, ChartSettings>(this);
  private readonly _comparisonChanged = new Signal<this, Comparison | null>(this);
  private readonly store: ExperimentStore;
  private readonly contents: DashboardModelOptions['contents'];
  private readonly kernelOf: (notebookPath: string) => KernelState;

  constructor(options: DashboardModelOptions) {
    this.store = options.store;
    this.contents = options.contents;
    this.kernelOf = options.kernelOf ?? (() => ({ running: null, restart: null }));
    this.runs = new RunsPanelModel({ store: options.store, now: options.now, pageHidden: options.pageHidden, followSelection: true });
    this.runs.compareMinimum = 1;
    this.runs.compareLimit = COMPARE_LIMIT;
    this.runs.changed.connect(this.onRunsChanged, this);
    this.runs.comparisonChanged.connect(this.onComparison, this);
  }

  /** Rows, query, sort, selection, the notebooks followed, or the team's state changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** The user moved, hid, showed or resized a column (or a layout was restored). */
  get layoutChanged(): ISignal<this, void> {
    return this._layoutChanged;
  }
  get settingsChanged(): ISignal<this, ChartSettings> {
    return this._settingsChanged;
  }
  /** The compared runs and their series (null: none selected). */
  get comparisonChanged(): ISignal<this, Comparison | null> {
    return this._comparisonChanged;
  }

  /** What the last `open()` resolved (null before one). */
  get target(): DashboardTarget | null {
    return this._target;
  }
  /** The paths of the notebooks (or lone stores) followed, in order. */
  get notebookPaths(): readonly string[] {
    return [...this.followed.keys()];
  }
  get layout(): ColumnLayout {
    return this._layout;
  }
  /** Every column the rows call for, in default order. */
  get availableColumns(): readonly string[] {
    return this._available;
  }
  /** Every column in display order, hidden ones included (the column menu). */
  get columns(): ResolvedColumn[] {
    return this._layout.resolve(this._available);
  }
  /** The columns the table shows, in order. */
  get visibleColumns(): ResolvedColumn[] {
    return this._layout.visible(this._available);
  }
  get settings(): ChartSettings {
    return this._settings;
  }
  get comparison(): Comparison | null {
    return this.runs.comparison;
  }

  /**
   * A compared run's place among the compared runs (its colour: `paletteColor(index)`), or null for
   * a run not compared. Known as soon as the run is selected, before its series are read.
   */
  colorIndex(runId: string): number | null {
    return this.colorIndexes.get(runId) ?? null;
  }

  /** Follows what a path means: a notebook, a `.trainbook` folder, or a folder of them (the last path asked for wins). */
  async open(path: string): Promise<DashboardTarget> {
    if (!this.contents) throw new Error('DashboardModel.open needs the Contents manager (options.contents).');
    const token = ++this.openToken;
    const target = await dashboardTarget(this.contents, path);
    if (this.disposed || token !== this.openToken) return target;
    this._target = target;
    this.setNotebooks(target.stores.map((store) => store.path));
    return target;
  }

  /** Follows these notebooks (or lone store folders), reusing the runs of those followed already. */
  setNotebooks(paths: readonly string[]): void {
    const next = new Map<string, PanelNotebook>();
    for (const path of paths) {
      if (next.has(path)) continue;
      next.set(path, this.followed.get(path) ?? { path, runs: new NotebookRuns(this.store, path), kernel: () => this.kernelOf(path) });
    }
    const same = next.size === this.followed.size && [...next.keys()].every((path, i) => path === [...this.followed.keys()][i]);
    this.followed.clear();
    for (const [path, notebook] of next) this.followed.set(path, notebook);
    this.runs.setNotebooks([...next.values()]);
    if (this.pendingSelection && next.size > 0) {
      const selection = this.pendingSelection;
      this.pendingSelection = null;
      this.runs.select(selection);
    }
    if (!same) this.onRunsChanged();
  }

  /** Reads every followed store (and the hub) again; a folder is listed again first, so stores added to it appear. */
  async refresh(): Promise<void> {
    if (this._target?.kind === 'folder' && this.contents) {
      const token = this.openToken;
      const target = await dashboardTarget(this.contents, this._target.path);
      if (this.disposed || token !== this.openToken) return;
      this._target = target;
      this.setNotebooks(target.stores.map((store) => store.path));
    }
    await this.runs.refresh();
  }

  /** The tab was shown or hidden: the stores are polled only while it is visible. */
  setVisible(visible: boolean): void {
    this.runs.setVisible(visible);
  }

  moveColumn(id: string, delta: number): boolean {
    return this.layoutEdit(this._layout.move(id, delta, this._available));
  }
  moveColumnTo(id: string, target: string, side: DropSide): boolean {
    return this.layoutEdit(this._layout.moveTo(id, target, side, this._available));
  }
  setColumnHidden(id: string, hidden: boolean): boolean {
    return this.layoutEdit(this._layout.setHidden(id, hidden));
  }
  resizeColumn(id: string, width: number): boolean {
    return this.layoutEdit(this._layout.resize(id, width));
  }
  resetColumns(): void {
    this._layout.reset();
    this._layoutChanged.emit();
  }

  /** The EMA weight (clamped to [0, MAX_SMOOTHING]). */
  setSmoothing(weight: number): void {
    const smoothing = Number.isFinite(weight) ? Math.min(MAX_SMOOTHING, Math.max(0, weight)) : 0;
    this.changeSettings({ smoothing });
  }
  setXAxis(xAxis: DashboardXAxis): void {
    if (DASHBOARD_X_AXES.includes(xAxis)) this.changeSettings({ xAxis });
  }
  setLogScale(logScale: boolean): void {
    this.changeSettings({ logScale: logScale === true });
  }
  /** Hides a compared run from the charts, or shows it again. */
  setRunHidden(runId: string, hidden: boolean): void {
    const rest = this._settings.hiddenRuns.filter((id) => id !== runId);
    this.changeSettings({ hiddenRuns: hidden ? [...rest, runId] : rest });
  }

  /** Everything a restored tab needs, as plain JSON. */
  state(): DashboardState {
    const { smoothing, xAxis, logScale, hiddenRuns } = this._settings;
    return {
      version: 1,
      query: this.runs.queryText,
      sort: { column: this.runs.sortColumn, descending: this.runs.descending },
      metricStat: this.runs.metricStat,
      selected: [...(this.pendingSelection ?? this.runs.selected)],
      showTeam: this.runs.showTeam,
      columns: this._layout.serialize(),
      charts: { smoothing, xAxis, logScale, hiddenRuns: [...hiddenRuns] },
    };
  }

  /**
   * Takes back a `state()` from untrusted JSON: each field that has the right type and range is
   * used, any other (or any other key) is left as it is. May come before or after `open()`: the
   * selection waits for the notebooks' runs.
   */
  restore(untrusted: unknown): void {
    if (!isObject(untrusted)) return;
    const field = (key: string): unknown => nameValue(untrusted, key);
    const version = field('version');
    if (version !== undefined && version !== 1) return;
    const query = field('query');
    if (typeof query === 'string' && query.length <= MAX_QUERY) this.runs.setQuery(query);
    const sort = field('sort');
    if (isObject(sort)) {
      const column = nameValue(sort, 'column');
      const descending = nameValue(sort, 'descending');
      if (typeof column === 'string' && column.length > 0 && column.length <= 1_024 && typeof descending === 'boolean') this.runs.setSort(column, descending);
    }
    const stat = field('metricStat');
    if (METRIC_STATS.includes(stat as MetricStat)) this.runs.metricStat = stat as MetricStat;
    const showTeam = field('showTeam');
    if (typeof showTeam === 'boolean') this.runs.showTeam = showTeam;
    const columns = field('columns');
    if (isObject(columns)) {
      this._layout = parseLayout(columns);
      this._layoutChanged.emit();
    }
    this.restoreCharts(field('charts'));
    const selected = runIds(field('selected'));
    if (selected) {
      if (this.followed.size > 0) this.runs.select(selected);
      else this.pendingSelection = selected;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.runs.dispose();
    Signal.clearData(this);
  }

  private restoreCharts(charts: unknown): void {
    if (!isObject(charts)) return;
    const changes: Partial<ChartSettings> = {};
    const smoothing = nameValue(charts, 'smoothing');
    if (typeof smoothing === 'number' && smoothing >= 0 && smoothing <= MAX_SMOOTHING) changes.smoothing = smoothing;
    const xAxis = nameValue(charts, 'xAxis');
    if (DASHBOARD_X_AXES.includes(xAxis as DashboardXAxis)) changes.xAxis = xAxis as DashboardXAxis;
    const logScale = nameValue(charts, 'logScale');
    if (typeof logScale === 'boolean') changes.logScale = logScale;
    const hiddenRuns = runIds(nameValue(charts, 'hiddenRuns'));
    if (hiddenRuns) changes.hiddenRuns = hiddenRuns;
    this.changeSettings(changes);
  }

  private changeSettings(changes: Partial<ChartSettings>): void {
    const next = { ...this._settings, ...changes };
    const same = next.smoothing === this._settings.smoothing && next.xAxis === this._settings.xAxis && next.logScale === this._settings.logScale && next.hiddenRuns.join() === this._settings.hiddenRuns.join();
    if (same) return;
    this._settings = next;
    this._settingsChanged.emit(next);
  }

  private layoutEdit(changed: boolean): boolean {
    if (changed) this._layoutChanged.emit();
    return changed;
  }

  private onRunsChanged(): void {
    if (this.disposed) return;
    const { runs } = this;
    const rows = runs.allRows;
    const { params, metrics, tags } = runs.columns;
    this._available = availableColumns({ params, metrics, tags, notebooks: this.followed.size, remote: rows.some((row) => row.remote !== null), experiments: rows.some((row) => row.record.experiment) });
    this.colorIndexes = new Map(runs.comparedIds.map((id, index) => [id, index]));
    this._changed.emit();
  }

  private onComparison(_: RunsPanelModel, comparison: Comparison | null): void {
    // Runs no longer compared are no longer hidden: selected again, they are drawn again.
    if (comparison) {
      const compared = new Set(comparison.rows.map((row) => row.record.id));
      const hidden = this._settings.hiddenRuns.filter((id) => compared.has(id));
      if (hidden.length !== this._settings.hiddenRuns.length) this.changeSettings({ hiddenRuns: hidden });
    }
    this._comparisonChanged.emit(comparison);
  }
}

/** A list of run ids from untrusted JSON (null: not a list); anything that is not a run id is left out. */
function runIds(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  return [...new Set(value.filter((id): id is string => typeof id === 'string' && isRunId(id)))].slice(0, MAX_SELECTED);
}
