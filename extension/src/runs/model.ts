/**
 * The runs panel's model: which notebook, the query, the sort, the metric value shown, the
 * selection, the comparison and the details of one run, polling (the settings' interval while
 * the panel is visible, nothing while it is hidden, slower for the hub and slower still after
 * hub errors), every store read (through `ExperimentStore`) and every hub read (through an
 * `ITeamRuns`). It emits signals; the widgets only show what it holds and forward user actions.
 */
import { Signal, type ISignal } from '@lumino/signaling';
import { columnsOf, hasTags, matchesQuery, parseQuery, QueryError, runField, sortRows, type Columns, type MetricStat, type QueryNode, type RunOutput, type Series } from 'trainbook/core';
import { COMPARE_POINTS } from '../hub/hubSource.js';
import type { ExperimentStore } from '../store/experimentStore.js';
import type { HubStatus, INotebookRuns, IRunsPanel, ITeamRuns } from '../tokens.js';
import { localRows, mergeRows, pointsSignature, stateSignature, type KernelState, type PanelRow } from './panelRows.js';
import { TeamFeed } from './teamFeed.js';

/** The notebook the panel follows. */
export interface PanelNotebook {
  readonly path: string;
  readonly runs: INotebookRuns;
  kernel(): KernelState;
}

export interface RunsPanelModelOptions {
  store: Pick<ExperimentStore, 'readSeries' | 'readOutput'>;
  /** The clock (tests pass their own). */
  now?: () => number;
  /** True while the browser tab is in the background: polls are skipped then. */
  pageHidden?: () => boolean;
}

/** A live run's comparison and details are read again at most this often; a new status or params redraws at once. */
export const LIVE_REFRESH_MS = 5_000;
/** A new query reaches the hub once typing pauses this long. */
export const QUERY_DEBOUNCE_MS = 400;

export interface QueryProblem {
  message: string;
  position: number;
}

/** The runs being compared, in table order, with their series (from the store or the hub). */
export interface Comparison {
  rows: PanelRow[];
  series: Array<Map<string, Series>>;
}

/** One selected run: its row and its captured output (null for a team run: its output stays on the hub). */
export interface RunDetails {
  row: PanelRow;
  output: Promise<RunOutput> | null;
}

export class RunsPanelModel implements IRunsPanel {
  private _notebook: PanelNotebook | null = null;
  private _queryText = '';
  private parsed: QueryNode | null = null;
  private _queryProblem: QueryProblem | null = null;
  private _sortColumn = 'started';
  private _descending = true;
  private _metricStat: MetricStat = 'last';
  private readonly _selected = new Set<string>();
  private _rows: PanelRow[] = [];
  private _allRows: PanelRow[] = [];
  private _columns: Columns & { tags: boolean } = { params: [], metrics: [], tags: false };

  private readonly team: TeamFeed;
  private queryTimer: ReturnType<typeof setTimeout> | null = null;

  private _comparison: Comparison | null = null;
  private compared: { ids: string[]; state: string; points: string; drawnAt: number } | null = null;
  private comparing = false;
  /** Bumped whenever the comparison is cleared, so a read still under way is dropped. */
  private compareToken = 0;
  private _details: RunDetails | null = null;
  private detailed: { id: string; signature: string; readAt: number } | null = null;

  private pollMs = 3_000;
  private visible = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private disposed = false;

  private readonly _changed = new Signal<this, void>(this);
  private readonly _comparisonChanged = new Signal<this, Comparison | null>(this);
  private readonly _detailsChanged = new Signal<this, RunDetails | null>(this);
  private readonly store: RunsPanelModelOptions['store'];
  private readonly now: () => number;
  private readonly pageHidden: () => boolean;

  constructor(options: RunsPanelModelOptions) {
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.pageHidden = options.pageHidden ?? (() => typeof document !== 'undefined' && document.hidden);
    this.team = new TeamFeed(this.now, () => this.update());
  }

