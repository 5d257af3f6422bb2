/**
 * The runs panel: the current notebook's runs from its store, with status, experiment, start,
 * duration, tags (when a run has any), params and last (min–max) metrics. Sort by any column, filter with the query
 * language, select runs to compare, click a run to go to its cell. Polls the store while visible.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';
import { decodeNumber, formatNumber, nameValue, hasTags, tagTexts, matchesQuery, parseQuery, QueryError, type QueryNode, columnsOf, formatDuration, formatValue, METRIC_STATS, rowFor, runField, sortRows, type KernelRestart, type MetricStat, type RunRow, type RunRecord } from 'trainbook/core';
import { currentChartTheme } from '../theme.js';
import { CompareView } from './compare.js';
import { RunDetailsView } from './details.js';
import type { RunsModel } from './model.js';
import type { ExperimentStore } from './store.js';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const BUILTIN_COLUMNS: Array<{ id: string; label: string }> = [
  { id: 'status', label: 'status' },
  { id: 'name', label: 'run' },
  { id: 'experiment', label: 'experiment' },
  { id: 'started', label: 'started' },
  { id: 'duration', label: 'duration' },
];
/** Shown after the built-in columns when a run has tags (labels, then key=value). */
const TAGS_COLUMN = { id: 'tags', label: 'tags' };

/** Changes when a run gets a new status or new params: worth a redraw at once. */
function stateSignature(records: readonly RunRecord[]): string {
  return JSON.stringify(records.map((r) => [r.id, r.status, r.endedAt, r.params, r.tags, r.tagValues ?? null, Object.keys(r.models ?? {}), r.resumes?.length ?? 0]));
}

/** Changes when a run also gets new points. */
function compareSignature(records: readonly RunRecord[]): string {
  return `${stateSignature(records)}|${JSON.stringify(records.map((r) => Object.values(r.summary).map((s) => s.count)))}`;
}

/**
 * A live run's comparison and details are read again at most this often (a read fetches and
 * parses whole events files); a change of status or params redraws at once.
 */
const LIVE_REFRESH_MS = 5_000;

export class RunsPanel extends Widget {
  private panel: NotebookPanel | null = null;
  private model: RunsModel | null = null;
  private readonly title_ = el('div', 'tb-RunsPanel-notebook');
  private readonly query = el('input', 'tb-RunsPanel-query jp-mod-styled');
  private readonly queryError = el('div', 'tb-RunsPanel-queryError');
  private readonly compareButton = el('button', 'tb-RunsPanel-compare jp-mod-styled jp-mod-accept', 'Compare');
  private readonly refreshButton = el('button', 'tb-RunsPanel-refresh jp-mod-styled', 'Refresh');
  private readonly statChoice = el('select', 'tb-RunsPanel-stat jp-mod-styled');
  private readonly summary = el('div', 'tb-RunsPanel-summary');
  private readonly table = el('table', 'tb-RunsTable');
  private readonly compare = new CompareView(currentChartTheme);
  private readonly details = new RunDetailsView();
  /** The run the details view shows and what it looked like then. */
  private detailed: { id: string; signature: string; readAt: number } | null = null;
  private parsed: QueryNode | null = null;
  private sortColumn = 'started';
  /** Which value of each metric the table shows and sorts by. */
  private metricStat: MetricStat = 'last';
  /** The runs in the compare view and what they looked like when drawn, to redraw as they change. */
  private compared: { ids: string[]; state: string; signature: string; drawnAt: number } | null = null;
  private comparing = false;
  /** Bumped whenever the comparison is cleared, so a draw still reading the store is dropped. */
  private compareToken = 0;
  private descending = true;
  private readonly selected = new Set<string>();
  private timer: number | null = null;
  private visibleRows: RunRow[] = [];

