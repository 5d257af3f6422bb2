import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { RunNotFoundError, StoreError, StoreLinkError, parseEvents, type EventProblem, type ParsedEvents, collectChronos, collectOutput, collectSeries, type ChronoSeries, type RunOutput, type Series, effectiveStatus, coerceRunRecord, type EffectiveStatus, type RunEvent, type RunRecord, type StoreManifest } from 'trainbook/core';
import { ARCHIVE_FILE, readArchiveClaims, readArchiveMarker, type ArchiveMarker } from './archive.js';
import { writerAlive } from './lock.js';
import { EVENTS_FILE, MANIFEST_FILE, RUN_FILE, RUNS_DIR } from './paths.js';
import { inRun, inStore, linkTarget, listStoreDir, readStoreBytes, readStoreText, storeEntryKind } from './safePath.js';

const nodeCrc = (bytes: Uint8Array, start: number, end: number): number => crc32(bytes.subarray(start, end));

/** A run as lists show it: its record plus the status a reader should display. */
export interface RunSummary {
  record: RunRecord;
  status: EffectiveStatus;
  dir: string;
  /** The run's archive marker (`trainbook archive`), or null when it is not archived. */
  archive?: ArchiveMarker | null;
}

/** Everything stored about one run, with its series as columns. */
export interface RunData extends RunSummary {
  events: RunEvent[];
  series: Map<string, Series>;
  chronos: Map<string, ChronoSeries>;
  /** What the process printed to stdout/stderr while the run was active (see `init({ captureOutput })`). */
  output: RunOutput;
  /** Damaged lines, reported with their position; every other record was still read. */
  problems: EventProblem[];
  tornTail: ParsedEvents['tornTail'];
}

/** A run folder that could not be read as a run. */
export interface StoreProblem {
  runId: string;
  file: string;
  reason: string;
}

export interface Store {
  dir: string;
  manifest: StoreManifest | null;
  /** Runs sorted by start (oldest first), and the run folders that could not be read. */
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
  let manifest: StoreManifest | null = null;
  try {
    manifest = JSON.parse(readStoreText(inStore(dir, MANIFEST_FILE)) ?? 'null') as StoreManifest | null;
  } catch {
    manifest = null;
  }
  const runsDir = path.join(dir, RUNS_DIR);

  const list = (): { runs: RunSummary[]; problems: StoreProblem[] } => {
    const runs: RunSummary[] = [];
    const problems: StoreProblem[] = [];
    let entries: Array<{ name: string; kind: string }> = [];
    try {
      entries = (listStoreDir(inStore(dir, RUNS_DIR)) ?? []).filter((entry) => !entry.name.startsWith('.'));
    } catch (error) {
      if (error instanceof StoreLinkError) problems.push({ runId: RUNS_DIR, file: runsDir, reason: linkReason(error) });
      return { runs, problems };
    }
    const now = Date.now();
    // Read only when some run has no marker of its own (a claim protects a half-finished archive).
    let claims: Map<string, ArchiveMarker> | undefined;
    for (const { name: runId, kind } of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const runDir = path.join(runsDir, runId);
      if (kind === 'link') {
        problems.push({ runId, file: runDir, reason: `the run folder is a symbolic link${targetNote(runDir)}; it was not followed` });
        continue;
      }
      if (kind !== 'directory') continue;
      // One look at the folder says which of its files exist and which are links.
      let files: Map<string, string>;
      try {
        files = new Map((listStoreDir(inRun(runDir)) ?? []).map((entry) => [entry.name, entry.kind]));
      } catch {
        continue; // replaced meanwhile; the next listing sees what it became
      }
      const read = readRunRecord(runDir);
      if (read === null) continue; // removed while listing (pruned)
      if (typeof read === 'string') {
        problems.push({ runId, file: path.join(runDir, RUN_FILE), reason: read });
        continue;
      }
      const marker = files.has(ARCHIVE_FILE) ? readArchiveMarker(runDir) : null;
      runs.push({ record: read, status: effectiveStatus(read, now, writerAlive(read.writer)), dir: runDir, archive: marker ?? (claims ??= readArchiveClaims(dir)).get(read.id) ?? null });
      if (files.get(EVENTS_FILE) === 'link') {
        const events = path.join(runDir, EVENTS_FILE);
        problems.push({ runId, file: events, reason: `events.jsonl is a symbolic link${targetNote(events)}; it was not followed, so none of the run's records were read` });
      }
    }
    runs.sort((a, b) => a.record.startedAt.localeCompare(b.record.startedAt) || a.record.id.localeCompare(b.record.id));
    return { runs, problems };
  };

