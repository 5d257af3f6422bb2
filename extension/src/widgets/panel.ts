/**
 * The runs panel's widget: the query box, the bar (compare, refresh, metric value, team, open the
 * dashboard), the
 * table of runs (status, run, where (for team runs), experiment, start, duration, tags, params,
 * metrics) and below it one run's details or the comparison. It renders what the
 * `RunsPanelModel` holds and forwards every user action to it.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';
import { METRIC_STATS, type MetricStat } from 'trainbook/core';
import { currentChartTheme } from '../charts/theme.js';
import type { RunsPanelModel } from '../runs/model.js';
import type { PanelRow } from '../runs/panelRows.js';
import { CommandIDs } from '../tokens.js';
import { CompareView } from './compare.js';
import { RunDetailsView } from './details.js';
import { el } from './dom.js';
import { columnLabel, fillRunCell } from './runCells.js';

interface Column {
  id: string;
  label: string;
}

export interface RunsPanelOptions {
  trans: TranslationBundle;
  /** A local run's row was clicked: go to the cell that made it. */
  openCell: (cellId: string) => void;
  /**
   * The app's commands: the bar's "Open dashboard" runs `trainbook:open-dashboard` on the panel's
   * notebook. No button without them, or while no plugin has added that command.
   */
  commands?: CommandRegistry;
}

export class RunsPanel extends Widget {
  private readonly trans: TranslationBundle;
  private readonly heading = el('div', 'tb-RunsPanel-notebook');
  private readonly query = el('input', 'tb-RunsPanel-query jp-mod-styled');
  private readonly queryError = el('div', 'tb-RunsPanel-queryError');
  private readonly compareButton = el('button', 'tb-RunsPanel-compare jp-mod-styled jp-mod-accept');
  private readonly refreshButton = el('button', 'tb-RunsPanel-refresh jp-mod-styled');
  private readonly teamButton = el('button', 'tb-RunsPanel-team jp-mod-styled');
  private readonly dashboardButton = el('button', 'tb-RunsPanel-dashboard jp-mod-styled');
  private readonly statChoice = el('select', 'tb-RunsPanel-stat jp-mod-styled');
  private readonly summary = el('div', 'tb-RunsPanel-summary');
  private readonly teamLine = el('div', 'tb-RunsPanel-teamLine');
  private readonly table = el('table', 'tb-RunsTable');
  private readonly compare: CompareView;
  private readonly details: RunDetailsView;

  constructor(
    readonly model: RunsPanelModel,
    private readonly options: RunsPanelOptions,
  ) {
    super();
    const trans = (this.trans = options.trans);
    this.id = 'trainbook-runs';
    this.addClass('tb-RunsPanel');
    this.title.caption = trans.__('trainbook runs');
    this.compare = new CompareView(currentChartTheme, trans);
    this.details = new RunDetailsView(trans);
    this.query.type = 'search';
    this.query.placeholder = trans.__('filter: loss < 0.3 and optimizer.name = "adam"');
    this.query.setAttribute('aria-label', trans.__('Filter runs'));
    this.query.addEventListener('input', () => model.setQuery(this.query.value));
    this.queryError.hidden = true;
    this.compareButton.disabled = true;
    this.compareButton.addEventListener('click', () => void this.compareSelected());
    this.refreshButton.textContent = trans.__('Refresh');
    this.refreshButton.addEventListener('click', () => void model.refresh());
    this.teamButton.textContent = trans.__('Team');
    this.teamButton.title = trans.__("Show the team hub's runs beside the notebook's own");
    this.teamButton.hidden = true;
    this.teamButton.addEventListener('click', () => {
      model.showTeam = !model.showTeam;
    });
    this.dashboardButton.textContent = trans.__('Open dashboard');
    this.dashboardButton.title = trans.__('Compare these runs in the runs dashboard, a tab of its own');
    const { commands } = options;
    this.dashboardButton.addEventListener('click', () => {
      const notebook = model.notebook;
      if (commands && notebook) void commands.execute(CommandIDs.openDashboard, { path: notebook.path });
    });
    commands?.commandChanged.connect((_, change) => {
      if (change.id === CommandIDs.openDashboard || change.type === 'many-changed') this.renderDashboardButton();
    }, this);
    const statLabels: Record<MetricStat, string> = { last: trans.__('last value'), min: trans.__('min value'), max: trans.__('max value') };
    for (const stat of METRIC_STATS) this.statChoice.append(new Option(statLabels[stat], stat));
    this.statChoice.setAttribute('aria-label', trans.__('Metric value shown and sorted'));
    this.statChoice.title = trans.__('Show and sort metrics by their last, lowest or highest value');
    this.statChoice.addEventListener('change', () => {
      model.metricStat = this.statChoice.value as MetricStat;
    });
    const bar = el('div', 'tb-RunsPanel-bar');
    bar.append(this.compareButton, this.refreshButton, this.statChoice, this.teamButton, this.dashboardButton);
    const tableWrap = el('div', 'tb-RunsPanel-tableWrap');
    tableWrap.append(this.table);
    this.teamLine.hidden = true;
    this.node.append(this.heading, this.query, this.queryError, bar, this.summary, this.teamLine, tableWrap, this.details.node, this.compare.node);
    model.changed.connect(this.render, this);
    model.comparisonChanged.connect((_, comparison) => {
      if (comparison) void this.compare.show(comparison.rows.map((row) => row.record), comparison.series);
      else this.compare.clear();
      this.renderSummary();
    }, this);
    model.detailsChanged.connect((_, details) => {
      if (details) void this.details.show(details.row, details.output);
      else this.details.clear();
    }, this);
    this.render();
  }

