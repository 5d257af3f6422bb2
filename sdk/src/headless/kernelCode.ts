/**
 * The code `trainbook run` sends the kernel silently (no output, no history): the run context
 * before each cell, as the JupyterLab extension does, and the closing code that ends the kernel.
 *
 * Closing: the SDK ends the runs a process leaves open from its exit hooks (sdk/src/run/lifecycle.ts):
 * completed for a script that ends normally, failed after an uncaught error, interrupted in a
 * Jupyter kernel. A headless notebook that ran to its end is a script that ended normally, and a
 * failed cell is its uncaught error. So the closing code tells the process which of those
 * happened (it leaves the kernel, or reports the cell's error to the uncaught-error monitor) and
 * exits the kernel process while it is idle, so that the hooks run before any shutdown can cut
 * them short. Pure: code as text.
 */
import { CLEAR_CONTEXT_CODE, runContextCode, type CellInfo } from 'trainbook/core';

export { CLEAR_CONTEXT_CODE };

/** Replaced by the driver with the failed cell's `{ name, message, stack }` as JSON. */
export const ERROR_PLACEHOLDER = '__TRAINBOOK_ERROR_JSON__';

/** Sets `globalThis.__trainbook_context` (see sdk/src/run/cellContext.ts). */
export function contextCode(context: { notebook: string; cell: CellInfo; experiment: string | null; params: Record<string, unknown> }): string {
  return runContextCode(context);
}

/** All cells ran: open runs end as completed. */
export const SUCCESS_CODE = 'delete process.env.JPY_PARENT_PID; delete process.env.JPY_SESSION_NAME; process.exit(0);';

/** A cell failed: open runs end as failed with its error. Valid TypeScript and JavaScript. */
export const FAILURE_CODE = `{ const failure = ${ERROR_PLACEHOLDER}; const error = new Error(failure.message); error.name = failure.name; error.stack = failure.stack; Reflect.apply(process.emit, process, ['uncaughtExceptionMonitor', error, 'uncaughtException']); process.exit(0); }`;

/** Ctrl-C: the kernel ends as a kernel does, so open runs end as interrupted. */
export const INTERRUPT_CODE = 'process.exit(0);';
