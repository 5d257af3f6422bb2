/**
 * The live output of a run: what the kernel sends as `application/vnd.trainbook.run+json`, how a
 * renderer checks it (outputs come from notebooks, and notebooks come from anyone), and the
 * one-line text summary. Pure, for Node and browsers.
 */
import { decodeNumber, encodeNumber, formatNumber, type EncodedNumber } from '../format/numbers.js';
import type { EffectiveStatus } from '../format/types.js';
import { isSystemMetric } from '../format/metricNames.js';
import { isObject } from '../format/shape.js';

export const RUN_MIME = 'application/vnd.trainbook.run+json';
export const PAYLOAD_VERSION = 1;

export interface LiveSeries {
  name: string;
  /** Points logged so far (the payload holds a downsampled subset). */
  count: number;
  last: EncodedNumber;
  /** The x values: steps, or seconds since the run started when `xAxis` is `elapsed`. */
  step: number[];
  value: EncodedNumber[];
  /** `elapsed` for series sampled on a clock (system metrics); absent means steps. */
  xAxis?: 'elapsed';
}

export interface LiveProgress {
  epoch: number | null;
  epochs: number | null;
  batch: number | null;
  batches: number | null;
  fraction: number | null;
  elapsedSeconds: number;
  etaSeconds: number | null;
}

export interface LivePayload {
  version: number;
  run: {
    id: string;
    name: string;
    experiment: string | null;
    /** The store folder's name, relative to the notebook's folder. */
    store: string;
    status: EffectiveStatus;
    startedAt: string;
    endedAt: string | null;
    error: { name: string; message: string } | null;
  };
  progress: LiveProgress | null;
  /** ms since the Unix epoch. */
  updatedAt: number;
  series: LiveSeries[];
  /** Steps where the run was resumed (`init({ resume })`); charts draw a "resumed" rule there. */
  resumes?: number[];
}

const STATUSES = new Set(['running', 'completed', 'failed', 'interrupted', 'crashed']);
const MAX_TEXT = 10_000;
const MAX_SERIES = 200;
const MAX_POINTS = 100_000;
const MAX_RESUMES = 1_000;

const text = (v: unknown): string | null => (typeof v === 'string' ? v.slice(0, MAX_TEXT) : null);
const numberOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const encoded = (v: unknown): EncodedNumber => encodeNumber(decodeNumber(v));

/**
 * Rebuilds a payload from untrusted JSON, field by field: only known fields of the right types
 * come through (strings are cut at 10k characters, counts are bounded); anything else is dropped.
 * Returns a reason when the value is not a trainbook run at all.
 */
export function parseLivePayload(value: unknown): LivePayload | string {
  if (!isObject(value) || !isObject(value.run)) return 'not a trainbook run output';
  const run = value.run;
  const id = text(run.id);
  if (!id) return 'the run has no id';
  const status = typeof run.status === 'string' && STATUSES.has(run.status) ? (run.status as EffectiveStatus) : 'running';
  const error = isObject(run.error) ? { name: text(run.error.name) ?? 'Error', message: text(run.error.message) ?? '' } : null;
  let progress: LiveProgress | null = null;
  if (isObject(value.progress)) {
    const p = value.progress;
    progress = {
      epoch: numberOrNull(p.epoch),
      epochs: numberOrNull(p.epochs),
      batch: numberOrNull(p.batch),
      batches: numberOrNull(p.batches),
      fraction: numberOrNull(p.fraction) === null ? null : Math.min(1, Math.max(0, p.fraction as number)),
      elapsedSeconds: numberOrNull(p.elapsedSeconds) ?? 0,
      etaSeconds: numberOrNull(p.etaSeconds),
    };
  }
  const series: LiveSeries[] = [];
  let points = 0;
  for (const item of Array.isArray(value.series) ? value.series.slice(0, MAX_SERIES) : []) {
    if (!isObject(item)) continue;
    const name = text(item.name);
    if (name === null || !Array.isArray(item.step) || !Array.isArray(item.value)) continue;
    const length = Math.min(item.step.length, item.value.length, MAX_POINTS - points);
    if (length < 0) break;
    const step: number[] = [];
    const values: EncodedNumber[] = [];
    for (let i = 0; i < length; i++) {
      const s = item.step[i];
      if (typeof s !== 'number' || !Number.isFinite(s)) continue;
      step.push(s);
      values.push(encoded(item.value[i]));
    }
    points += step.length;
    const parsed: LiveSeries = { name, count: numberOrNull(item.count) ?? step.length, last: encoded(item.last), step, value: values };
    if (item.xAxis === 'elapsed') parsed.xAxis = 'elapsed';
    series.push(parsed);
  }
  return {
    version: numberOrNull(value.version) ?? PAYLOAD_VERSION,
    run: {
      id,
      name: text(run.name) ?? id,
      experiment: text(run.experiment),
      store: text(run.store) ?? '',
      status,
      startedAt: text(run.startedAt) ?? '',
      endedAt: text(run.endedAt),
      error,
    },
    progress,
    updatedAt: numberOrNull(value.updatedAt) ?? 0,
    series,
    ...parseResumeSteps(value.resumes),
  };
}

/** ETA from the share done and the time spent; null until there is something to go on. */
export function estimateEta(fraction: number | null, elapsedSeconds: number): number | null {
  if (fraction === null || fraction <= 0 || fraction >= 1 || elapsedSeconds <= 0) return fraction === 1 ? 0 : null;
  return (elapsedSeconds / fraction) * (1 - fraction);
}

export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `mlp · running · epoch 2/5 · 43% · ETA 12s · loss 0.3121 · val_loss 0.3301` */
export function summaryLine(payload: LivePayload, maxMetrics = 4): string {
  const parts = [payload.run.name, payload.run.status];
  const p = payload.progress;
  if (p && payload.run.status === 'running') {
    if (p.epochs !== null) parts.push(`epoch ${Math.min((p.epoch ?? 0) + 1, p.epochs)}/${p.epochs}`);
    if (p.fraction !== null) parts.push(`${Math.floor(p.fraction * 100)}%`);
    if (p.etaSeconds !== null) parts.push(`ETA ${formatSeconds(p.etaSeconds)}`);
  } else if (p) {
    parts.push(formatSeconds(p.elapsedSeconds));
  }
  // The user's metrics; system samples have their own charts.
  const own = payload.series.filter((s) => !isSystemMetric(s.name));
  const epochLevel = own.filter((s) => !s.name.startsWith('batch/'));
  for (const s of (epochLevel.length > 0 ? epochLevel : own).slice(0, maxMetrics)) {
    parts.push(`${s.name} ${formatNumber(decodeNumber(s.last))}`);
  }
  if (payload.run.error) parts.push(`${payload.run.error.name}: ${payload.run.error.message}`);
  return parts.filter(Boolean).join(' · ');
}

/** `resumes` of an untrusted payload: whole steps ≥ 0 only, at most 1000; absent when none are usable. */
function parseResumeSteps(value: unknown): { resumes?: number[] } {
  if (!Array.isArray(value)) return {};
  const steps = value.slice(0, MAX_RESUMES).filter((step): step is number => typeof step === 'number' && Number.isSafeInteger(step) && step >= 0);
  return steps.length > 0 ? { resumes: steps } : {};
}