  /** Compares the selected runs and brings the comparison into view. */
  async compareSelected(): Promise<void> {
    await this.model.compareSelected();
    if (this.model.comparison) this.compare.node.scrollIntoView({ block: 'nearest' });
  }

  protected override onAfterShow(): void {
    this.model.setVisible(true);
  }

  protected override onAfterHide(): void {
    this.model.setVisible(false);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.model.dispose();
    this.compare.dispose();
    this.details.clear();
    super.dispose();
  }

  private render(): void {
    const { model, trans } = this;
    const notebook = model.notebook;
    this.heading.textContent = notebook ? notebook.path : trans.__('Open a notebook to see its runs.');
    this.renderQueryProblem();
    this.renderTeam();
    this.renderDashboardButton();
    const count = model.selected.size;
    const enough = count >= model.compareMinimum;
    this.compareButton.disabled = !enough;
    this.compareButton.textContent = enough ? trans.__('Compare %1', count) : trans.__('Compare');
    this.renderSummary();
    if (!notebook && model.allRows.length === 0) {
      this.table.replaceChildren();
      return;
    }
    const rows = model.rows;
    this.node.dataset.runs = String(rows.length);

    const columns = this.columns();
    const headRow = el('tr');
    headRow.append(el('th', 'tb-RunsTable-select'));
    for (const column of columns) {
      const th = el('th', column.id.startsWith('metric:') ? 'tb-mod-metric' : column.id.startsWith('param:') ? 'tb-mod-param' : undefined, column.label);
      th.dataset.column = column.id;
      th.title = trans.__('Sort by %1', column.label);
      if (column.id === model.sortColumn) th.dataset.sort = model.descending ? 'descending' : 'ascending';
      th.addEventListener('click', () => model.sortBy(column.id));
      headRow.append(th);
    }
    const thead = el('thead');
    thead.append(headRow);
    const tbody = el('tbody');
    for (const row of rows) tbody.append(this.rowNode(row, columns));
    this.table.replaceChildren(thead, tbody);
  }

  /** "Open dashboard": there when the command is, usable with a notebook to open it on. */
  private renderDashboardButton(): void {
    const { commands } = this.options;
    this.dashboardButton.hidden = !commands?.hasCommand(CommandIDs.openDashboard);
    this.dashboardButton.disabled = this.model.notebook === null;
  }

