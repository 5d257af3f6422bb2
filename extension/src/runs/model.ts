/**
 * The runs model of the side panel and of the dashboard: which notebooks (one for the panel, any
 * number for the dashboard), the query, the sort, the metric value shown, the selection, the
 * comparison and the details of one run, polling (the settings' interval while visible, nothing
 * while hidden, slower for the hub and slower still after hub errors), every store read (through
 * `ExperimentStore`, each run's in its own notebook's store) and every hub read (through an
 * `ITeamRuns`). It emits signals; the widgets only show what it holds and forward user actions.
 */
import { Signal, type ISignal } from '@lumino/signaling';
import { columnsOf, hasTags, matchesQuery, parseQuery, QueryError, runField, sortRows, type Columns, type MetricStat, type QueryNode, type RunOutput, type Series } from 'trainbook/core';
import { COMPARE_POINTS } from '../hub/hubSource.js';
import type { ExperimentStore } from '../store/experimentStore.js';
import type { HubStatus, INotebookRuns, IRunsPanel, ITeamRuns } from '../tokens.js';
import { mergeRows, notebooksRows, pointsSignature, stateSignature, type KernelState, type PanelRow } from './panelRows.js';
import { TeamFeed } from './teamFeed.js';

/** A notebook the model follows. */
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
  /**
   * The comparison follows the selection (the dashboard): drawn again as runs are selected,
   * deselected or filtered out, its runs in the order they were selected, so that re-sorting the
   * table keeps each run's colour. Off (the panel): the selection is compared on request, in
   * table order.
   */
  followSelection?: boolean;
}

/** The most runs compared at once unless set otherwise: more selected are left out, and the comparison says how many. */
export const COMPARE_LIMIT = 50;

/** A live run's comparison and details are read again at most this often; a new status or params redraws at once. */
export const LIVE_REFRESH_MS = 5_000;
/** A new query reaches the hub once typing pauses this long. */
export const QUERY_DEBOUNCE_MS = 400;

export interface QueryProblem {
  message: string;
  position: number;
}

/** The runs being compared (in table order, or selection order when following the selection), with their series (from the store or the hub). */
export interface Comparison {
  rows: PanelRow[];
  series: Array<Map<string, Series>>;
  /** Selected runs left out because more than `compareLimit` were selected. */
  omitted: number;
}

/** One selected run: its row and its captured output (null for a team run: its output stays on the hub). */
export interface RunDetails {
  row: PanelRow;
  output: Promise<RunOutput> | null;
}

export class RunsPanelModel implements IRunsPanel {
  private _notebooks: PanelNotebook[] = [];
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
  private compared: { ids: string[]; omitted: number; state: string; points: string; drawnAt: number } | null = null;
  private comparing = false;
  /** The selection changed while a comparison was read: follow it once that read is done. */
  private resync = false;
  /** The series of the runs last compared, by id, with the points signature they were read at. */
  private seriesCache = new Map<string, { points: string; series: Map<string, Series> }>();
  private _compareMinimum = 2;
  private _compareLimit = COMPARE_LIMIT;
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
  private readonly followSelection: boolean;

