/**
 * The runs dashboard's tab content: the toolbar (query box, metric value, refresh, the team's
 * runs when the server has a hub), the `DashboardTable`, and for the runs selected in it the
 * charts, the hyperparameter views and the report bar; "Select runs to compare" while none is.
 * It shows what the `DashboardModel` holds and forwards user actions to it; the charts follow the
 * JupyterLab theme. Text only through textContent.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import { METRIC_STATS, type ChartTheme, type MetricStat } from 'trainbook/core';
import { watchTheme } from '../../charts/theme.js';
import type { DashboardModel } from '../../dashboard/model.js';
import type { Comparison } from '../../runs/model.js';
import { el } from '../dom.js';
import { DashboardCharts } from './charts.js';
import { HyperView } from './hyper.js';
import { ReportBar, type ReportBarOptions } from './reportBar.js';
import { DashboardTable } from './table.js';

export interface DashboardOptions {
  trans: TranslationBundle;
  theme: () => ChartTheme;
  /** What the tab was opened on: a notebook, a store folder or a folder (a server path). */
  path: string;
  report: Omit<ReportBarOptions, 'trans'>;
}

/** A plain DOM node as a child widget of the dashboard's panel. */
function nodeWidget(node: HTMLElement, className: string): Widget {
  const widget = new Widget({ node });
  widget.addClass(className);
  return widget;
}

export class Dashboard extends Panel {
  readonly path: string;
  private readonly trans: TranslationBundle;
  private readonly query = el('input', 'tb-Dashboard-query');
  private readonly queryError = el('div', 'tb-Dashboard-queryError');
  private readonly statChoice = el('select', 'tb-Dashboard-stat jp-mod-styled');
  private readonly refreshButton = el('button', 'tb-Dashboard-refresh jp-mod-styled');
  private readonly teamButton = el('button', 'tb-Dashboard-team jp-mod-styled');
  private readonly where = el('div', 'tb-Dashboard-where');
  private readonly problem = el('div', 'tb-Dashboard-problem');
  private readonly empty = el('div', 'tb-Dashboard-empty');
  private readonly compared = el('div', 'tb-Dashboard-compared');
  private readonly table: DashboardTable;
  private readonly charts: DashboardCharts;
  private readonly hyper: HyperView;
  private readonly reportBar: ReportBar;
  private readonly stopWatchingTheme: () => void;
  private failure: string | null = null;

  constructor(
    readonly model: DashboardModel,
    options: DashboardOptions,
  ) {
    super();
    const trans = (this.trans = options.trans);
    this.path = options.path;
    this.addClass('tb-Dashboard');
    // Connected before the table's own render, so it renders the rows of its new height.
    model.changed.connect(this.fitTable, this);
    this.table = new DashboardTable(model, { trans });
    this.fitTable();
    this.table.addClass('tb-Dashboard-table');
    this.charts = new DashboardCharts(model, { trans, theme: options.theme });
    this.hyper = new HyperView(model, { trans, theme: options.theme });
    this.reportBar = new ReportBar({ trans, ...options.report });

    this.addWidget(nodeWidget(this.toolbar(), 'tb-Dashboard-head'));
    this.addWidget(this.table);
    this.addWidget(nodeWidget(this.body(), 'tb-Dashboard-body'));

    model.changed.connect(this.render, this);
    model.comparisonChanged.connect(this.onComparison, this);
    this.stopWatchingTheme = watchTheme(() => {
      this.charts.themeChanged();
      this.hyper.themeChanged();
    });
    this.render();
    this.onComparison(model, model.comparison);
  }

  private toolbar(): HTMLElement {
    const { trans, model } = this;
    const bar = el('div', 'tb-Dashboard-toolbar');
    this.query.type = 'search';
    this.query.placeholder = trans.__('filter: loss < 0.3 and optimizer.name = "adam"');
    this.query.setAttribute('aria-label', trans.__('Filter runs'));
    this.query.value = model.runs.queryText;
    this.query.addEventListener('input', () => model.runs.setQuery(this.query.value));
    const statLabels: Record<MetricStat, string> = { last: trans.__('last value'), min: trans.__('min value'), max: trans.__('max value') };
    for (const stat of METRIC_STATS) this.statChoice.append(new Option(statLabels[stat], stat));
    this.statChoice.setAttribute('aria-label', trans.__('Metric value shown, sorted and plotted'));
    this.statChoice.title = trans.__('Which value of each metric the table shows and sorts by');
    this.statChoice.addEventListener('change', () => {
      model.runs.metricStat = this.statChoice.value as MetricStat;
    });
    this.refreshButton.type = 'button';
    this.refreshButton.textContent = trans.__('Refresh');
    this.refreshButton.title = trans.__('Read the stores (and the folder) again');
    this.refreshButton.addEventListener('click', () =>
      void model.refresh().then(
        () => this.showError(''),
        (error: unknown) => this.showError(error instanceof Error ? error.message : String(error)),
      ),
    );
    this.teamButton.type = 'button';
    this.teamButton.textContent = trans.__('Team');
    this.teamButton.title = trans.__("Show the team hub's runs beside these");
    this.teamButton.hidden = true;
    this.teamButton.addEventListener('click', () => {
      model.runs.showTeam = !model.runs.showTeam;
    });
    this.queryError.hidden = true;
    this.queryError.setAttribute('role', 'status');
    this.problem.hidden = true;
    this.problem.setAttribute('role', 'alert');
    const controls = el('div', 'tb-Dashboard-controls');
    controls.append(this.query, this.statChoice, this.refreshButton, this.teamButton);
    bar.append(this.where, controls, this.queryError, this.problem);
    return bar;
  }

