/**
 * The I/O of exchange: read a stored run as a portable run, and write an imported one into a store
 * as a new run folder (built aside, renamed into place at the end, so a failure leaves nothing).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from '../errors.js';
import { frameEvent } from '../format/events.js';
import { newRunId } from '../format/ids.js';
import type { RunRecord } from '../format/types.js';
import { writeFileAtomic } from '../store/atomic.js';
import { ARTIFACTS_DIR, EVENTS_FILE, RUN_FILE, RUNS_DIR } from '../store/paths.js';
import type { Store } from '../store/reader.js';
import { crcOfText, ensureStore } from '../store/runFiles.js';
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
  ensureStore(storeDir, null);
  const runsDir = path.join(storeDir, RUNS_DIR);
  const id = newRunId(now);
  const finalDir = path.join(runsDir, id);
  // A dot folder: readers and doctor skip it while it is being filled.
  const buildDir = path.join(runsDir, `.import-${id}.tmp`);
  const record = importedRecord(run.record, id, source);
  try {
    fs.mkdirSync(path.join(buildDir, ARTIFACTS_DIR), { recursive: true });
    const fd = fs.openSync(path.join(buildDir, EVENTS_FILE), 'w', 0o644);
    try {
      for (const event of portableToEvents(run)) fs.writeSync(fd, frameEvent(event, crcOfText));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    writeFileAtomic(path.join(buildDir, RUN_FILE), `${JSON.stringify(record, null, 1)}\n`);
    fs.renameSync(buildDir, finalDir);
  } catch (error) {
    fs.rmSync(buildDir, { recursive: true, force: true });
    throw new StoreError(`Cannot write the imported run into ${storeDir}: ${(error as Error).message}. Nothing was added to the store.`, { cause: error });
  }
  return { id, dir: finalDir };
}
