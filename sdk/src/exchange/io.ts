/**
 * The I/O of exchange: read a stored run as a portable run, and write an imported one into a store
 * as a new run folder (built aside, renamed into place at the end, so a failure leaves nothing).
 */
import { newRunId, type RunRecord } from 'trainbook/core';
import { writeFinishedRun } from '../store/finishedRuns.js';
import type { Store } from '../store/reader.js';
import { portableFromRead, portableToEvents, type PortableRun } from './portable.js';

/**
 * Everything stored about one run, ready for an exchange format.
 *
 * @example
 * ```ts
 * const run = readPortableRun(openStore('train.trainbook'), 'small-lr');
 * ```
 */
export function readPortableRun(store: Store, runId: string): PortableRun {
  return portableFromRead(store.read(runId));
}

/**
 * The record an imported run gets: a fresh id, and the id it had (or the file it came from) kept
 * as `metadata.importedFrom`. Every other field stays as it was.
 */
export function importedRecord(record: RunRecord, id: string, source: string): RunRecord {
  return { ...record, id, metadata: { ...record.metadata, importedFrom: record.id !== '' ? record.id : source } };
}

/**
 * Writes a portable run into `storeDir` as a new, finished run folder with a fresh id; creates the
 * store if needed. Returns the new id and folder.
 *
 * @example
 * ```ts
 * const { id } = writeImportedRun('.trainbook', parseRunFile(text, { now: new Date() }), 'run.json');
 * ```
 */
export function writeImportedRun(storeDir: string, run: PortableRun, source: string, now: Date = new Date()): { id: string; dir: string } {
  const id = newRunId(now);
  const dir = writeFinishedRun(storeDir, null, importedRecord(run.record, id, source), portableToEvents(run));
  return { id, dir };
}
