/**
 * Continuing a run after its process ended (a kernel restart, a crash, a finished run that should
 * train longer): which run, where its steps and epochs continue, what its summaries were, and the
 * record it goes on with. The pure parts take what the reader found; {@link openRunToResume} does
 * the I/O (find the run, take its writer lock, read its events).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { InvalidValueError, ResumeConflictError, RunNotFoundError, isSystemMetric, decodeNumber, type FlatParams, type ParamValue, copyNames, type ChronoSeries, type Series, collectChronos, collectSeries, type EffectiveStatus, type ResumeEvent, type RunEvent, type RunRecord, type RunResume } from 'trainbook/core';
import { openStore, readEventsFile, type RunSummary } from '../store/reader.js';
import { EVENTS_FILE } from '../store/paths.js';
import { RunFiles, type WriteFailure } from '../store/runFiles.js';
import { addToStats, type ChronoStats } from './chrono.js';

/** `init({ resume })`: `'last'` (the most recently started run of the store), or a run id, unique id prefix or name. */
export type ResumeReference = 'last' | (string & {});

/** A metric's running summary as the metric buffer keeps it. */
export interface MetricStats {
  last: number;
  min: number;
  max: number;
  count: number;
  lastStep: number;
}


/** Where a resumed run goes on, and what its buffers start from. */
export interface ResumeState {
  /** The automatic step of the first `log()` without a step: one after the largest stored step. */
  nextStep: number;
  /** The epoch after the last completed one (0 when no epoch was recorded): pass it to `fit` as `initialEpoch`. */
  resumeEpoch: number;
  metrics: Map<string, MetricStats>;
  chronos: Map<string, ChronoStats>;
  /** The stored series, for a live display that shows one continuous curve. */
  series: Map<string, Series>;
  /** The `resume` event this continuation appends. */
  event: ResumeEvent;
}

/**
 * Where a run continues: one step after the largest step stored in any series (0 when none), and
 * the epoch after the largest epoch any point was logged with (epoch metrics are logged when an
 * epoch ends, so that epoch is complete).
 *
 * @example
 * continuationPoint(openStore(dir).read(id).series.values()); // e.g. { nextStep: 20, resumeEpoch: 2 }
 */
export function continuationPoint(series: Iterable<Pick<Series, 'name' | 'length' | 'step' | 'epoch'>>): { nextStep: number; resumeEpoch: number } {
  let lastStep = -1;
  let lastEpoch = -1;
  for (const s of series) {
    // System samples (`sys/...`) are numbered on their own; they say nothing of training steps.
    if (isSystemMetric(s.name)) continue;
    for (let i = 0; i < s.length; i++) {
      if (s.step[i]! > lastStep) lastStep = s.step[i]!;
      const epoch = s.epoch[i]!;
      if (epoch > lastEpoch) lastEpoch = epoch;
    }
  }
  return { nextStep: lastStep + 1, resumeEpoch: lastEpoch + 1 };
}