  /** How many runs are shown of how many, what could not be read, and the selected runs left out of the comparison. */
  private renderSummary(): void {
    const { model, trans } = this;
    const notebook = model.notebook;
    if (!notebook && model.allRows.length === 0) {
      this.summary.textContent = '';
      return;
    }
    const notes = [trans._n('%2 of %1 run', '%2 of %1 runs', model.allRows.length, model.rows.length)];
    const problems = notebook?.runs.problems.length ?? 0;
    if (problems > 0) notes.push(trans.__('%1 unreadable', problems));
    if (notebook?.runs.error) notes.push(trans.__('Could not read the runs: %1', notebook.runs.error));
    const omitted = model.comparison?.omitted ?? 0;
    if (omitted > 0) notes.push(trans._n('%1 selected run not compared (at most %2 at once)', '%1 selected runs not compared (at most %2 at once)', omitted, model.compareLimit));
    this.summary.textContent = notes.join(' · ');
  }

  private columns(): Column[] {
    const { trans } = this;
    const { params, metrics, tags } = this.model.columns;
    const remote = this.model.allRows.some((row) => row.remote !== null);
    const ids = ['status', 'name', ...(remote ? ['origin'] : []), 'experiment', 'started', 'duration', ...(tags ? ['tags'] : []), ...params.map((p) => `param:${p}`), ...metrics.map((m) => `metric:${m}`)];
    return ids.map((id) => ({ id, label: columnLabel(id, trans) }));
  }

  private renderQueryProblem(): void {
    const problem = this.model.queryProblem;
    this.queryError.hidden = problem === null;
    this.queryError.textContent = problem ? this.trans.__('Bad query at %1', problem.message) : '';
    if (problem) this.queryError.dataset.position = String(problem.position);
    this.query.classList.toggle('tb-mod-invalid', problem !== null);
  }

  /** The Team toggle and the hub's line: only when the server has a hub configured. */
  private renderTeam(): void {
    const { model, trans } = this;
    const status = model.teamStatus;
    this.teamButton.hidden = !model.teamAvailable;
    this.teamButton.setAttribute('aria-pressed', String(model.showTeam));
    this.teamButton.classList.toggle('tb-mod-active', model.showTeam);
    this.teamLine.hidden = !model.teamAvailable || !model.showTeam;
    if (this.teamLine.hidden || !status) return;
    const remote = model.allRows.filter((row) => row.remote !== null).length;
    const parts = [trans.__('Team hub %1', status.hub ?? ''), trans._n('%1 team run', '%1 team runs', remote)];
    if (model.teamTotal > remote) parts.push(trans.__('%1 match on the hub', model.teamTotal));
    if (model.teamError) parts.push(model.teamError);
    this.teamLine.textContent = parts.join(' · ');
    this.teamLine.classList.toggle('tb-mod-error', model.teamError !== null);
  }

  private rowNode(row: PanelRow, columns: Column[]): HTMLTableRowElement {
    const { trans, model } = this;
    const { record, remote } = row;
    const tr = el('tr', remote ? 'tb-RunsTable-row tb-mod-remote' : 'tb-RunsTable-row');
    tr.dataset.runId = record.id;
    tr.dataset.status = row.status;
    if (remote) tr.dataset.remote = 'true';
    if (row.archive) tr.dataset.archive = row.archive;
    const selectCell = el('td', 'tb-RunsTable-select');
    const box = el('input');
    box.type = 'checkbox';
    box.checked = model.selected.has(record.id);
    box.setAttribute('aria-label', trans.__('Select run %1', record.name));
    box.addEventListener('click', (event) => event.stopPropagation());
    box.addEventListener('change', () => model.setSelected(record.id, box.checked));
    selectCell.append(box);
    tr.append(selectCell);
    for (const column of columns) tr.append(this.cellNode(row, column));
    tr.addEventListener('click', () => {
      const cellId = record.cell?.id;
      if (!remote && cellId) this.options.openCell(cellId);
    });
    return tr;
  }

  private cellNode(row: PanelRow, column: Column): HTMLTableCellElement {
    const td = el('td');
    td.dataset.column = column.id;
    fillRunCell(td, row, column.id, { trans: this.trans, metricStat: this.model.metricStat });
    return td;
  }
}