  constructor(
    private readonly store: ExperimentStore,
    private readonly kernelRunning: (panel: NotebookPanel) => { running: boolean | null; restart: KernelRestart | null },
    private readonly goToCell: (panel: NotebookPanel, cellId: string) => void,
    private pollSeconds = 3,
  ) {
    super();
    this.id = 'trainbook-runs';
    this.addClass('tb-RunsPanel');
    this.title.caption = 'trainbook runs';
    this.query.type = 'search';
    this.query.placeholder = 'filter: loss < 0.3 and optimizer.name = "adam"';
    this.query.setAttribute('aria-label', 'Filter runs');
    this.query.addEventListener('input', () => this.onQuery());
    this.queryError.hidden = true;
    this.compareButton.disabled = true;
    this.compareButton.addEventListener('click', () => void this.showCompare());
    this.refreshButton.addEventListener('click', () => void this.model?.refresh());
    for (const stat of METRIC_STATS) this.statChoice.append(new Option(`${stat} value`, stat));
    this.statChoice.setAttribute('aria-label', 'Metric value shown and sorted');
    this.statChoice.title = 'Show and sort metrics by their last, lowest or highest value';
    this.statChoice.addEventListener('change', () => {
      this.metricStat = this.statChoice.value as MetricStat;
      this.render();
    });
    const bar = el('div', 'tb-RunsPanel-bar');
    bar.append(this.compareButton, this.refreshButton, this.statChoice);
    const tableWrap = el('div', 'tb-RunsPanel-tableWrap');
    tableWrap.append(this.table);
    this.node.append(this.title_, this.query, this.queryError, bar, this.summary, tableWrap, this.details.node, this.compare.node);
    this.render();
  }

  set pollInterval(seconds: number) {
    this.pollSeconds = Math.max(1, seconds);
    this.restartPolling();
  }

  /** Shows the runs of this notebook (null: no notebook is current). */
  setNotebook(panel: NotebookPanel | null, model: RunsModel | null): void {
    if (this.model === model) return;
    this.model?.changed.disconnect(this.render, this);
    this.panel = panel;
    this.model = model;
    this.selected.clear();
    this.clearCompare();
    this.details.clear();
    this.detailed = null;
    model?.changed.connect(this.render, this);
    this.render();
    if (model && this.isVisible) void model.refresh();
  }

  protected override onAfterShow(): void {
    void this.model?.refresh();
    this.restartPolling();
  }

  protected override onAfterHide(): void {
    this.stopPolling();
  }

  override dispose(): void {
    this.stopPolling();
    this.compareToken++;
    this.compare.dispose();
    this.details.clear();
    super.dispose();
  }

  private restartPolling(): void {
    this.stopPolling();
    if (!this.isVisible) return;
    this.timer = window.setInterval(() => {
      if (this.isVisible && !document.hidden) void this.model?.refresh();
    }, this.pollSeconds * 1000);
  }

  private stopPolling(): void {
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
  }

  private onQuery(): void {
    try {
      this.parsed = parseQuery(this.query.value);
      this.queryError.hidden = true;
      this.queryError.textContent = '';
      this.query.classList.remove('tb-mod-invalid');
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      this.queryError.hidden = false;
      this.queryError.textContent = `Bad query at ${error.message}`;
      this.queryError.dataset.position = String(error.position);
      this.query.classList.add('tb-mod-invalid');
      return; // keep the last good filter
    }
    this.render();
  }

