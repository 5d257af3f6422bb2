/**
 * Writing whole runs that no live process writes, in Node: an imported run, the run of a tagged
 * cell that never called the SDK (headless `trainbook run`), a run pulled from the hub. A thin
 * shell over the core's one finished-run writer (built aside in `runs/tmp-<pid>-<id>/`, renamed
 * into place at the end, so a failure leaves nothing half-written), and the execution records of
 * tagged cells (`executions/<id>.json`), as the JupyterLab extension writes them.
 */
import * as path from 'node:path';
import { StoreError, runSync, writeExecution, writeFinishedRun as writeFinishedRunTask, type ExecutionRecord, type RunEvent, type RunRecord } from 'trainbook/core';
import { nodeFiles } from './nodeFiles.js';
import { crcOfText, ensureStore } from './runFiles.js';

/**
 * Writes `record` and its `events` as a new run folder of the store (made if needed); returns the
 * run folder's path.
 *
 * @example
 * writeFinishedRun('.trainbook', null, record, [{ type: 'status', time: Date.now(), status: 'completed' }]);
 */
export function writeFinishedRun(storeDir: string, notebook: string | null, record: RunRecord, events: readonly RunEvent[]): string {
  ensureStore(storeDir, notebook); // with its runs/ folder, as live runs make it
  try {
    const dir = runSync(writeFinishedRunTask(record, events, { notebook, token: String(process.pid), crcOfText }), nodeFiles(storeDir));
    return path.join(storeDir, ...dir.split('/'));
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`Cannot write run ${record.id} into ${storeDir}: ${(error as Error).message}. Nothing was added to the store.`, { cause: error });
  }
}

/** Writes one execution record of a tagged cell (never rewritten: its id is new). */
export function writeExecutionRecord(storeDir: string, notebook: string | null, execution: ExecutionRecord): void {
  try {
    runSync(writeExecution(execution, notebook), nodeFiles(storeDir));
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`Cannot write the execution record ${execution.id} into ${storeDir}: ${(error as Error).message}.`, { cause: error });
  }
}