  constructor(options: RunsPanelModelOptions) {
    this.store = options.store;
    this.followSelection = options.followSelection ?? false;
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

  /** The notebook followed (the first of several), else null. */
  get notebook(): PanelNotebook | null {
    return this._notebooks[0] ?? null;
  }
  /** Every notebook followed, in the order given. */
  get notebooks(): readonly PanelNotebook[] {
    return this._notebooks;
  }
  /** The rows shown: filtered, sorted. */
  get rows(): readonly PanelRow[] {
    return this._rows;
  }
  /** Every row (the notebooks', then the team's not already among them). */
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
  /** The fewest selected runs that make a comparison (2 for the panel; 1 for the dashboard, which charts one run too). */
  get compareMinimum(): number {
    return this._compareMinimum;
  }
  set compareMinimum(count: number) {
    this._compareMinimum = Math.max(1, Math.trunc(count) || 1);
    if (this.followSelection) this.syncComparison();
  }
  /** The most runs compared at once; more selected are left out (`Comparison.omitted`). */
  get compareLimit(): number {
    return this._compareLimit;
  }
  set compareLimit(count: number) {
    this._compareLimit = Math.max(1, Math.trunc(count) || 1);
    if (this.followSelection) this.syncComparison();
  }
  /**
   * The runs a comparison holds now, or would hold (selected and shown, in comparison order, at
   * most `compareLimit`): a run's place here is its colour in every chart and table of the view.
   */
  get comparedIds(): readonly string[] {
    return this.rowsToCompare().rows.map((row) => row.record.id);
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
    const notebooks = notebook ? [notebook] : [];
    if (sameNotebooks(this._notebooks, notebooks)) return;
    this._selected.clear();
    this.clearComparison();
    this.setNotebooks(notebooks);
  }

  /**
   * Follows these notebooks at once (the dashboard); the selection keeps the runs still there.
   * Each new notebook's store is read when the model is visible.
   */
  setNotebooks(notebooks: readonly PanelNotebook[]): void {
    if (sameNotebooks(this._notebooks, notebooks)) return;
    const before = this._notebooks;
    for (const notebook of before) notebook.runs.changed.disconnect(this.update, this);
    this._notebooks = [...notebooks];
    for (const notebook of this._notebooks) notebook.runs.changed.connect(this.update, this);
    this.update();
    if (this.visible) for (const notebook of this._notebooks) if (!before.some((old) => old.runs === notebook.runs)) void notebook.runs.refresh();
  }

  /** The panel was shown or hidden: polls run only while it is visible. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.restartTimer();
    if (visible) void this.refresh();
  }

  /** Reads the notebooks' stores, and the hub when the team's runs are shown and a read is due. */
  async refresh(options: { team?: boolean } = {}): Promise<void> {
    const team = options.team ?? true;
    await Promise.all([...this._notebooks.map((notebook) => notebook.runs.refresh()), team ? this.team.refresh(this.teamQuery()) : undefined]);
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

  /** Sorts by a column in a given direction (a restored view). */
  setSort(column: string, descending: boolean): void {
    if (this._sortColumn === column && this._descending === descending) return;
    this._sortColumn = column;
    this._descending = descending;
    this.update();
  }

  set metricStat(stat: MetricStat) {
    this._metricStat = stat;
    this.update();
  }

  /** Selects or deselects one run. */
  setSelected(id: string, selected: boolean): void {
    if (selected === this._selected.has(id)) return;
    if (selected) this._selected.add(id);
    else this._selected.delete(id);
    // A comparison of runs no longer selected is stale (one still being read checks for itself).
    if (!this.followSelection && this.compared && this.compared.ids.some((compared) => !this._selected.has(compared))) this.clearComparison();
    this.update();
  }

  /** Selects exactly these runs (in this order). */
  select(ids: readonly string[]): void {
    this._selected.clear();
    for (const id of ids) this._selected.add(id);
    if (!this.followSelection) this.clearComparison();
    this.update();
  }

  /** Compares the selected runs (at most `compareLimit`): local series from each run's store, remote ones from the hub. */
  async compareSelected(): Promise<void> {
    const { rows, omitted } = this.rowsToCompare();
    if (rows.length < this._compareMinimum) return;
    await this.drawComparison(rows, omitted);
  }

  clearComparison(): void {
    this.compareToken++;
    const had = this._comparison !== null || this.compared !== null;
    this._comparison = null;
    this.compared = null;
    this.seriesCache = new Map();
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

  /** Recomputes the rows from the notebooks' runs and the team's, then follows the comparison and details. */
  private update(): void {
    if (this.disposed) return;
    const nowMs = this.now();
    const local = notebooksRows(this._notebooks, nowMs);
    const matching = local.filter((row) => matchesQuery(this.parsed, (field) => runField(row, field)));
    // The hub filtered its runs with the same query (compiled to SQL).
    this._allRows = mergeRows(local, this.team.runs, nowMs);
    const shown = [...matching, ...this._allRows.filter((row) => row.remote !== null)];
    this._rows = sortRows(shown, this._sortColumn, this._descending, this._metricStat) as PanelRow[];
    const { params, metrics } = columnsOf(this._allRows);
    this._columns = { params, metrics, tags: this._allRows.some((row) => hasTags(row.record)) };
    this.dropUnknownSelection();
    this._changed.emit();
    if (this.followSelection) this.syncComparison();
    else this.followComparison();
    this.followDetails();
  }

  /** Forgets selected runs that are gone; not while a notebook's store is still being read for the first time (a restored selection waits for it). */
  private dropUnknownSelection(): void {
    if (this._notebooks.some((notebook) => !notebook.runs.loaded)) return;
    const known = new Set(this._allRows.map((row) => row.record.id));
    for (const id of [...this._selected]) if (!known.has(id)) this._selected.delete(id);
  }

  /** The selected runs shown (in comparison order), at most `compareLimit`, and how many selected ones that leaves out. */
  private rowsToCompare(): { rows: PanelRow[]; omitted: number } {
    let rows: PanelRow[];
    if (this.followSelection) {
      const shown = new Map(this._rows.map((row) => [row.record.id, row] as const));
      rows = [...this._selected].map((id) => shown.get(id)).filter((row): row is PanelRow => row !== undefined);
    } else rows = this._rows.filter((row) => this._selected.has(row.record.id));
    return { rows: rows.slice(0, this._compareLimit), omitted: Math.max(0, rows.length - this._compareLimit) };
  }

  /** Following the selection: draws the runs that should be compared now, unless they are the ones drawn (then only follows their changes). */
  private syncComparison(): void {
    if (this.disposed) return;
    const { rows, omitted } = this.rowsToCompare();
    if (rows.length < this._compareMinimum) {
      this.clearComparison();
      return;
    }
    if (this.comparing) {
      this.resync = true;
      return;
    }
    if (this.compared && this.compared.omitted === omitted && sameIds(this.compared.ids, rows)) this.followComparison();
    else void this.drawComparison(rows, omitted);
  }

  private async drawComparison(rows: PanelRow[], omitted: number): Promise<void> {
    const token = this.compareToken;
    const cache = this.seriesCache;
    this.comparing = true;
    try {
      const read = await Promise.all(rows.map((row) => this.seriesOf(row, cache)));
      // Cleared meanwhile (deselected, another notebook, disposed): this comparison is not wanted.
      if (token !== this.compareToken || this.disposed || rows.some((row) => !this._selected.has(row.record.id))) return;
      if (this.followSelection && !sameIds(rows.map((row) => row.record.id), this.rowsToCompare().rows)) return;
      this.compared = { ids: rows.map((row) => row.record.id), omitted, state: stateSignature(rows), points: pointsSignature(rows), drawnAt: this.now() };
      this.seriesCache = new Map(rows.flatMap((row, i) => (read[i]!.fresh ? [[row.record.id, { points: pointsSignature([row]), series: read[i]!.series }] as const] : [])));
      this._comparison = { rows, series: read.map((r) => r.series), omitted };
      this._comparisonChanged.emit(this._comparison);
    } finally {
      this.comparing = false;
      if (this.resync) {
        this.resync = false;
        this.syncComparison();
      }
    }
  }

  /** A compared run's series: as last read while its points have not moved, else read again (a failed read is not kept). */
  private async seriesOf(row: PanelRow, cache: ReadonlyMap<string, { points: string; series: Map<string, Series> }>): Promise<{ series: Map<string, Series>; fresh: boolean }> {
    const cached = cache.get(row.record.id);
    if (cached && cached.points === pointsSignature([row])) return { series: cached.series, fresh: true };
    const read = row.remote ? this.team.series(row.record.id, COMPARE_POINTS) : row.notebook !== null ? this.store.readSeries(row.notebook, row.record.id) : undefined;
    if (!read) return { series: new Map(), fresh: false };
    return read.then(
      (series: Map<string, Series>) => ({ series, fresh: true }),
      () => ({ series: new Map<string, Series>(), fresh: false }),
    );
  }

  /** Reads a compared run's series again when it changed: at once for a new status or params, now and then for new points. */
  private followComparison(): void {
    if (!this.compared || this.comparing) return;
    const byId = new Map(this._allRows.map((row) => [row.record.id, row] as const));
    const rows = this.compared.ids.map((id) => byId.get(id)).filter((row): row is PanelRow => row !== undefined);
    if (rows.length < this._compareMinimum) return;
    if (pointsSignature(rows) === this.compared.points) return;
    if (stateSignature(rows) === this.compared.state && this.now() - this.compared.drawnAt < LIVE_REFRESH_MS) return;
    void this.drawComparison(rows, this.compared.omitted);
  }

  /** One run selected: its details, read again when it changes (a running run's output now and then). */
  private followDetails(): void {
    const row = this._selected.size === 1 ? this._allRows.find((r) => this._selected.has(r.record.id)) : undefined;
    if (!row || (!row.remote && row.notebook === null)) {
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
    this._details = { row, output: row.remote || row.notebook === null ? null : this.store.readOutput(row.notebook, row.record.id) };
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

function sameNotebooks(a: readonly PanelNotebook[], b: readonly PanelNotebook[]): boolean {
  return a.length === b.length && a.every((notebook, i) => notebook.runs === b[i]!.runs && notebook.path === b[i]!.path);
}

function sameIds(ids: readonly string[], rows: readonly PanelRow[]): boolean {
  return ids.length === rows.length && ids.every((id, i) => id === rows[i]!.record.id);
}
