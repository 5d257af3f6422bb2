/**
 * What the runs panel knows of each notebook's kernel: running or not, and its last restart as
 * seen from here (a crash makes the server auto-restart it) with the heartbeats its running runs
 * had then: the runs that stop beating went with the kernel.
 */
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { KernelRestart } from 'trainbook/core';
import type { KernelState } from '../runs/panelRows.js';
import type { IExperimentTracker } from '../tokens.js';

export class KernelWatch {
  private readonly restarts = new WeakMap<NotebookPanel, KernelRestart>();

  constructor(
    notebooks: INotebookTracker,
    private readonly tracker: IExperimentTracker,
  ) {
    notebooks.forEach((panel) => this.watch(panel));
    notebooks.widgetAdded.connect((_, panel) => this.watch(panel));
  }

  /** The kernel's state for the runs of `panel`. */
  stateOf(panel: NotebookPanel): KernelState {
    return { running: kernelRunning(panel), restart: this.restarts.get(panel) ?? null };
  }

  private watch(panel: NotebookPanel): void {
    panel.sessionContext.statusChanged.connect((_, status) => {
      if (status !== 'restarting' && status !== 'autorestarting') return;
      const seenAt = Date.now();
      const runs = this.tracker.runsOf(panel);
      // Read the store first: the heartbeats of runs that died with the kernel are final now.
      void runs.refresh().then(() => {
        const heartbeats = new Map(runs.records.filter((r) => r.status === 'running').map((r) => [r.id, r.heartbeatAt] as const));
        this.restarts.set(panel, { seenAt, heartbeats });
      });
    });
  }
}

/** True while the kernel runs, false when it is known not to, null when unknown. */
function kernelRunning(panel: NotebookPanel): boolean | null {
  const session = panel.sessionContext.session;
  if (!session?.kernel) return panel.sessionContext.isReady || panel.sessionContext.hasNoKernel ? false : null;
  const status = session.kernel.status;
  if (status === 'dead') return false;
  return status === 'unknown' ? null : true;
}
