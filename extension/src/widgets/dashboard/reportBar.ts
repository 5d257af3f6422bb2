/**
 * The dashboard's report bar, for the runs it compares: copy the `trainbook report` or
 * `trainbook publish` line (shell-quoted, see commandLine.ts), or have the Jupyter server write
 * the report (`POST trainbook/api/report`) and open it in JupyterLab. Team runs live on the hub,
 * not in a local store: they are left out, and the bar says so. Text only through textContent.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { PanelRow } from '../../runs/panelRows.js';
import { el } from '../dom.js';
import { publishCommand, reportCommand, type ReportCommandInput } from './commandLine.js';
import { ReportError, writeReport, type ReportPost } from './reportEndpoint.js';

export interface ReportBarOptions {
  trans: TranslationBundle;
  /** The transport of the report endpoint (the user's Jupyter session). */
  post: ReportPost;
  /** Opens a file of the server's root in JupyterLab. */
  openFile: (path: string) => void;
  /** Puts text on the system clipboard. */
  copy: (text: string) => void;
  /** Asks where to write the report (a path relative to the root); null: cancelled. */
  askOutput: (suggested: string) => Promise<string | null>;
}

/** Where a report of these stores goes unless the user says otherwise: beside the first one. */
export function suggestedOutput(stores: readonly string[]): string {
  const first = stores[0] ?? '';
  const slash = first.lastIndexOf('/');
  const folder = slash >= 0 ? first.slice(0, slash + 1) : '';
  const name = first.slice(slash + 1).replace(/\.(ipynb|trainbook)$/, '');
  return `${folder}${name || 'runs'}-report.html`;
}

/** The stores and run ids of the local runs among `rows` (team runs are on the hub, not in a store). */
export function reportInput(rows: readonly PanelRow[]): ReportCommandInput & { team: number } {
  const local = rows.filter((row) => row.remote === null && row.notebook !== null);
  return { stores: [...new Set(local.map((row) => row.notebook!))], runs: local.map((row) => row.record.id), team: rows.length - local.length };
}

export class ReportBar {
  readonly node = el('div', 'tb-ReportBar');
  private readonly copyReport = el('button', 'tb-ReportBar-copyReport jp-mod-styled');
  private readonly copyPublish = el('button', 'tb-ReportBar-copyPublish jp-mod-styled');
  private readonly write = el('button', 'tb-ReportBar-write jp-mod-styled jp-mod-accept');
  private readonly status = el('div', 'tb-ReportBar-status');
  private readonly note = el('div', 'tb-ReportBar-note');
  private input: ReturnType<typeof reportInput> = { stores: [], runs: [], team: 0 };
  private writing = false;
  private disposed = false;

  constructor(private readonly options: ReportBarOptions) {
    const { trans } = options;
    this.copyReport.textContent = trans.__('Copy report command');
    this.copyReport.title = trans.__('Copy the `trainbook report` command line for these runs (run it in a terminal at the server root)');
    this.copyPublish.textContent = trans.__('Copy publish command');
    this.copyPublish.title = trans.__('Copy the `trainbook publish` command line for these runs');
    this.write.textContent = trans.__('Write report…');
    this.write.title = trans.__('Have the Jupyter server write a self-contained HTML report of these runs, then open it');
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.copyReport.addEventListener('click', () => this.copyLine(reportCommand(this.input)));
    this.copyPublish.addEventListener('click', () => this.copyLine(publishCommand(this.input)));
    this.write.addEventListener('click', () => void this.writeReport());
    const buttons = el('div', 'tb-ReportBar-buttons');
    buttons.append(this.copyReport, this.copyPublish, this.write);
    this.node.append(buttons, this.note, this.status);
    this.setRows([]);
  }

  /** The runs the dashboard compares now. */
  setRows(rows: readonly PanelRow[]): void {
    const { trans } = this.options;
    this.input = reportInput(rows);
    const none = this.input.runs.length === 0;
    this.copyReport.disabled = none;
    this.copyPublish.disabled = none;
    this.write.disabled = none || this.writing;
    this.note.textContent = this.input.team > 0 ? trans._n('%1 team run is on the hub, not in a local store: it is not in the report.', '%1 team runs are on the hub, not in a local store: they are not in the report.', this.input.team) : '';
    this.note.hidden = this.input.team === 0;
  }

  private copyLine(line: string): void {
    const { trans } = this.options;
    this.options.copy(line);
    this.say(trans.__('Copied: %1', line), 'info');
  }

  private async writeReport(): Promise<void> {
    const { trans } = this.options;
    const { stores, runs } = this.input;
    if (runs.length === 0 || this.writing) return;
    const output = await this.options.askOutput(suggestedOutput(stores));
    if (output === null || this.disposed) return;
    this.writing = true;
    this.write.disabled = true;
    this.say(trans._n('Writing the report of %1 run…', 'Writing the report of %1 runs…', runs.length), 'busy');
    try {
      const written = await writeReport(this.options.post, { stores: [...stores], runs: [...runs], output });
      if (this.disposed) return;
      this.say(written.message, 'done');
      const open = el('button', 'tb-ReportBar-open jp-mod-styled', trans.__('Open %1', written.output));
      open.addEventListener('click', () => this.options.openFile(written.output));
      this.status.append(' ', open);
      for (const warning of written.warnings) this.status.append(el('div', 'tb-ReportBar-warning', warning));
    } catch (error) {
      if (this.disposed) return;
      const message = error instanceof ReportError || error instanceof Error ? error.message : String(error);
      this.say(trans.__('The report was not written: %1', message), 'error');
    } finally {
      this.writing = false;
      this.write.disabled = this.input.runs.length === 0;
    }
  }

  private say(text: string, kind: 'info' | 'busy' | 'done' | 'error'): void {
    this.status.replaceChildren(el('span', 'tb-ReportBar-message', text));
    this.status.dataset.kind = kind;
    this.status.classList.toggle('tb-mod-error', kind === 'error');
  }

  dispose(): void {
    this.disposed = true;
  }
}
