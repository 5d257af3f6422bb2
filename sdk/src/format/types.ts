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
  tags: string[];
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

export type RunEvent = MetricsEvent | ChronoEvent | StatusEvent | LogEvent;
