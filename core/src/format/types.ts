import type { EncodedNumber } from './numbers.js';
import type { FlatParams } from './params.js';

/** The store format version this code writes and reads. */
export const STORE_FORMAT = 1;

/** `store.json` at the root of a store. */
export interface StoreManifest {
  format: number;
  /** The notebook the store belongs to, relative to the store's parent folder; null for scripts. */
  notebook: string | null;
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';
/** What a reader shows: a `running` run whose writer is gone reads as `crashed`. */
export type EffectiveStatus = RunStatus | 'crashed';
export const FINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'interrupted'];

export interface MetricSummary {
  last: EncodedNumber;
  min: EncodedNumber;
  max: EncodedNumber;
  count: number;
  /** Step of the last point. */
  step: number;
}

/** Timer statistics in seconds, as the 'track' library reports chronos. */
export interface ChronoSummary {
  avg: number;
  min: number;
  max: number;
  sd: number;
  count: number;
  unit: 's';
}

export interface CellInfo {
  id: string | null;
  source: string | null;
  executionCount: number | null;
}

export interface GitInfo {
  commit: string | null;
  branch: string | null;
  dirty: boolean;
  /** Artifact file (relative to the run folder) holding `git diff HEAD`, when the tree is dirty. */
  diffFile: string | null;
  diffBytes: number;
  diffTruncated: boolean;
}

export interface EnvInfo {
  node: string;
  os: { platform: string; release: string; arch: string };
  cpu: { model: string; cores: number };
  memoryBytes: number;
  hostname: string;
  tfjs: { version: string | null; backend: string | null } | null;
  gpu: Array<{ name: string; memoryMiB: number | null; driver: string | null }>;
  trainbook: string;
}

export interface RunProgress {
  epoch: number | null;
  epochs: number | null;
  batch: number | null;
  batches: number | null;
  /** Wall-clock ms at which the current training loop began, for ETA. */
  trainStartedAt: number | null;
  /** Fraction done in [0, 1], when known. */
  fraction: number | null;
}

export interface RunError {
  name: string;
  message: string;
  stack: string | null;
}

/** `runs/<id>/run.json`: the run's metadata, replaced atomically as it changes. */
export interface RunRecord {
  format: number;
  id: string;
  name: string;
  experiment: string | null;
  group: string | null;
  /** Plain labels (`['mnist', 'baseline']`), matched by `tag = "mnist"` in queries. */
  tags: string[];
  /** Key-value tags (`{ workers: 8, hpo: 'byopt' }`); absent when the run has none. See {@link TagValues}. */
  tagValues?: TagValues;
  notes: string;
  metadata: Record<string, unknown>;
  params: FlatParams;
  notebook: string | null;
  cell: CellInfo | null;
  git: GitInfo | null;
  env: EnvInfo | null;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  heartbeatAt: string;
  summary: Record<string, MetricSummary>;
  chronos: Record<string, ChronoSummary>;
  progress: RunProgress | null;
  error: RunError | null;
  /** What could not be written (disk full, store deleted). */
  lost: { points: number; records: number; firstError: string | null };
  writer: { pid: number; host: string };
  /** Model snapshots saved by `run.saveModel` / `run.keepBest`, by tag (artifacts/models/index.json is the full list). */
  models?: Record<string, ModelSummary>;
  /** The seed given to `init({ seed })`, kept so a resumed run gets it back; null when none. */
  seed?: number | null;
  /** Each time the run was continued by `init({ resume })`: when, at which step, from which status. */
  resumes?: RunResume[];
  /** What the process printed while the run was active: bytes kept in `output` events and bytes dropped after the cap. */
  output?: OutputStats;
  /** For a run imported from another tool's file: what exporting in that format needs to give the file back. */
  origin?: RunOrigin;
}

/** The value of a key-value tag: a JSON scalar (numbers are finite). */
export type TagValue = string | number | boolean | null;

/**
 * A run's key-value tags, by key: `{ workers: 8, hpo: 'byopt', fast: true }`, as MLflow and ClearML
 * keep them and as a 'track' report's `tags` holds them. Set with `init({ tagValues })`, stored in
 * run.json as `tagValues`, queried as `tags.<key>` (`tags.workers = 8`). They sit beside the plain
 * labels of `tags` (a list of strings, unchanged, so older readers keep working); a run.json
 * without `tagValues` has none. Keys are any non-empty text (names are data: `__proto__` too); a
 * record read from disk has no prototype.
 */
export type TagValues = Record<string, TagValue>;

/**
 * What an import kept of the file a run came from, so that exporting the run in the same format
 * gives that file back field for field: the file's top-level keys in order, and the values that
 * trainbook's own fields cannot reproduce exactly (a 'track' report's `revision`, `uid`,
 * `version`, a status code, chronos given as plain numbers...), verbatim.
 */
export interface RunOrigin {
  format: 'track';
  keys: string[];
  verbatim: Record<string, unknown>;
}

export interface OutputStats {
  keptBytes: number;
  droppedBytes: number;
}

/** One continuation of a run after its process ended (kernel restart, crash). */
export interface RunResume {
  /** ISO time of the resume. */
  at: string;
  /** The first step written after the resume. */
  fromStep: number;
  /** The status the run had before (a crashed run is stored as `running`; see {@link EffectiveStatus}). */
  fromStatus: EffectiveStatus;
}

/** What run.json says about one saved model snapshot. */
export interface ModelSummary {
  /** ISO time of the save. */
  savedAt: string;
  /** tfjs epoch index (0-based) of the last completed epoch, when known. */
  epoch: number | null;
  /** The run's step at the save, when known. */
  step: number | null;
  /** model.json + weights.bin. */
  bytes: number;
  /** The monitored metric and its value, for snapshots kept by `keepBest`. */
  metric?: { name: string; value: EncodedNumber };
}

/**
 * A batch of metric points in columns, one per flush. Steps that count up by one are stored as
 * `stepStart` alone; otherwise `step` holds every step. `time` holds ms offsets from the record's
 * `time`. Values are either `value` (JSON numbers, non-finite ones as strings; small batches, easy
 * to read by eye) or `valueF64` (base64 of little-endian float64s: exact and fast to read; large
 * batches). `epoch` is present when any point of the batch had one (null where a point had none).
 */
export interface MetricColumns {
  step?: number[];
  stepStart?: number;
  time: number[];
  value?: EncodedNumber[];
  valueF64?: string;
  epoch?: Array<number | null>;
}

export interface MetricsEvent {
  type: 'metrics';
  time: number;
  series: Record<string, MetricColumns>;
}

export interface ChronoColumns {
  time: number[];
  /** Seconds. */
  value: number[];
}

export interface ChronoEvent {
  type: 'chrono';
  time: number;
  series: Record<string, ChronoColumns>;
}

export interface StatusEvent {
  type: 'status';
  time: number;
  status: RunStatus;
  error?: RunError;
}

export interface LogEvent {
  type: 'log';
  time: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** The run was continued by another process from `step` (the gap in its series begins there). */
export interface ResumeEvent {
  type: 'resume';
  time: number;
  step: number;
}

/** Text the process wrote to stdout or stderr while the run was active (consecutive writes merged). */
export interface OutputEvent {
  type: 'output';
  time: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Written once when captured output reached the run's cap: later output is counted, not kept. */
export interface OutputCutEvent {
  type: 'output-cut';
  time: number;
  /** Bytes kept before the cut (the cap). */
  afterBytes: number;
}

export type RunEvent = MetricsEvent | ChronoEvent | StatusEvent | LogEvent | ResumeEvent | OutputEvent | OutputCutEvent;