  private render(): void {
    const model = this.model;
    this.title_.textContent = this.panel ? this.panel.context.path : 'Open a notebook to see its runs.';
    if (!model || !this.panel) {
      this.table.replaceChildren();
      this.summary.textContent = '';
      return;
    }
    const now = Date.now();
    const kernel = this.kernelRunning(this.panel);
    const all = model.records.map((record) => rowFor(record, now, kernel.running, kernel.restart));
    const rows = sortRows(all.filter((row) => matchesQuery(this.parsed, (field) => runField(row, field))), this.sortColumn, this.descending, this.metricStat);
    this.visibleRows = rows;
    for (const id of [...this.selected]) if (!all.some((r) => r.record.id === id)) this.selected.delete(id);
    const notes = [`${rows.length} of ${all.length} run${all.length === 1 ? '' : 's'}`];
    if (model.problems.length > 0) notes.push(`${model.problems.length} unreadable`);
    if (model.error) notes.push(model.error);
    this.summary.textContent = notes.join(' · ');
    this.node.dataset.runs = String(rows.length);
    const { params, metrics } = columnsOf(all);
    const tagColumns = all.some((row) => hasTags(row.record)) ? [TAGS_COLUMN] : [];
    const columns = [...BUILTIN_COLUMNS, ...tagColumns, ...params.map((p) => ({ id: `param:${p}`, label: p })), ...metrics.map((m) => ({ id: `metric:${m}`, label: m }))];

    const headRow = el('tr');
    headRow.append(el('th', 'tb-RunsTable-select'));
    for (const column of columns) {
      const th = el('th', column.id.startsWith('metric:') ? 'tb-mod-metric' : column.id.startsWith('param:') ? 'tb-mod-param' : undefined, column.label);
      th.dataset.column = column.id;
      th.title = `Sort by ${column.label}`;
      if (column.id === this.sortColumn) th.dataset.sort = this.descending ? 'descending' : 'ascending';
      th.addEventListener('click', () => {
        if (this.sortColumn === column.id) this.descending = !this.descending;
        else {
          this.sortColumn = column.id;
          this.descending = false;
        }
        this.render();
      });
      headRow.append(th);
    }
    const thead = el('thead');
    thead.append(headRow);
    const tbody = el('tbody');
    for (const row of rows) tbody.append(this.rowNode(row, columns));
    this.table.replaceChildren(thead, tbody);
    this.updateCompareButton();
    this.followCompared(all);
    this.updateDetails(model.records);
  }

  /** One run selected: its details (error, resumes, models, output), redrawn as it changes. */
  private updateDetails(records: readonly RunRecord[]): void {
    const record = this.selected.size === 1 ? records.find((r) => this.selected.has(r.id)) : undefined;
    if (!record || !this.panel) {
      if (this.detailed) this.details.clear();
      this.detailed = null;
      return;
    }
    const archive = this.model?.archiveOf(record.id) ?? null;
    const signature = `${stateSignature([record])}|${archive ?? ''}`;
    const now = Date.now();
    // A running run's output grows: read it again now and then, not on every poll.
    const stale = record.status === 'running' && now - (this.detailed?.readAt ?? 0) >= LIVE_REFRESH_MS;
    if (this.detailed?.id === record.id && this.detailed.signature === signature && !stale) return;
    this.detailed = { id: record.id, signature, readAt: now };
    void this.details.show(record, this.store.readOutput(this.panel.context.path, record.id), archive);
  }

  /** Redraws the compare view when a compared run changed (a live run's new points). */
  private followCompared(rows: readonly RunRow[]): void {
    if (!this.compared || this.comparing) return;
    const records = this.compared.ids.map((id) => rows.find((row) => row.record.id === id)?.record).filter((r): r is RunRecord => r !== undefined);
    if (records.length < 2) return;
    if (compareSignature(records) === this.compared.signature) return;
    // New points: redraw now and then; a new status or params: at once.
    if (stateSignature(records) === this.compared.state && Date.now() - this.compared.drawnAt < LIVE_REFRESH_MS) return;
    void this.drawCompare(records);
  }

  private clearCompare(): void {
    this.compareToken++;
    this.compare.clear();
    this.compared = null;
  }

