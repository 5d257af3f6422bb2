/**
 * Archive markers: `runs/<id>/archive.json` says a run is kept under a name such as
 * `archived_v3_2026-11-22`. The marker is its own file so that run.json keeps one writer (the run).
 * Archived runs are listed apart and never pruned.
 */
import * as path from 'node:path';
import { ARCHIVE_CLAIMS_DIR, ARCHIVE_FILE, RUNS_DIR, archiveName, readArchiveClaims as readClaimsTask, readArchiveMarker as readMarkerTask, runSync, type ArchiveClaim, type ArchiveMarker } from 'trainbook/core';
import { nodeFiles } from './nodeFiles.js';
import { createStoreFile, inRun, inStore, listStoreDir, writeStoreFile } from './safePath.js';

export { ARCHIVE_FILE, archiveName, type ArchiveMarker };

/** The run's archive marker, or null when it has none (or an unreadable one). */
export function readArchiveMarker(runDir: string): ArchiveMarker | null {
  return runSync(readMarkerTask(path.basename(runDir)), nodeFiles(path.dirname(path.dirname(runDir))));
}

/**
 * The archives the store's claim files name, per run id (the highest version when a run has
 * several; the core's one archive rule). A run is archived when its marker or a claim says so: a
 * claim without a marker is an archive that stopped half-way, and it protects the run all the same.
 */
export function readArchiveClaims(storeDir: string): Map<string, ArchiveMarker> {
  return runSync(readClaimsTask(), nodeFiles(storeDir));
}

/** The version the next archive in a store gets: one more than the highest marker there. */
export function nextArchiveVersion(storeDir: string): number {
  let highest = 0;
  let names: string[] = [];
  try {
    names = (listStoreDir(inStore(storeDir, RUNS_DIR)) ?? []).filter((entry) => entry.kind === 'directory' && !entry.name.startsWith('.')).map((entry) => entry.name);
  } catch {
    return 1;
  }
  for (const name of names) {
    const marker = readArchiveMarker(path.join(storeDir, RUNS_DIR, name));
    if (marker && Number.isSafeInteger(marker.version) && marker.version > highest) highest = marker.version;
  }
  return highest + 1;
}

/**
 * Takes the first free version from `from` on by creating its claim file `<store>/archives/v<N>`
 * exclusively: of two processes archiving at the same moment, each gets its own number. The file
 * names the run and the archive, so a reader learns every archive from one folder.
 */
export function claimArchiveVersion(storeDir: string, from: number, runId: string, now: Date): number {
  for (let version = Math.max(1, from); ; version++) {
    const claim: ArchiveClaim = { run: runId, name: archiveName(version, now), archivedAt: now.toISOString() };
    try {
      createStoreFile(inStore(storeDir, ARCHIVE_CLAIMS_DIR, `v${version}`), `${JSON.stringify(claim)}\n`);
      return version;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * Marks a run as archived, or returns the marker it already has.
 *
 * @example
 * ```ts
 * const { marker, already } = archiveRun('train.trainbook', run.dir, new Date());
 * console.log(marker.name); // archived_v1_2026-11-22
 * ```
 */
export function archiveRun(storeDir: string, runDir: string, now: Date): { marker: ArchiveMarker; already: boolean } {
  const existing = readArchiveMarker(runDir);
  if (existing) return { marker: existing, already: true };
  // Claimed by an archive that stopped before writing the marker: finish that one.
  const claimed = readArchiveClaims(storeDir).get(path.basename(runDir));
  if (claimed) {
    writeStoreFile(inRun(runDir, ARCHIVE_FILE), `${JSON.stringify(claimed, null, 1)}\n`);
    return { marker: claimed, already: true };
  }
  const version = claimArchiveVersion(storeDir, nextArchiveVersion(storeDir), path.basename(runDir), now);
  const marker: ArchiveMarker = { name: archiveName(version, now), archivedAt: now.toISOString(), version };
  writeStoreFile(inRun(runDir, ARCHIVE_FILE), `${JSON.stringify(marker, null, 1)}\n`);
  return { marker, already: false };
}
