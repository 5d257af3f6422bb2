/**
 * The one store reader, written as store tasks (see `task.ts`) so that the SDK runs it over Node's
 * fs and the extension over the Contents API: the manifest, the run listing (records, the status
 * to show, archive names, problems) and one run's whole contents (events parsed and CRC-checked,
 * series as columns, chronos, captured output, damaged lines, a torn tail). Damage is reported,
 * never thrown; a symbolic link (which the Node implementation lists with kind 'link') is never
 * read. Runs sort by start time, then id, everywhere. Pure.
 */
import { StoreLinkError } from '../errors.js';
import { parseEvents, type Crc32Function, type EventProblem, type ParsedEvents } from '../format/events.js';
import { isRunId } from '../format/ids.js';
import { collectChronos, collectOutput, collectSeries, type ChronoSeries, type RunOutput, type Series } from '../format/series.js';
import { coerceRunRecord } from '../format/shape.js';
import { effectiveStatus } from '../format/status.js';
import type { EffectiveStatus, RunEvent, RunRecord, StoreManifest } from '../format/types.js';
import { archiveOf, readArchiveClaims, type ArchiveMarker, type ClaimCache } from './archives.js';
import { FileAccessError, type FileEntry } from './files.js';
import { ARCHIVE_FILE, EVENTS_FILE, MANIFEST_FILE, RUN_FILE, RUNS_DIR, ASIDE_PREFIX, eventsFile, runDir, runFile } from './layout.js';
import { list, readBytes, readText, type StoreTask } from './task.js';

/** A run as lists show it. */
export interface ListedRun {
  record: RunRecord;
  /** What to show: a running run whose heartbeat is stale (or whose writer is gone) is crashed. */
  status: EffectiveStatus;
  archive: ArchiveMarker | null;
  /** The run folder's last modification, when the file access knows it. */
  modified: string | null;
}

/** A run folder (or file in it) that could not be read as a run. */
export interface RunFolderProblem {
  runId: string;
  /** Store-relative path of what could not be read. */
  path: string;
  reason: string;
}

export interface RunListing {
  runs: ListedRun[];
  problems: RunFolderProblem[];
}

/** Records read before, by run id, reused while the run folder's `modified` is unchanged. */
export interface ListingCache {
  records: Map<string, { modified: string; record: RunRecord; hasMarker: boolean }>;
  claims: ClaimCache;
}

export function newListingCache(): ListingCache {
  return { records: new Map(), claims: new Map() };
}

export interface ListOptions {
  /** The clock for stale heartbeats (ms since the epoch). */
  now?: number;
  /** Whether a run's writing process is alive (false: gone; null: cannot tell, as in a browser). */
  writerAlive?: (writer: RunRecord['writer']) => boolean | null;
  /** Skips re-reading unchanged runs (a run still running is always read again). */
  cache?: ListingCache;
}

/** The store's manifest (`store.json`), or null when it is missing or unreadable. */
export function* readManifest(): StoreTask<StoreManifest | null> {
  try {
    const text = yield* readText(MANIFEST_FILE);
    const value: unknown = text === null ? null : JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as StoreManifest) : null;
  } catch {
    return null;
  }
}

/** Orders runs by start time, then id: the one order of every list. */
export function compareRunsByStart(a: { record: RunRecord }, b: { record: RunRecord }): number {
  return a.record.startedAt.localeCompare(b.record.startedAt) || (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0);
}

/**
 * Every run of the store, sorted by start time then id, and the run folders that could not be
 * read. Folders whose name starts with '.' (runs being written aside) are skipped.
 *
 * @example
 * const { runs, problems } = runSync(listRuns({ now: Date.now() }), files);
 */
export function* listRuns(options: ListOptions = {}): StoreTask<RunListing> {
  const runs: ListedRun[] = [];
  const problems: RunFolderProblem[] = [];
  const now = options.now ?? Date.now();
  let entries;
  try {
    entries = (yield* list(RUNS_DIR)) ?? [];
  } catch (error) {
    if (isLinkError(error)) problems.push({ runId: RUNS_DIR, path: RUNS_DIR, reason: linkReason(error) });
    return { runs, problems };
  }
  const claims = yield* readArchiveClaims(options.cache?.claims);
  for (const entry of entries) {
    const runId = entry.name;
    if (runId.startsWith('.') || runId.startsWith(ASIDE_PREFIX)) continue; // hidden, or a finished run being written aside
    if (entry.kind === 'link') {
      problems.push({ runId, path: runDir(runId), reason: `the run folder is a symbolic link${entry.target ? ` (to ${entry.target})` : ''}; it was not followed` });
      continue;
    }
    if (entry.kind !== 'directory') continue;
    const read = yield* readRunFolder(runId, entry.modified ?? null, options.cache);
    if (read === null) continue; // removed while listing (pruned)
    if ('reason' in read) {
      problems.push(read);
      continue;
    }
    const { record, hasMarker, eventsLink } = read;
    const writerAlive = options.writerAlive ? options.writerAlive(record.writer) : null;
    runs.push({ record, status: effectiveStatus(record, now, writerAlive), archive: yield* archiveOf(runId, claims, hasMarker), modified: entry.modified ?? null });
    if (eventsLink) {
      problems.push({ runId, path: eventsFile(runId), reason: `${EVENTS_FILE} is a symbolic link${targetNote(eventsLink)}; it was not followed, so none of the run's records were read` });
    }
  }
  runs.sort(compareRunsByStart);
  return { runs, problems };
}

