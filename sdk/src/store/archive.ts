/**
 * Archive markers: `runs/<id>/archive.json` says a run is kept under a name such as
 * `archived_v3_2026-11-22`. The marker is its own file so that run.json keeps one writer (the run).
 * Archived runs are listed apart and never pruned.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { RUNS_DIR } from './paths.js';

export const ARCHIVE_FILE = 'archive.json';
/** `<store>/archives/v<N>`: one file per archive version, created exclusively, so two archiving processes never share a number. */
export const ARCHIVE_CLAIMS_DIR = 'archives';

export interface ArchiveMarker {
  /** `archived_v<version>_<yyyy-mm-dd>`. */
  name: string;
  archivedAt: string;
  /** Counts up per store: 1, 2, ... */
  version: number;
}

/** `archived_v2_2026-11-22`: the version, then the UTC date of archiving. */
export function archiveName(version: number, at: Date): string {
  return `archived_v${version}_${at.toISOString().slice(0, 10)}`;
}

/** The run's archive marker, or null when it has none (or an unreadable one). */
export function readArchiveMarker(runDir: string): ArchiveMarker | null {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(path.join(runDir, ARCHIVE_FILE), 'utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const marker = value as Record<string, unknown>;
  if (typeof marker.name !== 'string' || typeof marker.archivedAt !== 'string' || typeof marker.version !== 'number') return null;
  return { name: marker.name, archivedAt: marker.archivedAt, version: marker.version };
}

/** The version the next archive in a store gets: one more than the highest marker there. */
export function nextArchiveVersion(storeDir: string): number {
  let highest = 0;
  let names: string[] = [];
  try {
    names = fs.readdirSync(path.join(storeDir, RUNS_DIR)).filter((name) => !name.startsWith('.'));
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
 * Takes the first free version from `from` on by creating its claim file exclusively (the file
 * holds the run id): of two processes archiving at the same moment, each gets its own number.
 */
export function claimArchiveVersion(storeDir: string, from: number, runId: string): number {
  const dir = path.join(storeDir, ARCHIVE_CLAIMS_DIR);
  fs.mkdirSync(dir, { recursive: true });
  for (let version = Math.max(1, from); ; version++) {
    try {
      fs.writeFileSync(path.join(dir, `v${version}`), `${runId}\n`, { flag: 'wx' });
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
  const version = claimArchiveVersion(storeDir, nextArchiveVersion(storeDir), path.basename(runDir));
  const marker: ArchiveMarker = { name: archiveName(version, now), archivedAt: now.toISOString(), version };
  writeFileAtomic(path.join(runDir, ARCHIVE_FILE), `${JSON.stringify(marker, null, 1)}\n`);
  return { marker, already: false };
}
