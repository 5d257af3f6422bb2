import { inJupyterKernel } from '../console/ownLines.js';
import type { Run } from './run.js';

/**
 * Process-wide bookkeeping of the runs still open, so that a process that ends without calling
 * `finish()` still leaves a truthful status: a script that exits normally completes its runs,
 * an uncaught error fails them, Ctrl-C (SIGINT) or SIGTERM interrupts them. Inside a Jupyter
 * kernel, an exit without finish() is an interruption (the kernel was shut down or restarted).
 */
const active = new Set<Run>();
let installed = false;
let fatalError: unknown;

export function trackRun(run: Run): void {
  active.add(run);
  install();
}

export function untrackRun(run: Run): void {
  active.delete(run);
}

function finishAll(status: 'completed' | 'failed' | 'interrupted', error?: unknown): void {
  for (const run of [...active]) {
    try {
      run.finishNow(error !== undefined ? { status, error } : { status });
    } catch {
      // Exit hooks must not throw; the run will read as crashed.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtExceptionMonitor', (error) => {
    fatalError = error;
  });
  process.on('exit', (code) => {
    if (fatalError !== undefined) finishAll('failed', fatalError);
    else if (code !== 0) finishAll('failed', new Error(`process exited with code ${code}`));
    else finishAll(inJupyterKernel() ? 'interrupted' : 'completed');
  });
  // A kernel's SIGINT interrupts one cell, not the process: open runs stay open there.
  if (inJupyterKernel()) return;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      finishAll('interrupted');
      // Keep the default behaviour (exit) unless someone else handles the signal too.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}
