/**
 * Reading a store in Node: a thin shell that runs the core's one reader (`listRuns`, `readRun`,
 * the archive rule) over Node's fs with `runSync`, and finds runs with the core's one lookup.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { StoreError, findRun, listRuns, readManifest, readRun, readRunEvents, readRunRecord as readRunRecordTask, runSync, type ArchiveMarker, type EffectiveStatus, type ParsedEvents, type RunContents, type RunRecord, type StoreManifest } from 'trainbook/core';
import { writerAlive } from './lock.js';
import { nodeFiles } from './nodeFiles.js';

/** CRC-32 from zlib: the same checksum as the core's, computed natively. */
export const nodeCrc = (bytes: Uint8Array, start: number, end: number): number => crc32(bytes.subarray(start, end));

/** A run as lists show it: its record plus the status a reader should display. */
export interface RunSummary {
  record: RunRecord;
  status: EffectiveStatus;
  dir: string;
  /** The run's archive (`trainbook archive`), or null when it is not archived. */
  archive?: ArchiveMarker | null;
}

/** Everything stored about one run, with its series as columns. */
export interface RunData extends RunSummary, RunContents {}

/** A run folder that could not be read as a run. */
export interface StoreProblem {
  runId: string;
  file: string;
  reason: string;
}

export interface Store {
  dir: string;
  manifest: StoreManifest | null;
  /** Runs sorted by start (oldest first), then id, and the run folders that could not be read. */
  list(): { runs: RunSummary[]; problems: StoreProblem[] };
  /** Finds a run by id, unique id prefix, unique name, or archive name (`archived_v1_2026-11-22`). */
  find(reference: string): RunSummary;
  read(runId: string): RunData;
}

/**
 * Opens a store for reading. Throws StoreError only when the folder does not exist; damage inside
 * (a bad run.json, torn or corrupt event lines) is reported, never thrown. A symbolic link inside
 * the store is never followed: it is reported as a problem (the store's folder itself may be one).
 */
export function openStore(dir: string): Store {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new StoreError(`No trainbook store at ${dir}. Run a notebook or script that calls trainbook.init() first, or pass the store's path.`);
  }
  const files = nodeFiles(dir);
  const manifest = runSync(readManifest(), files);
  const absolute = (storePath: string): string => path.join(dir, ...storePath.split('/'));

  const list = (): { runs: RunSummary[]; problems: StoreProblem[] } => {
    const listing = runSync(listRuns({ now: Date.now(), writerAlive }), files);
    return {
      runs: listing.runs.map((run) => ({ record: run.record, status: run.status, dir: absolute(`runs/${run.record.id}`), archive: run.archive })),
      problems: listing.problems.map((problem) => ({ runId: problem.runId, file: absolute(problem.path), reason: problem.reason })),
    };
  };

  const find = (reference: string): RunSummary => findRun(list().runs, reference, dir);

  const read = (runId: string): RunData => {
    const summary = find(runId);
    return { ...summary, ...runSync(readRun(summary.record.id, nodeCrc), files) };
  };

  return { dir, manifest, list, find, read };
}

/**
 * Reads a run's events file (`<store>/runs/<id>/events.jsonl`); a missing file reads as empty. A
 * link (the file, or a folder above it inside the store) is not followed: it reads as empty with
 * one problem that says so.
 */
export function readEventsFile(file: string): ParsedEvents {
  const runDir = path.dirname(file);
  return runSync(readRunEvents(path.basename(runDir), nodeCrc), nodeFiles(path.dirname(path.dirname(runDir))));
}

/** A run folder's record; a string saying why it cannot be read; null when the folder is gone. */
export function readRunRecord(runDir: string): RunRecord | string | null {
  return runSync(readRunRecordTask(path.basename(runDir)), nodeFiles(path.dirname(path.dirname(runDir))));
}