  private rowNode(row: RunRow, columns: Array<{ id: string; label: string }>): HTMLTableRowElement {
    const { record } = row;
    const tr = el('tr', 'tb-RunsTable-row');
    tr.dataset.runId = record.id;
    tr.dataset.status = row.status;
    const archived = this.model?.archiveOf(record.id);
    if (archived) tr.dataset.archive = archived;
    const selectCell = el('td', 'tb-RunsTable-select');
    const box = el('input');
    box.type = 'checkbox';
    box.checked = this.selected.has(record.id);
    box.setAttribute('aria-label', `Select run ${record.name}`);
    box.addEventListener('click', (event) => event.stopPropagation());
    box.addEventListener('change', () => {
      if (box.checked) this.selected.add(record.id);
      else this.selected.delete(record.id);
      this.updateCompareButton();
      this.updateDetails(this.model?.records ?? []);
      // A comparison of runs no longer selected is stale (one still being read checks for itself).
      if (this.compared && this.compared.ids.some((id) => !this.selected.has(id))) this.clearCompare();
    });
    selectCell.append(box);
    tr.append(selectCell);
    for (const column of columns) {
      const td = el('td');
      td.dataset.column = column.id;
      if (column.id === 'status') {
        const pill = el('span', `tb-StatusPill tb-status-${row.status}`, row.status);
        td.append(pill);
        if (record.error) td.title = `${record.error.name}: ${record.error.message}`;
      } else if (column.id === 'name') {
        td.textContent = record.name;
        td.title = record.id;
        const archive = this.model?.archiveOf(record.id);
        if (archive) {
          const badge = el('span', 'tb-ArchiveBadge', 'archived');
          badge.title = `Kept as ${archive} (trainbook archive): never pruned`;
          badge.dataset.archive = archive;
          td.append(' ', badge);
        }
      } else if (column.id === 'experiment') td.textContent = record.experiment ?? '';
      else if (column.id === 'started') {
        const started = new Date(record.startedAt);
        td.textContent = Number.isNaN(started.getTime()) ? record.startedAt : started.toLocaleString();
      } else if (column.id === 'duration') td.textContent = formatDuration(row.durationMs, true);
      else if (column.id === TAGS_COLUMN.id) {
        td.textContent = tagTexts(record).join(', ');
        td.title = td.textContent;
      } else if (column.id.startsWith('param:')) td.textContent = formatValue(nameValue(record.params, column.id.slice(6)));
      else if (column.id.startsWith('metric:')) {
        const summary = nameValue(record.summary, column.id.slice(7));
        if (summary) {
          td.textContent = formatNumber(decodeNumber(summary[this.metricStat]));
          td.title = `last ${formatNumber(decodeNumber(summary.last))} · min ${formatNumber(decodeNumber(summary.min))} · max ${formatNumber(decodeNumber(summary.max))} · ${summary.count} points`;
          const range = el('span', 'tb-RunsTable-range', ` ${formatNumber(decodeNumber(summary.min))}–${formatNumber(decodeNumber(summary.max))}`);
          td.append(range);
        }
      }
      tr.append(td);
    }
    tr.addEventListener('click', () => {
      const cellId = record.cell?.id;
      if (this.panel && cellId) this.goToCell(this.panel, cellId);
    });
    return tr;
  }

  private updateCompareButton(): void {
    const count = this.selected.size;
    this.compareButton.disabled = count < 2;
    this.compareButton.textContent = count >= 2 ? `Compare ${count}` : 'Compare';
  }

  /** Compares the selected runs (in table order). */
  async showCompare(): Promise<void> {
    if (!this.panel || this.selected.size < 2) return;
    const records = this.visibleRows.map((r) => r.record).filter((r) => this.selected.has(r.id));
    await this.drawCompare(records);
    this.compare.node.scrollIntoView({ block: 'nearest' });
  }

  private async drawCompare(records: readonly RunRecord[]): Promise<void> {
    if (!this.panel) return;
    const token = this.compareToken;
    this.comparing = true;
    try {
      const path = this.panel.context.path;
      const series = await Promise.all(records.map((r) => this.store.readSeries(path, r.id).catch(() => new Map())));
      // Cleared meanwhile (deselected, another notebook, disposed): this comparison is not wanted.
      if (token !== this.compareToken || this.isDisposed || records.some((r) => !this.selected.has(r.id))) return;
      this.compared = { ids: records.map((r) => r.id), state: stateSignature(records), signature: compareSignature(records), drawnAt: Date.now() };
      await this.compare.show(records, series);
    } finally {
      this.comparing = false;
    }
  }

  /** Selects runs by id (for the command and tests). */
  select(ids: readonly string[]): void {
    this.selected.clear();
    for (const id of ids) this.selected.add(id);
    this.render();
  }
}