  const find = (reference: string): RunSummary => {
    const { runs } = list();
    const exact = runs.find((run) => run.record.id === reference);
    if (exact) return exact;
    const byPrefix = runs.filter((run) => run.record.id.startsWith(reference));
    const byName = runs.filter((run) => run.record.name === reference);
    const byArchiveName = runs.filter((run) => run.archive?.name === reference);
    const matches = byPrefix.length > 0 ? byPrefix : byName.length > 0 ? byName : byArchiveName;
    if (matches.length === 1) return matches[0]!;
    if (matches.length === 0) {
      throw new RunNotFoundError(`No run "${reference}" in ${dir}. \`trainbook ls\` lists the runs.`);
    }
    throw new RunNotFoundError(
      `"${reference}" matches ${matches.length} runs (${matches
        .slice(0, 5)
        .map((run) => run.record.id)
        .join(', ')}${matches.length > 5 ? ', ...' : ''}); give more of the id.`,
    );
  };

  const read = (runId: string): RunData => {
    const summary = find(runId);
    const parsed = readEventsFile(path.join(summary.dir, EVENTS_FILE));
    return {
      ...summary,
      events: parsed.events,
      series: collectSeries(parsed.events),
      chronos: collectChronos(parsed.events),
      output: collectOutput(parsed.events),
      problems: parsed.problems,
      tornTail: parsed.tornTail,
    };
  };

  return { dir, manifest, list, find, read };
}

/**
 * Reads a run's events file (`<store>/runs/<id>/events.jsonl`); a missing file reads as empty. A
 * link (the file, or a folder above it inside the store) is not followed: it reads as empty with
 * one problem that says so.
 */
export function readEventsFile(file: string): ParsedEvents {
  let bytes: Buffer | null;
  try {
    bytes = readStoreBytes(inRun(path.dirname(file), path.basename(file)));
  } catch (error) {
    if (!(error instanceof StoreLinkError)) return { events: [], problems: [], tornTail: null, bytesRead: 0 };
    return { events: [], problems: [{ line: 1, offset: 0, length: 0, reason: linkReason(error) }], tornTail: null, bytesRead: 0 };
  }
  if (bytes === null) return { events: [], problems: [], tornTail: null, bytesRead: 0 };
  return parseEvents(bytes, nodeCrc);
}

/** A run folder's record; a string saying why it cannot be read; null when the folder is gone. */
export function readRunRecord(runDir: string): RunRecord | string | null {
  try {
    const text = readStoreText(inRun(runDir, RUN_FILE));
    if (text === null) return storeEntryKind(inRun(runDir)) === 'directory' ? 'run.json is missing' : null;
    const record = coerceRunRecord(JSON.parse(text));
    return typeof record === 'string' ? `run.json is unreadable: ${record}` : record;
  } catch (error) {
    return error instanceof StoreLinkError ? linkReason(error) : `run.json is unreadable: ${(error as Error).message}`;
  }
}

/** A link problem, said from the store's side: which path is a link, and that it was not followed. */
function linkReason(error: StoreLinkError): string {
  return `${path.basename(error.path)} is a symbolic link${targetNote(error.path)}; it was not followed`;
}

function targetNote(file: string): string {
  const target = linkTarget(file);
  return target === null ? '' : ` (to ${target})`;
}
