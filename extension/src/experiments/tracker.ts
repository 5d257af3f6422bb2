/**
 * Cell experiments: before a tagged cell runs, the kernel gets the run context (a silent
 * execute that sets `globalThis.__trainbook_context`); after it ran, the execution is recorded
 * in the store, and a run is written for it when the cell made none. Tagged cells get a badge
 * with their run count.
 */
import type { Cell, CodeCell } from '@jupyterlab/cells';
import { newRunId, RUN_MIME, parseParametersCell, CLEAR_CONTEXT_CODE, cellRunEvents, cellRunRecord, errorFromStderr, executionRecord, experimentFromTags, linkedRunIds, PARAMETERS_TAG, runContextCode, type CellExecution } from 'trainbook/core';
import { NotebookActions, type INotebookTracker, type Notebook, type NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { Signal, type ISignal } from '@lumino/signaling';
import type { TranslationBundle } from '@jupyterlab/translation';
import { NotebookRuns } from '../runs/notebookRuns.js';
import type { ExperimentStore } from '../store/experimentStore.js';
import type { IExperimentTracker, TrackerSettings } from '../tokens.js';
import { updateBadges } from './badges.js';
import { cellTags } from './cellTags.js';

/** Params from the notebook's first `parameters` cell. */
export function notebookParams(notebook: Notebook): { params: Record<string, unknown>; problems: string[] } {
  const cell = notebook.widgets.find((c) => c.model.type === 'code' && cellTags(c).includes(PARAMETERS_TAG));
  if (!cell) return { params: {}, problems: [] };
  const result = parseParametersCell(cell.model.sharedModel.getSource());
  return { params: result.params, problems: result.problems.map((p) => `line ${p.line}, column ${p.column}: ${p.message}`) };
}

interface Pending {
  panel: NotebookPanel;
  cell: CodeCell;
  experiment: string;
  params: Record<string, unknown>;
  scheduledAt: Date;
  startedAt: Date | null;
  source: string;
}

export class ExperimentTracker implements IExperimentTracker {
  private readonly models = new Map<NotebookPanel, NotebookRuns>();
  private readonly pending = new Map<Cell, Pending>();
  /** Kernels whose context global may be set, so an untagged cell must clear it first. */
  private readonly contextSet = new WeakSet<Kernel.IKernelConnection>();
  private readonly lastCount = new WeakMap<Kernel.IKernelConnection, number>();
  private readonly watchedKernels = new WeakSet<Kernel.IKernelConnection>();
  /** Kernels seen to give silent requests an execution count (tslab does; the protocol says it should not). */
  private readonly countsSilent = new WeakMap<Kernel.IKernelConnection, boolean>();
  private readonly _recorded = new Signal<this, { panel: NotebookPanel; runs: string[] }>(this);
  settings: TrackerSettings = { passRunContext: true, recordExecutions: true };
  /** Last problem writing to the store, for tests and the panel. */
  lastError: string | null = null;

  constructor(
    private readonly notebooks: INotebookTracker,
    private readonly store: ExperimentStore,
    private readonly trans: TranslationBundle,
  ) {
    NotebookActions.executionScheduled.connect(this.onScheduled, this);
    NotebookActions.executed.connect(this.onExecuted, this);
    notebooks.widgetAdded.connect((_, panel) => this.watchPanel(panel));
    notebooks.forEach((panel) => this.watchPanel(panel));
  }

  get recorded(): ISignal<this, { panel: NotebookPanel; runs: string[] }> {
    return this._recorded;
  }

  /** The runs of a notebook panel's store (one per panel, following renames). */
  runsOf(panel: NotebookPanel): NotebookRuns {
    let model = this.models.get(panel);
    if (!model) {
      model = new NotebookRuns(this.store, panel.context.path);
      this.models.set(panel, model);
      const created = model;
      panel.context.pathChanged.connect((_, path) => {
        created.path = path;
        void created.refresh();
      });
      created.changed.connect(() => this.badge(panel));
      panel.disposed.connect(() => this.models.delete(panel));
      void panel.context.ready.then(() => created.refresh());
    }
    return model;
  }

  dispose(): void {
    Signal.disconnectAll(this);
    NotebookActions.executionScheduled.disconnect(this.onScheduled, this);
    NotebookActions.executed.disconnect(this.onExecuted, this);
  }

  private watchPanel(panel: NotebookPanel): void {
    this.runsOf(panel);
    const refreshBadges = (): void => {
      // Cell widgets are created after the model's change signal: badge them on the next frame.
      requestAnimationFrame(() => this.badge(panel));
    };
    void panel.context.ready.then(() => {
      panel.content.model?.cells.changed.connect(refreshBadges);
      refreshBadges();
    });
  }

  /** Adds, updates or removes the badge of each cell of a notebook. */
  private badge(panel: NotebookPanel): void {
    if (panel.isDisposed) return;
    updateBadges(panel.content, this.models.get(panel) ?? null, this.trans, () => this.badge(panel));
  }

  private panelOf(notebook: Notebook): NotebookPanel | null {
    return this.notebooks.find((panel) => panel.content === notebook) ?? null;
  }

  private watchKernel(kernel: Kernel.IKernelConnection): void {
    if (this.watchedKernels.has(kernel)) return;
    this.watchedKernels.add(kernel);
    kernel.iopubMessage.connect((_, message) => this.onIopub(kernel, message));
  }

  private onIopub(kernel: Kernel.IKernelConnection, message: KernelMessage.IIOPubMessage): void {
    if (message.header.msg_type !== 'execute_input') return;
    const count = (message.content as { execution_count?: unknown }).execution_count;
    if (typeof count === 'number') this.lastCount.set(kernel, count);
    const parent = (message.parent_header as { msg_id?: string }).msg_id;
    for (const entry of this.pending.values()) {
      if (entry.startedAt === null && entry.cell.outputArea.future?.msg.header.msg_id === parent) entry.startedAt = new Date();
    }
  }

  private onScheduled(_: unknown, args: { notebook: Notebook; cell: Cell }): void {
    const { notebook, cell } = args;
    if (cell.model.type !== 'code') return;
    const panel = this.panelOf(notebook);
    const kernel = panel?.sessionContext.session?.kernel;
    if (!panel || !kernel) return;
    this.watchKernel(kernel);
    const experiment = experimentFromTags(cellTags(cell));
    if (experiment === null) {
      // A context left by a tagged cell queued before must not reach an untagged one.
      if (this.contextSet.has(kernel)) {
        this.sendSilent(kernel, CLEAR_CONTEXT_CODE);
        this.contextSet.delete(kernel);
      }
      return;
    }
    const { params } = notebookParams(notebook);
    const source = cell.model.sharedModel.getSource();
    this.pending.set(cell, { panel, cell: cell as CodeCell, experiment, params, scheduledAt: new Date(), startedAt: null, source });
    if (!this.settings.passRunContext) return;
    // The count this execution will get, when nothing else is queued on the kernel.
    const busy = [...this.pending.values()].filter((p) => p.cell !== cell && p.panel.sessionContext.session?.kernel === kernel).length;
    const last = this.lastCount.get(kernel);
    const silentCounted = this.countsSilent.get(kernel);
    const predicted = busy === 0 && last !== undefined && silentCounted !== undefined ? last + (silentCounted ? 2 : 1) : null;
    const code = runContextCode({
      notebook: panel.context.localPath,
      cell: { id: cell.model.id, source, executionCount: predicted },
      experiment: experiment || null,
      params,
    });
    // Sent now, before the cell's own execute_request: the shell channel keeps the order.
    this.sendSilent(kernel, code);
    this.contextSet.add(kernel);
  }

  private onExecuted(_: unknown, args: { notebook: Notebook; cell: Cell; success: boolean; error?: { errorName: string; errorValue: string } | null }): void {
    // The reply's count is the one to predict from: tslab's execute_input may carry the count before it.
    const kernel = this.panelOf(args.notebook)?.sessionContext.session?.kernel;
    const replyCount = args.cell.model.type === 'code' ? (args.cell as CodeCell).model.executionCount : null;
    if (kernel && typeof replyCount === 'number') this.lastCount.set(kernel, Math.max(replyCount, this.lastCount.get(kernel) ?? 0));
    const entry = this.pending.get(args.cell);
    if (!entry) return;
    this.pending.delete(args.cell);
    // The context stays set until an untagged cell is scheduled (onScheduled clears it then):
    // tslab counts every silent request, so clearing after each run would cost an execution count.
    const end = new Date();
    const outputs = entry.cell.model.outputs.toJSON();
    let error: CellExecution['error'] = null;
    if (!args.success) {
      const failed = outputs.find((o) => o.output_type === 'error') as { ename?: unknown; evalue?: unknown } | undefined;
      error = {
        ename: args.error?.errorName ?? (typeof failed?.ename === 'string' ? failed.ename : 'Error'),
        evalue: args.error?.errorValue ?? (typeof failed?.evalue === 'string' ? failed.evalue : ''),
      };
      if (!failed && !error.evalue) {
        // tslab prints the exception (or the type errors) on stderr instead of an error output.
        const stderr = outputs
          .filter((o) => o.output_type === 'stream' && (o as { name?: unknown }).name === 'stderr')
          .map((o) => {
            const text = (o as { text?: unknown }).text;
            return Array.isArray(text) ? text.join('') : typeof text === 'string' ? text : '';
          })
          .join('');
        error = errorFromStderr(stderr) ?? error;
      }
    }
    const execution: CellExecution = {
      notebook: entry.panel.context.localPath,
      experiment: entry.experiment || null,
      cell: { id: entry.cell.model.id, source: entry.source, executionCount: entry.cell.model.executionCount ?? null },
      params: entry.params,
      start: entry.startedAt ?? entry.scheduledAt,
      end,
      success: args.success,
      error,
    };
    if (!this.settings.recordExecutions) return;
    void this.record(entry.panel, execution, linkedRunIds(outputs, RUN_MIME));
  }

  private async record(panel: NotebookPanel, execution: CellExecution, linked: string[]): Promise<void> {
    const path = panel.context.path;
    const executionId = newRunId(execution.end);
    try {
      let runs = linked;
      if (linked.length === 0) {
        const runId = newRunId(execution.start);
        await this.store.writeRun(path, cellRunRecord(runId, execution, executionId), cellRunEvents(execution));
        runs = [runId];
      }
      await this.store.writeExecution(path, executionRecord(executionId, execution, runs, linked.length === 0));
      this.lastError = null;
      this._recorded.emit({ panel, runs });
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      console.warn(`trainbook: could not record the execution of an experiment cell: ${this.lastError}`);
    }
    await this.runsOf(panel).refresh();
  }

  private sendSilent(kernel: Kernel.IKernelConnection, code: string): void {
    try {
      const future = kernel.requestExecute({ code, silent: true, store_history: false, allow_stdin: false, stop_on_error: false }, true);
      void future.done.then(
        (reply) => {
          const count = (reply?.content as { execution_count?: unknown } | undefined)?.execution_count;
          this.countsSilent.set(kernel, typeof count === 'number');
          if (typeof count === 'number') this.lastCount.set(kernel, Math.max(count, this.lastCount.get(kernel) ?? 0));
        },
        () => undefined,
      );
    } catch (error) {
      console.warn('trainbook: could not send the run context to the kernel', error);
    }
  }
}