/** A stored series' summary: last point in arrival order, min and max leaving NaN out, count. */
export function metricStats(series: Pick<Series, 'length' | 'step' | 'value'>): MetricStats {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < series.length; i++) {
    const v = series.value[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const last = series.length - 1;
  return { last: last >= 0 ? series.value[last]! : NaN, min, max, count: series.length, lastStep: last >= 0 ? series.step[last]! : 0 };
}

/** A metric known only from run.json's summary (its points were lost): its stats from there. */
function statsFromSummary(summary: RunRecord['summary'][string]): MetricStats {
  const min = decodeNumber(summary.min);
  const max = decodeNumber(summary.max);
  return {
    last: decodeNumber(summary.last),
    min: Number.isNaN(min) ? Infinity : min,
    max: Number.isNaN(max) ? -Infinity : max,
    count: typeof summary.count === 'number' ? summary.count : 0,
    lastStep: typeof summary.step === 'number' ? summary.step : 0,
  };
}

/** A stored timer's statistics, computed the way the chrono buffer computes them as values arrive. */
export function chronoStats(series: Pick<ChronoSeries, 'length' | 'value'>): ChronoStats {
  const stats: ChronoStats = { count: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity };
  for (let i = 0; i < series.length; i++) addToStats(stats, series.value[i]!);
  return stats;
}

const sameParam = (a: ParamValue | undefined, b: ParamValue | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The params a resumed run goes on with: the stored ones, plus keys it did not have. A given
 * value that differs from the stored one throws {@link ResumeConflictError} naming the key.
 *
 * @example
 * resumedParams({ lr: 0.01 }, { lr: 0.01, warmup: 5 }); // { lr: 0.01, warmup: 5 }
 */
export function resumedParams(stored: FlatParams, given: FlatParams): FlatParams {
  // No prototype: a param called __proto__ is added like any other.
  const result: FlatParams = copyNames(stored);
  for (const [key, value] of Object.entries(given)) {
    if (Object.prototype.hasOwnProperty.call(stored, key)) {
      if (!sameParam(stored[key], value)) throw new ResumeConflictError(key, JSON.stringify(stored[key]), JSON.stringify(value));
    } else {
      result[key] = value;
    }
  }
  return result;
}

/** Checks `init({ seed })`: a finite number, or nothing. */
export function checkSeed(seed: unknown): number | null {
  if (seed === undefined || seed === null) return null;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new InvalidValueError(`Seed ${String(seed)} is not allowed; pass a finite number, e.g. init({ seed: 42 }).`);
  return seed;
}

/** The seed a resumed run keeps: the stored one; a different given one throws {@link ResumeConflictError}. */
export function resumedSeed(stored: number | null | undefined, given: number | null): number | null {
  if (stored === null || stored === undefined) return given;
  if (given !== null && given !== stored) throw new ResumeConflictError('seed', String(stored), String(given));
  return stored;
}

/** What a resume may add to a run besides params and seed. */
export interface ResumeChanges {
  params: FlatParams;
  seed: number | null;
  tags: readonly string[];
  notes?: string;
  metadata?: Record<string, unknown>;
}

/**
 * The record a resumed run goes on with: running again, same id, name and start, stored params
 * and seed (checked against the given ones), this process as writer, and one more `resumes` entry.
 */
export function resumedRecord(
  stored: RunRecord,
  fromStatus: EffectiveStatus,
  fromStep: number,
  changes: ResumeChanges,
  now: Date,
  writer: RunRecord['writer'],
): RunRecord {
  const params = resumedParams(stored.params, changes.params);
  const seed = resumedSeed(stored.seed, changes.seed);
  const at = now.toISOString();
  const entry: RunResume = { at, fromStep, fromStatus };
  return {
    ...structuredClone(stored),
    params,
    seed,
    tags: [...new Set([...stored.tags, ...changes.tags])],
    notes: changes.notes ?? stored.notes,
    metadata: changes.metadata ? { ...stored.metadata, ...(JSON.parse(JSON.stringify(changes.metadata)) as Record<string, unknown>) } : structuredClone(stored.metadata),
    status: 'running',
    endedAt: null,
    heartbeatAt: at,
    error: null,
    writer,
    resumes: [...(stored.resumes ?? []), entry],
  };
}

/** Picks the run `reference` names among the runs of a store (sorted by start, oldest first). */
export function pickRun(runs: readonly RunSummary[], reference: ResumeReference, find: (reference: string) => RunSummary, storeDir: string): RunSummary {
  if (reference !== 'last') return find(reference);
  const last = runs.at(-1);
  if (!last) throw new RunNotFoundError(`No run to resume in ${storeDir}: it holds no runs yet. Start one with trainbook.init().`);
  return last;
}

/** The buffers' starting point from the events of the run being resumed. */
export function resumeState(record: RunRecord, events: readonly RunEvent[], now: number): ResumeState {
  const series = collectSeries(events);
  const { nextStep, resumeEpoch } = continuationPoint(series.values());
  const metrics = new Map<string, MetricStats>();
  for (const [name, s] of series) metrics.set(name, metricStats(s));
  // Points whose events were lost still count in the summary run.json kept.
  for (const [name, summary] of Object.entries(record.summary)) if (!metrics.has(name)) metrics.set(name, statsFromSummary(summary));
  const chronos = new Map<string, ChronoStats>();
  for (const [name, c] of collectChronos(events)) chronos.set(name, chronoStats(c));
  return { nextStep, resumeEpoch, metrics, chronos, series, event: { type: 'resume', time: now, step: nextStep } };
}

export interface OpenedResume {
  record: RunRecord;
  files: RunFiles;
  state: ResumeState;
}

/**
 * Finds the run to resume in the store at `storeDir`, takes its writer lock (RunLockedError while
 * another live process writes it), reads its events and builds the record it goes on with. Nothing
 * is written here: the Run writes the record and the `resume` event when it starts. Throws
 * RunNotFoundError, RunLockedError, ResumeConflictError or StoreError, each saying what to do.
 *
 * @example
 * const { record, files, state } = openRunToResume('.trainbook', 'last', { params: {}, seed: null, tags: [] }, onFailure);
 */
export function openRunToResume(storeDir: string, reference: ResumeReference, changes: ResumeChanges, onFailure: WriteFailure): OpenedResume {
  if (typeof reference !== 'string' || reference === '') {
    throw new InvalidValueError(`resume must be 'last' or a run id, id prefix or name; got ${JSON.stringify(reference)}.`);
  }
  const store = openStore(storeDir);
  const summary = pickRun(store.list().runs, reference, store.find, storeDir);
  // Conflicts are found before the lock is taken, so a refused resume leaves the run as it was.
  resumedRecord(summary.record, summary.status, 0, changes, new Date(), summary.record.writer);
  const files = RunFiles.open(summary.dir, summary.record.id, onFailure);
  try {
    // Read after the lock is held: nobody appends any more.
    const parsed = readEventsFile(path.join(summary.dir, EVENTS_FILE));
    const now = Date.now();
    const state = resumeState(summary.record, parsed.events, now);
    const record = resumedRecord(summary.record, summary.status, state.nextStep, changes, new Date(now), { pid: process.pid, host: os.hostname() });
    return { record, files, state };
  } catch (error) {
    files.close();
    throw error;
  }
}