  private body(): HTMLElement {
    const { trans } = this;
    const body = el('div', 'tb-Dashboard-sections');
    this.empty.append(el('p', 'tb-Dashboard-emptyTitle', trans.__('Select runs to compare')), el('p', 'tb-Dashboard-emptyHint', trans.__('Tick runs in the table: their curves, parameters and a report appear here.')));
    const section = (className: string, title: string, content: HTMLElement): HTMLElement => {
      const node = el('section', `tb-Dashboard-section ${className}`);
      const heading = el('h2', 'tb-Dashboard-sectionTitle', title);
      node.append(heading, content);
      return node;
    };
    this.compared.append(
      section('tb-Dashboard-chartsSection', trans.__('Charts'), this.charts.node),
      section('tb-Dashboard-hyperSection', trans.__('Hyperparameters'), this.hyper.node),
      section('tb-Dashboard-reportSection', trans.__('Report'), this.reportBar.node),
    );
    body.append(this.empty, this.compared);
    return body;
  }

  /** A failure to list what the tab follows (or to refresh it), said where the user looks until the next success. */
  showError(message: string): void {
    this.failure = message === '' ? null : message;
    this.render();
  }

  private render(): void {
    if (this.isDisposed) return;
    const { model, trans } = this;
    const runs = model.runs;
    const target = model.target;
    const notebooks = model.notebookPaths.length;
    if (target === null) this.where.textContent = trans.__('Reading %1…', this.path || '/');
    else if (target.kind === 'missing') this.where.textContent = trans.__('%1 is not a notebook, a store or a folder this server has.', this.path || '/');
    else if (notebooks === 0) this.where.textContent = trans.__('No trainbook stores in %1: stores sit beside notebooks (train.trainbook/ next to train.ipynb).', this.path || '/');
    else this.where.textContent = trans._n('Runs of %2', 'Runs of %1 notebooks in %2', notebooks, this.path || '/');
    this.node.dataset.notebooks = String(notebooks);
    this.node.dataset.runs = String(runs.rows.length);
    if (this.statChoice.value !== runs.metricStat) this.statChoice.value = runs.metricStat;
    if (document.activeElement !== this.query && this.query.value !== runs.queryText) this.query.value = runs.queryText;
    const problem = runs.queryProblem;
    this.queryError.hidden = problem === null;
    this.queryError.textContent = problem ? trans.__('Bad query at %1', problem.message) : '';
    this.query.classList.toggle('tb-mod-invalid', problem !== null);
    this.teamButton.hidden = !runs.teamAvailable;
    this.teamButton.setAttribute('aria-pressed', String(runs.showTeam));
    this.teamButton.classList.toggle('tb-mod-active', runs.showTeam);
    const problems = [this.failure, ...runs.notebooks.map((notebook) => notebook.runs.error), runs.showTeam ? runs.teamError : null].filter((text): text is string => text !== null);
    this.problem.textContent = problems.join(' · ');
    this.problem.hidden = problems.length === 0;
  }

  /** The table as tall as its rows, up to the stylesheet's limit. */
  private fitTable(): void {
    this.table?.node.style.setProperty('--tb-Dashboard-tableRows', String(Math.max(1, this.model.runs.rows.length)));
  }

  private onComparison(_: DashboardModel, comparison: Comparison | null): void {
    const comparing = comparison !== null && comparison.rows.length > 0;
    this.empty.hidden = comparing || this.model.runs.selected.size > 0;
    this.compared.hidden = !comparing;
    this.node.dataset.compared = String(comparing ? comparison.rows.length : 0);
    this.reportBar.setRows(comparing ? comparison.rows : []);
  }

  protected override onAfterShow(): void {
    this.model.setVisible(true);
  }

  protected override onAfterAttach(): void {
    // Polls run while the tab is attached; the model's `pageHidden` skips them while it is not
    // visible. (A restored tab can be attached before it is visible and then get no after-show.)
    this.model.setVisible(true);
  }

  protected override onBeforeDetach(): void {
    this.model.setVisible(false);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.stopWatchingTheme();
    this.charts.dispose();
    this.hyper.dispose();
    this.reportBar.dispose();
    this.model.changed.disconnect(this.render, this);
    this.model.changed.disconnect(this.fitTable, this);
    this.model.comparisonChanged.disconnect(this.onComparison, this);
    super.dispose();
  }
}