type FolderRead = { record: RunRecord; hasMarker: boolean; eventsLink: FileEntry | null } | RunFolderProblem | null;

const targetNote = (entry: FileEntry): string => (entry.target ? ` (to ${entry.target})` : '');

function* readRunFolder(runId: string, modified: string | null, cache: ListingCache | undefined): StoreTask<FolderRead> {
  const cached = modified === null ? undefined : cache?.records.get(runId);
  if (cached && cached.modified === modified && cached.record.status !== 'running') return { record: cached.record, hasMarker: cached.hasMarker, eventsLink: null };
  const files = yield* listRunFolder(runId);
  if (files === null) return null; // removed while listing (pruned)
  if (typeof files === 'string') return { runId, path: runDir(runId), reason: files };
  const record = yield* recordOf(runId, files);
  if (record === null) return null;
  if (typeof record === 'string') return { runId, path: runFile(runId), reason: record };
  const hasMarker = files.get(ARCHIVE_FILE)?.kind === 'file';
  if (modified !== null) cache?.records.set(runId, { modified, record, hasMarker });
  const events = files.get(EVENTS_FILE);
  return { record, hasMarker, eventsLink: events?.kind === 'link' ? events : null };
}

/** The run folder's entries by name (one look says which files exist and which are links); a reason when it cannot be listed; null when it is gone. */
function* listRunFolder(runId: string): StoreTask<Map<string, FileEntry> | string | null> {
  try {
    const entries = yield* list(runDir(runId));
    return entries === null ? null : new Map(entries.map((e) => [e.name, e]));
  } catch (error) {
    return isLinkError(error) ? linkReason(error) : null;
  }
}

/**
 * A run folder's record (`runs/<id>/run.json`); a string saying why it cannot be read; null when
 * the folder is gone.
 */
export function* readRunRecord(runId: string): StoreTask<RunRecord | string | null> {
  const files = yield* listRunFolder(runId);
  if (files === null || typeof files === 'string') return files;
  return yield* recordOf(runId, files);
}

function* recordOf(runId: string, files: ReadonlyMap<string, FileEntry>): StoreTask<RunRecord | string | null> {
  const entry = files.get(RUN_FILE);
  if (entry?.kind === 'link') return `${RUN_FILE} is a symbolic link${targetNote(entry)}; it was not followed`;
  if (!entry) return `${RUN_FILE} is missing`;
  let text: string | null;
  try {
    text = yield* readText(runFile(runId));
  } catch (error) {
    return isLinkError(error) ? linkReason(error) : `${RUN_FILE} is unreadable: ${(error as Error).message}`;
  }
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // A parse error quotes the text it choked on: not shown (the file may hold anything).
    return `${RUN_FILE} is not valid JSON`;
  }
  const record = coerceRunRecord(value);
  if (typeof record === 'string') return `${RUN_FILE} is unreadable: ${record}`;
  if (record.id !== runId && isRunId(runId)) return `${RUN_FILE} says id ${JSON.stringify(record.id.slice(0, 40))}`;
  return record;
}

/** Everything stored about one run, with its series as columns. */
export interface RunContents {
  events: RunEvent[];
  series: Map<string, Series>;
  chronos: Map<string, ChronoSeries>;
  /** What the process printed while the run was active (see `init({ captureOutput })`). */
  output: RunOutput;
  /** Damaged lines, with their position; every other record was still read. */
  problems: EventProblem[];
  tornTail: ParsedEvents['tornTail'];
}

/**
 * A run's events file, parsed and checked line by line (`crc`: a faster CRC-32 where the host has
 * one). A missing file reads as empty; a link is not followed: it reads as empty with one problem.
 */
export function* readRunEvents(runId: string, crc?: Crc32Function): StoreTask<ParsedEvents> {
  const empty: ParsedEvents = { events: [], problems: [], tornTail: null, bytesRead: 0 };
  let bytes: Uint8Array | null;
  try {
    bytes = yield* readBytes(eventsFile(runId));
  } catch (error) {
    if (!isLinkError(error)) return empty;
    return { ...empty, problems: [{ line: 1, offset: 0, length: 0, reason: linkReason(error) }] };
  }
  return bytes === null ? empty : parseEvents(bytes, crc);
}

/** One run's contents (events, series, chronos, output, problems, torn tail). */
export function* readRun(runId: string, crc?: Crc32Function): StoreTask<RunContents> {
  const parsed = yield* readRunEvents(runId, crc);
  return {
    events: parsed.events,
    series: collectSeries(parsed.events),
    chronos: collectChronos(parsed.events),
    output: collectOutput(parsed.events),
    problems: parsed.problems,
    tornTail: parsed.tornTail,
  };
}

/** True for an error that says a link was met (either implementation's way of saying it). */
export function isLinkError(error: unknown): error is StoreLinkError | FileAccessError {
  return error instanceof StoreLinkError || (error instanceof FileAccessError && error.code === 'link');
}

/** A link problem, said from the store's side: which path is a link, and that it was not followed. */
export function linkReason(error: StoreLinkError | FileAccessError): string {
  const where = error.path.replace(/\\/g, '/');
  const name = where.slice(where.lastIndexOf('/') + 1);
  const target = error instanceof StoreLinkError && error.target !== null ? ` (to ${error.target})` : '';
  return `${name} is a symbolic link${target}; it was not followed`;
}