  /** Rows, query, sort, selection or the team's state changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get comparisonChanged(): ISignal<this, Comparison | null> {
    return this._comparisonChanged;
  }
  get detailsChanged(): ISignal<this, RunDetails | null> {
    return this._detailsChanged;
  }

  get notebook(): PanelNotebook | null {
    return this._notebook;
  }
  /** The rows shown: filtered, sorted. */
  get rows(): readonly PanelRow[] {
    return this._rows;
  }
  /** Every row (the notebook's, then the team's not already among them). */
  get allRows(): readonly PanelRow[] {
    return this._allRows;
  }
  get localCount(): number {
    return this._allRows.filter((row) => row.remote === null).length;
  }
  /** The table's columns over every row: params, metrics, and whether a tags column is needed. */
  get columns(): Columns & { tags: boolean } {
    return this._columns;
  }
  get queryText(): string {
    return this._queryText;
  }
  get queryProblem(): QueryProblem | null {
    return this._queryProblem;
  }
  get sortColumn(): string {
    return this._sortColumn;
  }
  get descending(): boolean {
    return this._descending;
  }
  get metricStat(): MetricStat {
    return this._metricStat;
  }
  get selected(): ReadonlySet<string> {
    return this._selected;
  }
  get comparison(): Comparison | null {
    return this._comparison;
  }
  get details(): RunDetails | null {
    return this._details;
  }
  get teamStatus(): HubStatus | null {
    return this.team.status;
  }
  /** A hub is configured on the server: the panel offers the team's runs. */
  get teamAvailable(): boolean {
    return this.team.available;
  }
  get showTeam(): boolean {
    return this.team.shown;
  }
  set showTeam(show: boolean) {
    this.team.setShown(show, this.teamQuery());
  }
  /** Team runs that match on the hub (more than shown when over the limit). */
  get teamTotal(): number {
    return this.team.total;
  }
  get teamError(): string | null {
    return this.team.error;
  }

  /** Seconds between polls while the panel is visible (the settings' `pollIntervalSeconds`). */
  set pollSeconds(seconds: number) {
    this.pollMs = Math.max(1, seconds) * 1000;
    this.team.pollMs = this.pollMs;
    this.restartTimer();
  }

  /** Follows this notebook (null: none is current); selection, comparison and details start over. */
  setNotebook(notebook: PanelNotebook | null): void {
    if (this._notebook?.runs === notebook?.runs && this._notebook?.path === notebook?.path) return;
    this._notebook?.runs.changed.disconnect(this.update, this);
    this._notebook = notebook;
    this._selected.clear();
    this.clearComparison();
    notebook?.runs.changed.connect(this.update, this);
    this.update();
    if (notebook && this.visible) void notebook.runs.refresh();
  }

  /** The panel was shown or hidden: polls run only while it is visible. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.restartTimer();
    if (visible) void this.refresh();
  }

  /** Reads the notebook's store, and the hub when the team's runs are shown and a read is due. */
  async refresh(options: { team?: boolean } = {}): Promise<void> {
    const team = options.team ?? true;
    await Promise.all([this._notebook?.runs.refresh(), team ? this.team.refresh(this.teamQuery()) : undefined]);
  }

  /** Filters with the query language; a bad query keeps the last good filter and says where it broke. */
  setQuery(text: string): void {
    this._queryText = text;
    try {
      this.parsed = parseQuery(text);
      this._queryProblem = null;
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      this._queryProblem = { message: error.message, position: error.position };
      this._changed.emit();
      return;
    }
    this.update();
    this.scheduleTeamQuery();
  }

  /** Sorts by a column; the same column again flips the direction. */
  sortBy(column: string): void {
    if (this._sortColumn === column) this._descending = !this._descending;
    else {
      this._sortColumn = column;
      this._descending = false;
    }
    this.update();
  }

  set metricStat(stat: MetricStat) {
    this._metricStat = stat;
    this.update();
  }

  /** Selects or deselects one run. */
  setSelected(id: string, selected: boolean): void {
    if (selected) this._selected.add(id);
    else this._selected.delete(id);
    // A comparison of runs no longer selected is stale (one still being read checks for itself).
    if (this.compared && this.compared.ids.some((compared) => !this._selected.has(compared))) this.clearComparison();
    this.update();
  }

  /** Selects exactly these runs. */
  select(ids: readonly string[]): void {
    this._selected.clear();
    for (const id of ids) this._selected.add(id);
    this.clearComparison();
    this.update();
  }

  /** Compares the selected runs, in table order: local series from the store, remote ones from the hub. */
  async compareSelected(): Promise<void> {
    const rows = this._rows.filter((row) => this._selected.has(row.record.id));
    if (rows.length < 2) return;
    await this.drawComparison(rows);
  }

  clearComparison(): void {
    this.compareToken++;
    const had = this._comparison !== null || this.compared !== null;
    this._comparison = null;
    this.compared = null;
    if (had) this._comparisonChanged.emit(null);
  }

  /** Uses the team hub beside the notebook's store (null: none); asks it once whether it is configured. */
  setTeamSource(source: ITeamRuns | null): void {
    void this.team.setSource(source, this.teamQuery());
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopTimer();
    if (this.queryTimer !== null) clearTimeout(this.queryTimer);
    this.compareToken++;
    Signal.clearData(this);
  }

  /** The query the hub gets: the last good one. */
  private teamQuery(): string {
    return this.parsed === null ? '' : this._queryText;
  }

