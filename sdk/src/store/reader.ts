import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { RunNotFoundError, StoreError } from '../errors.js';
import { parseEvents, type EventProblem, type ParsedEvents } from '../format/events.js';
import { collectChronos, collectOutput, collectSeries, type ChronoSeries, type RunOutput, type Series } from '../format/series.js';
import { effectiveStatus } from '../format/status.js';
import { coerceRunRecord } from '../format/shape.js';
import type { EffectiveStatus, RunEvent, RunRecord, StoreManifest } from '../format/types.js';
import { readArchiveClaims, readArchiveMarker, type ArchiveMarker } from './archive.js';
import { writerAlive } from './lock.js';
import { EVENTS_FILE, MANIFEST_FILE, RUN_FILE, RUNS_DIR } from './paths.js';

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
 * (a bad run.json, torn or corrupt event lines) is reported, never thrown.
 */
export function openStore(dir: string): Store {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new StoreError(`No trainbook store at ${dir}. Run a notebook or script that calls trainbook.init() first, or pass the store's path.`);
  }
  let manifest: StoreManifest | null = null;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as StoreManifest;
  } catch {
    manifest = null;
  }
  const runsDir = path.join(dir, RUNS_DIR);

  const list = (): { runs: RunSummary[]; problems: StoreProblem[] } => {
    const runs: RunSummary[] = [];
    const problems: StoreProblem[] = [];
    let ids: string[] = [];
    try {
      ids = fs.readdirSync(runsDir).filter((name) => !name.startsWith('.'));
    } catch {
      return { runs, problems };
    }
    const now = Date.now();
    // Read only when some run has no marker of its own (a claim protects a half-finished archive).
    let claims: Map<string, ArchiveMarker> | undefined;
    for (const runId of ids.sort()) {
      const runDir = path.join(runsDir, runId);
      const file = path.join(runDir, RUN_FILE);
      try {
        const record = coerceRunRecord(JSON.parse(fs.readFileSync(file, 'utf8')));
        if (typeof record === 'string') throw new Error(record);
        runs.push({ record, status: effectiveStatus(record, now, writerAlive(record.writer)), dir: runDir, archive: readArchiveMarker(runDir) ?? (claims ??= readArchiveClaims(dir)).get(record.id) ?? null });
      } catch (error) {
        if (fs.existsSync(runDir) && fs.statSync(runDir).isDirectory()) {
          problems.push({ runId, file, reason: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'run.json is missing' : `run.json is unreadable: ${(error as Error).message}` });
        }
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

/** Reads an events file; a missing file reads as empty. */
export function readEventsFile(file: string): ParsedEvents {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return { events: [], problems: [], tornTail: null, bytesRead: 0 };
  }
  return parseEvents(bytes, nodeCrc);
}
