/**
 * Writing whole runs that no live process writes: an imported run, or the run of a tagged cell
 * that never called the SDK (headless `trainbook run`). The folder is built aside and renamed into
 * place at the end, so a failure leaves nothing half-written. Also the execution records of
 * tagged cells (`executions/<id>.json`), as the JupyterLab extension writes them.
 */
import * as fs from 'node:fs';
import { StoreError, StoreLinkError, frameEvent, isRunId, type RunEvent, type RunRecord, type ExecutionRecord } from 'trainbook/core';
import { ARTIFACTS_DIR, EVENTS_FILE, RUN_FILE, RUNS_DIR } from './paths.js';
import { crcOfText, ensureStore } from './runFiles.js';
import { child, inStore, makeStoreDirs, openStoreFile, removeInStore, renameInStore, writeStoreFile } from './safePath.js';

export const EXECUTIONS_DIR = 'executions';

/**
 * Writes `record` and its `events` as a new run folder of the store (made if needed).
 *
 * @example
 * writeFinishedRun('.trainbook', null, record, [{ type: 'status', time: Date.now(), status: 'completed' }]);
 */
export function writeFinishedRun(storeDir: string, notebook: string | null, record: RunRecord, events: readonly RunEvent[]): string {
  if (!isRunId(record.id)) throw new StoreError(`"${record.id}" is not a run id; runs get ids from newRunId().`);
  ensureStore(storeDir, notebook);
  const finalDir = inStore(storeDir, RUNS_DIR, record.id);
  // A dot folder: readers and doctor skip it while it is being filled.
  const buildDir = inStore(storeDir, RUNS_DIR, `.new-${record.id}.tmp`);
  try {
    makeStoreDirs(child(buildDir, ARTIFACTS_DIR));
    const fd = openStoreFile(child(buildDir, EVENTS_FILE), 'wx');
    try {
      for (const event of events) fs.writeSync(fd, frameEvent(event, crcOfText));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    writeStoreFile(child(buildDir, RUN_FILE), `${JSON.stringify(record, null, 1)}\n`);
    renameInStore(buildDir, finalDir);
  } catch (error) {
    try {
      removeInStore(buildDir); // refuses, like every write, when runs/ is a link
    } catch {
      // Nothing of this call's could be there.
    }
    if (error instanceof StoreLinkError) throw error;
    throw new StoreError(`Cannot write run ${record.id} into ${storeDir}: ${(error as Error).message}. Nothing was added to the store.`, { cause: error });
  }
  return finalDir.path;
}

/** Writes one execution record of a tagged cell (never rewritten: its id is new). */
export function writeExecutionRecord(storeDir: string, notebook: string | null, execution: ExecutionRecord): void {
  if (!isRunId(execution.id)) throw new StoreError(`"${execution.id}" is not an execution id.`);
  ensureStore(storeDir, notebook);
  try {
    writeStoreFile(inStore(storeDir, EXECUTIONS_DIR, `${execution.id}.json`), `${JSON.stringify(execution, null, 2)}\n`);
  } catch (error) {
    if (error instanceof StoreLinkError) throw error;
    throw new StoreError(`Cannot write the execution record ${execution.id} into ${storeDir}: ${(error as Error).message}.`, { cause: error });
  }
}
