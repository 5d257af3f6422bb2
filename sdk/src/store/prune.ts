/**
 * Pruning: which runs are old enough to remove (pure), and removing them (I/O). Archived runs and
 * runs whose writer is still alive are always kept; a crashed run may go.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunLockedError } from 'trainbook/core';
import { ARCHIVE_FILE, readArchiveClaims } from './archive.js';
import { acquireRunLock, releaseRunLock } from './lock.js';
import type { RunSummary } from './reader.js';
import { checkedPath, inRun, removeInStore, renameInStore, storeEntryKind } from './safePath.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface PruneDecision {
  prune: RunSummary[];
  /** Old enough, but kept, each with the reason. */
  kept: Array<{ run: RunSummary; reason: 'archived' | 'running' }>;
}

/**
 * Splits runs into those started more than `olderThanDays` days before `now` that may go, and the
 * old ones that stay (archived, or still being written).
 *
 * @example
 * ```ts
 * const { prune } = selectPrunable(store.list().runs, Date.now(), 30);
 * ```
 */
export function selectPrunable(runs: readonly RunSummary[], now: number, olderThanDays: number): PruneDecision {
  const cutoff = now - olderThanDays * DAY_MS;
  const decision: PruneDecision = { prune: [], kept: [] };
  for (const run of runs) {
    const started = Date.parse(run.record.startedAt);
    if (!Number.isFinite(started) || started >= cutoff) continue;
    if (run.archive) decision.kept.push({ run, reason: 'archived' });
    else if (run.status === 'running') decision.kept.push({ run, reason: 'running' });
    else decision.prune.push(run);
  }
  return decision;
}

/** Bytes in a folder, counted without following links. */
export function folderBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(full);
    else {
      try {
        total += fs.lstatSync(full).size;
      } catch {
        // Gone meanwhile: nothing to count.
      }
    }
  }
  return total;
}

export type RemoveOutcome = { removed: true; bytes: number } | { removed: false; reason: 'archived' | 'running' };

/**
 * Removes a run folder unless it turns out to be in use: it first takes the run's writer lock (a
 * live writer, even one whose heartbeat went stale, or a resume that took the run over, keeps it),
 * then checks once more that the run was not archived meanwhile (a marker, even an unreadable one,
 * or a claim). The folder is renamed to a dot name (readers skip it at once, never seeing half a
 * run), then deleted.
 */
export function removeRunFolder(storeDir: string, runDir: string): RemoveOutcome {
  const runId = path.basename(runDir);
  let lock: string;
  try {
    lock = acquireRunLock(runDir, runId);
  } catch (error) {
    if (error instanceof RunLockedError) return { removed: false, reason: 'running' };
    throw error;
  }
  // Any marker counts, even an unreadable one or a link.
  if (storeEntryKind(inRun(runDir, ARCHIVE_FILE)) !== null || readArchiveClaims(storeDir).has(runId)) {
    releaseRunLock(lock);
    return { removed: false, reason: 'archived' };
  }
  const bytes = folderBytes(checkedPath(inRun(runDir)));
  const doomed = inRun(path.join(path.dirname(runDir), `.pruned-${runId}-${process.pid}`));
  renameInStore(inRun(runDir), doomed);
  removeInStore(doomed);
  return { removed: true, bytes };
}
