import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunLockedError, StoreLinkError } from 'trainbook/core';
import { LOCK_FILE } from './paths.js';
import { createStoreFile, inRun, readStoreText, removeInStore, type StorePlace } from './safePath.js';

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

/** True when a process with this pid exists on this machine. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What can be learned about a writer: alive, gone, or unknown (another host). */
export function writerAlive(writer: { pid: number; host: string } | undefined): boolean | null {
  if (!writer || writer.host !== os.hostname()) return null;
  return isProcessAlive(writer.pid);
}

/**
 * Takes the run's writer lock (a file created exclusively). A lock left by a dead process on this
 * host is taken over; a live holder makes this throw {@link RunLockedError}.
 */
export function acquireRunLock(runDir: string, runId: string): string {
  const file = inRun(runDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      createStoreFile(file, JSON.stringify(me));
      return file.path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(file);
    if (holder && writerAlive(holder) !== false) {
      throw new RunLockedError(runId, `process ${holder.pid} on ${holder.host} (since ${holder.since})`);
    }
    // An unreadable lock may be one that another process is writing this very moment.
    if (!holder && isRecent(file)) throw new RunLockedError(runId, 'another process that is taking the lock now');
    removeInStore(file);
  }
  throw new RunLockedError(runId, 'another process that took the lock at the same moment');
}

/** Removes the lock `acquireRunLock` returned, when this process still holds it. */
export function releaseRunLock(file: string): void {
  try {
    const place = inRun(path.dirname(file), path.basename(file));
    const holder = readLock(place);
    if (holder && holder.pid === process.pid && holder.host === os.hostname()) removeInStore(place);
  } catch {
    // The store may be gone; there is nothing left to release.
  }
}

function readLock(file: StorePlace): LockHolder | null {
  let text: string | null;
  try {
    text = readStoreText(file);
  } catch (error) {
    // A link where the lock should be: refused, like a live holder, and the message says where.
    if (error instanceof StoreLinkError) throw error;
    return null;
  }
  try {
    const value = JSON.parse(text ?? 'null') as LockHolder | null;
    return value && typeof value.pid === 'number' && typeof value.host === 'string' ? value : null;
  } catch {
    return null;
  }
}

function isRecent(file: StorePlace): boolean {
  try {
    return Date.now() - fs.lstatSync(file.path).mtimeMs < 10_000;
  } catch {
    return false;
  }
}
