import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { StoreError, StoreLinkError, ensureManifest, frameEvent, runSync, type RunEvent, type RunRecord } from 'trainbook/core';
import { acquireRunLock, releaseRunLock } from './lock.js';
import { ARTIFACTS_DIR, EVENTS_FILE, MANIFEST_FILE, RUN_FILE, RUNS_DIR } from './paths.js';
import { nodeFiles } from './nodeFiles.js';
import { inRun, inStore, makeStoreDirs, openStoreFile, storeEntryKind, writeStoreFile } from './safePath.js';

export const crcOfText = (text: string): number => crc32(text);

/** Called once per failed write with what was being written; the caller decides how to report it. */
export type WriteFailure = (error: unknown, what: 'events' | 'run.json') => void;

/**
 * The files of one run that this process writes: `run.json` (atomic replace), `events.jsonl`
 * (append only, through one open descriptor) and the writer lock. Write errors never throw out of
 * here once the run is open: they go to `onFailure` and the method returns false.
 */
export class RunFiles {
  readonly runDir: string;
  private readonly eventsFd: number;
  private readonly lockFile: string;
  /** After a failed write the file may end in half a line; the next write starts a fresh one. */
  private needsNewline = false;
  private closed = false;

  private constructor(runDir: string, eventsFd: number, lockFile: string, private readonly onFailure: WriteFailure) {
    this.runDir = runDir;
    this.eventsFd = eventsFd;
    this.lockFile = lockFile;
  }

  /** Creates the store (if needed) and the run's folder, takes its lock, opens its events file. */
  static create(storeDir: string, notebook: string | null, runId: string, onFailure: WriteFailure): RunFiles {
    ensureStore(storeDir, notebook);
    const runDir = path.join(storeDir, RUNS_DIR, runId);
    try {
      makeStoreDirs(inStore(storeDir, RUNS_DIR, runId, ARTIFACTS_DIR));
    } catch (error) {
      if (error instanceof StoreLinkError) throw error;
      throw new StoreError(`Cannot create the run folder ${runDir}: ${(error as Error).message}`, { cause: error });
    }
    const lockFile = acquireRunLock(runDir, runId);
    const fd = openStoreFile(inRun(runDir, EVENTS_FILE), 'a');
    return new RunFiles(runDir, fd, lockFile, onFailure);
  }

  /**
   * Reopens an existing run's folder for writing (to resume it): takes its lock (a live holder
   * makes this throw RunLockedError) and appends to its events file. A file that ends in a torn
   * line gets a newline first, so the next record starts on a line of its own.
   */
  static open(runDir: string, runId: string, onFailure: WriteFailure): RunFiles {
    const eventsFile = path.join(runDir, EVENTS_FILE);
    if (storeEntryKind(inRun(runDir, RUN_FILE)) === null && storeEntryKind(inRun(runDir, EVENTS_FILE)) === null) {
      throw new StoreError(`${runDir} is not a run folder (no run.json or events.jsonl); resume a run that \`trainbook ls\` lists.`);
    }
    const lockFile = acquireRunLock(runDir, runId);
    let fd: number;
    try {
      makeStoreDirs(inRun(runDir, ARTIFACTS_DIR));
      fd = openStoreFile(inRun(runDir, EVENTS_FILE), 'a+');
    } catch (error) {
      releaseRunLock(lockFile);
      if (error instanceof StoreLinkError) throw error;
      throw new StoreError(`Cannot open ${eventsFile} for writing: ${(error as Error).message}`, { cause: error });
    }
    const files = new RunFiles(runDir, fd, lockFile, onFailure);
    files.needsNewline = !endsWithNewline(fd);
    return files;
  }

  /** Appends framed event lines in one write. */
  appendEvents(events: readonly RunEvent[]): boolean {
    if (this.closed || events.length === 0) return events.length === 0;
    let text = this.needsNewline ? '\n' : '';
    for (const event of events) text += frameEvent(event, crcOfText);
    try {
      // Writes to a deleted file succeed and vanish: check that the file is still in the store.
      if (fs.fstatSync(this.eventsFd).nlink === 0) throw new StoreError(`the run folder ${this.runDir} was deleted`);
      writeAll(this.eventsFd, text);
      this.needsNewline = false;
      return true;
    } catch (error) {
      this.needsNewline = true;
      this.onFailure(error, 'events');
      return false;
    }
  }

  writeRecord(record: RunRecord): boolean {
    try {
      writeStoreFile(inRun(this.runDir, RUN_FILE), `${JSON.stringify(record, null, 1)}\n`);
      return true;
    } catch (error) {
      this.onFailure(error, 'run.json');
      return false;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fs.fsyncSync(this.eventsFd);
    } catch {
      // Nothing more can be saved; losses were already counted.
    }
    fs.closeSync(this.eventsFd);
    releaseRunLock(this.lockFile);
  }
}

/** True for an empty file or one whose last byte is a newline. */
function endsWithNewline(fd: number): boolean {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}

/**
 * Creates `store.json` unless the store exists (the core's `ensureManifest`), and its `runs/`
 * folder; refuses a folder that holds another format. The store's folder may be a link (the user
 * chose it); a link inside it (store.json, runs/) is a StoreLinkError: nothing is written through it.
 */
export function ensureStore(storeDir: string, notebook: string | null): void {
  try {
    runSync(ensureManifest(notebook), nodeFiles(storeDir));
    makeStoreDirs(inStore(storeDir, RUNS_DIR));
  } catch (error) {
    if (error instanceof StoreLinkError) throw error;
    if (error instanceof StoreError) throw new StoreError(`${storeDir}: ${error.message}`, { cause: error });
    throw new StoreError(`Cannot create the trainbook store at ${storeDir}: ${(error as Error).message}`, { cause: error });
  }
}