  private scheduleTeamQuery(): void {
    if (!this.team.available || !this.team.shown) return;
    if (this.queryTimer !== null) clearTimeout(this.queryTimer);
    this.queryTimer = setTimeout(() => {
      this.queryTimer = null;
      void this.team.refresh(this.teamQuery(), { force: true });
    }, QUERY_DEBOUNCE_MS);
  }

  /** Recomputes the rows from the notebook's runs and the team's, then follows the comparison and details. */
  private update(): void {
    if (this.disposed) return;
    const nowMs = this.now();
    const notebook = this._notebook;
    const local = notebook ? localRows(notebook.runs, nowMs, notebook.kernel()) : [];
    const matching = local.filter((row) => matchesQuery(this.parsed, (field) => runField(row, field)));
    // The hub filtered its runs with the same query (compiled to SQL).
    this._allRows = mergeRows(local, this.team.runs, nowMs);
    const shown = [...matching, ...this._allRows.filter((row) => row.remote !== null)];
    this._rows = sortRows(shown, this._sortColumn, this._descending, this._metricStat) as PanelRow[];
    const { params, metrics } = columnsOf(this._allRows);
    this._columns = { params, metrics, tags: this._allRows.some((row) => hasTags(row.record)) };
    this.dropUnknownSelection();
    this._changed.emit();
    this.followComparison();
    this.followDetails();
  }

  private dropUnknownSelection(): void {
    for (const id of [...this._selected]) if (!this._allRows.some((row) => row.record.id === id)) this._selected.delete(id);
  }

  private async drawComparison(rows: PanelRow[]): Promise<void> {
    const notebook = this._notebook;
    const token = this.compareToken;
    this.comparing = true;
    try {
      const series = await Promise.all(rows.map((row) => this.readSeries(notebook, row)));
      // Cleared meanwhile (deselected, another notebook, disposed): this comparison is not wanted.
      if (token !== this.compareToken || this.disposed || rows.some((row) => !this._selected.has(row.record.id))) return;
      this.compared = { ids: rows.map((row) => row.record.id), state: stateSignature(rows), points: pointsSignature(rows), drawnAt: this.now() };
      this._comparison = { rows, series };
      this._comparisonChanged.emit(this._comparison);
    } finally {
      this.comparing = false;
    }
  }

  private readSeries(notebook: PanelNotebook | null, row: PanelRow): Promise<Map<string, Series>> {
    const read = row.remote ? this.team.series(row.record.id, COMPARE_POINTS) : notebook ? this.store.readSeries(notebook.path, row.record.id) : undefined;
    return (read ?? Promise.resolve(new Map<string, Series>())).catch(() => new Map<string, Series>());
  }

  /** Reads a compared run's series again when it changed: at once for a new status or params, now and then for new points. */
  private followComparison(): void {
    if (!this.compared || this.comparing) return;
    const byId = new Map(this._allRows.map((row) => [row.record.id, row] as const));
    const rows = this.compared.ids.map((id) => byId.get(id)).filter((row): row is PanelRow => row !== undefined);
    if (rows.length < 2) return;
    if (pointsSignature(rows) === this.compared.points) return;
    if (stateSignature(rows) === this.compared.state && this.now() - this.compared.drawnAt < LIVE_REFRESH_MS) return;
    void this.drawComparison(rows);
  }

  /** One run selected: its details, read again when it changes (a running run's output now and then). */
  private followDetails(): void {
    const row = this._selected.size === 1 ? this._allRows.find((r) => this._selected.has(r.record.id)) : undefined;
    const notebook = this._notebook;
    if (!row || (!row.remote && !notebook)) {
      this.detailed = null;
      if (this._details) {
        this._details = null;
        this._detailsChanged.emit(null);
      }
      return;
    }
    const signature = `${stateSignature([row])}|${row.archive ?? ''}|${row.remote ? `${row.remote.host}|${row.remote.user}` : ''}`;
    const nowMs = this.now();
    const stale = !row.remote && row.status === 'running' && nowMs - (this.detailed?.readAt ?? 0) >= LIVE_REFRESH_MS;
    if (this.detailed?.id === row.record.id && this.detailed.signature === signature && !stale) return;
    this.detailed = { id: row.record.id, signature, readAt: nowMs };
    this._details = { row, output: row.remote ? null : this.store.readOutput(notebook!.path, row.record.id) };
    this._detailsChanged.emit(this._details);
  }

  private restartTimer(): void {
    this.stopTimer();
    if (!this.visible || this.disposed) return;
    this.timer = setInterval(() => {
      if (!this.pageHidden()) void this.refresh();
    }, this.pollMs);
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
