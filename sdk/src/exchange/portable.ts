/**
 * The run as the exchange formats see it: the record, every metric point and timer measurement as
 * plain arrays, and the other events (status, log). Pure: the mappings to and from JSON, 'track'
 * and CSV all go through this shape, and {@link portableToEvents} turns it back into store events.
 */
import { ImportFormatError, encodeFloat64, decodeNumber, encodeNumber, type EncodedNumber, type ChronoSeries, type Series, eventProblem, isObject, summarizeSeries, nameRecord, type ChronoEvent, type EffectiveStatus, type MetricColumns, type MetricSummary, type MetricsEvent, type RunEvent, type RunRecord, type RunStatus } from 'trainbook/core';

/** One metric's points in arrival order; `epoch` is null where a point had none. */
export interface PortableSeries {
  name: string;
  step: number[];
  /** Wall-clock ms since the Unix epoch. */
  time: number[];
  epoch: Array<number | null>;
  /** Raw numbers: NaN and ±Infinity included. */
  value: number[];
}

export interface PortableChrono {
  name: string;
  time: number[];
  /** Seconds. */
  value: number[];
}

export interface PortableRun {
  record: RunRecord;
  series: PortableSeries[];
  chronos: PortableChrono[];
  /** Every event that is not a metric point or timer measurement (status, log, newer types), in order. */
  events: RunEvent[];
  /** What a reader shows (a running run whose writer is gone is `crashed`); the record's status otherwise. */
  effectiveStatus?: EffectiveStatus;
}

/** Series as the exchange formats write them: values encoded as the store does (NaN as "NaN"). */
export interface EncodedSeries {
  name: string;
  step: number[];
  time: number[];
  epoch: Array<number | null>;
  value: EncodedNumber[];
}

export const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'failed', 'interrupted'];
/** Points per `metrics` event when an import writes the store: keeps each line a few hundred KB at most. */
const POINTS_PER_EVENT = 10_000;
/** Batches of at least this many points store values as base64 float64, as the SDK does. */
const BINARY_MIN_POINTS = 64;

/** Builds the portable run from what the reader returns (record, series columns, events). */
export function portableFromRead(data: {
  record: RunRecord;
  status?: EffectiveStatus;
  series: Map<string, Series>;
  chronos: Map<string, ChronoSeries>;
  events: readonly RunEvent[];
}): PortableRun {
  const series = [...data.series.values()].map((s) => ({
    name: s.name,
    step: Array.from(s.step.subarray(0, s.length)),
    time: Array.from(s.time.subarray(0, s.length)),
    epoch: Array.from(s.epoch.subarray(0, s.length), (e) => (Number.isNaN(e) ? null : e)),
    value: Array.from(s.value.subarray(0, s.length)),
  }));
  const chronos = [...data.chronos.values()].map((c) => ({
    name: c.name,
    time: Array.from(c.time.subarray(0, c.length)),
    value: Array.from(c.value.subarray(0, c.length)),
  }));
  const events = data.events.filter((event) => event.type !== 'metrics' && event.type !== 'chrono');
  return { record: data.record, series, chronos, events, effectiveStatus: data.status ?? data.record.status };
}

export function encodeSeries(series: PortableSeries): EncodedSeries {
  return { name: series.name, step: series.step, time: series.time, epoch: series.epoch, value: series.value.map(encodeNumber) };
}

/** Checks one encoded series from an untrusted file and decodes its values; `where` names it in errors. */
export function decodeSeries(value: unknown, where: string): PortableSeries {
  if (!isObject(value)) throw new ImportFormatError(`${where} is not an object.`);
  const name = value.name;
  if (typeof name !== 'string' || name.length === 0 || name.length > 1024) throw new ImportFormatError(`${where} has no valid "name" (a string of 1 to 1024 characters).`);
  const label = `${where} (${JSON.stringify(name)})`;
  const step = numberColumn(value.step, `${label} "step"`);
  const time = numberColumn(value.time, `${label} "time"`);
  if (!Array.isArray(value.epoch) || !value.epoch.every((e) => e === null || (typeof e === 'number' && Number.isFinite(e)))) {
    throw new ImportFormatError(`${label} "epoch" must be an array of numbers or nulls.`);
  }
  if (!Array.isArray(value.value) || !value.value.every(isEncodedNumber)) {
    throw new ImportFormatError(`${label} "value" must be an array of numbers ("NaN", "Infinity" and "-Infinity" for non-finite ones).`);
  }
  const lengths = [step.length, time.length, value.epoch.length, value.value.length];
  if (lengths.some((n) => n !== step.length)) throw new ImportFormatError(`${label} has columns of different lengths (${lengths.join(', ')}).`);
  return { name, step, time, epoch: value.epoch as Array<number | null>, value: (value.value as EncodedNumber[]).map(decodeNumber) };
}

export function decodeChrono(value: unknown, where: string): PortableChrono {
  if (!isObject(value)) throw new ImportFormatError(`${where} is not an object.`);
  const name = value.name;
  if (typeof name !== 'string' || name.length === 0) throw new ImportFormatError(`${where} has no valid "name".`);
  const time = numberColumn(value.time, `${where} "time"`);
  const seconds = numberColumn(value.value, `${where} "value"`);
  if (time.length !== seconds.length) throw new ImportFormatError(`${where} has columns of different lengths.`);
  return { name, time, value: seconds };
}

/** Checks the non-series events of an untrusted file with the same rules the reader applies. */
export function checkEvents(value: unknown, where: string): RunEvent[] {
  if (!Array.isArray(value)) throw new ImportFormatError(`${where} must be an array of event records.`);
  value.forEach((event, i) => {
    if (!isObject(event) || typeof event.type !== 'string') throw new ImportFormatError(`${where}[${i}] is not an event record (an object with a "type").`);
    if (event.type === 'metrics' || event.type === 'chrono') throw new ImportFormatError(`${where}[${i}] is a ${event.type} record; metric points belong in "series" and timers in "chronos".`);
    const problem = eventProblem(event);
    if (problem) throw new ImportFormatError(`${where}[${i}]: ${problem}.`);
    if (event.type === 'status' && !RUN_STATUSES.includes(event.status as RunStatus)) throw new ImportFormatError(`${where}[${i}] has an unknown status ${JSON.stringify(event.status)}.`);
  });
  return value as RunEvent[];
}

/**
 * Why a run record from an untrusted file could not be shown by `ls`/`show`, or null when it can.
 * Checks the types of every field the views read; it never changes the record.
 */
export function recordProblem(record: RunRecord): string | null {
  if (!RUN_STATUSES.includes(record.status)) return `"status" must be one of ${RUN_STATUSES.join(', ')}`;
  for (const key of ['startedAt', 'heartbeatAt'] as const) if (!Number.isFinite(Date.parse(record[key]))) return `"${key}" is not a date`;
  if (record.endedAt !== null && !Number.isFinite(Date.parse(record.endedAt))) return '"endedAt" is not a date';
  if (typeof record.name !== 'string') return '"name" is not a string';
  if (!isObject(record.summary) || !Object.values(record.summary).every(isSummary)) return '"summary" holds a malformed metric summary';
  if (!isObject(record.chronos) || !Object.values(record.chronos).every(isChronoSummary)) return '"chronos" holds a malformed timer summary';
  if (record.error !== null && !(isObject(record.error) && typeof record.error.name === 'string' && typeof record.error.message === 'string' && (record.error.stack === null || typeof record.error.stack === 'string'))) {
    return '"error" must be { name, message, stack }';
  }
  if (record.cell !== null && !(isTextOrNull(record.cell.id) && isTextOrNull(record.cell.source) && (record.cell.executionCount === null || typeof record.cell.executionCount === 'number'))) {
    return '"cell" must be { id, source, executionCount }';
  }
  if (record.git !== null && !(isTextOrNull(record.git.commit) && isTextOrNull(record.git.branch) && typeof record.git.dirty === 'boolean' && isTextOrNull(record.git.diffFile))) {
    return '"git" must be { commit, branch, dirty, diffFile, ... }';
  }
  if (record.env !== null) {
    const env = record.env;
    const ok =
      typeof env.node === 'string' &&
      typeof env.os.platform === 'string' &&
      typeof env.os.release === 'string' &&
      typeof env.os.arch === 'string' &&
      typeof env.cpu.model === 'string' &&
      typeof env.cpu.cores === 'number' &&
      typeof env.memoryBytes === 'number' &&
      typeof env.trainbook === 'string' &&
      Array.isArray(env.gpu) &&
      env.gpu.every((gpu) => isObject(gpu) && typeof gpu.name === 'string') &&
      (env.tfjs === null || isObject(env.tfjs));
    if (!ok) return '"env" is malformed';
  }
  if (record.progress !== null && !(['epoch', 'epochs', 'batch', 'batches', 'trainStartedAt', 'fraction'] as const).every((k) => record.progress![k] === null || record.progress![k] === undefined || typeof record.progress![k] === 'number')) {
    return '"progress" holds a value that is not a number';
  }
  // Fields added by newer writers: checked where the views would trip over them.
  const models: unknown = record.models;
  if (models !== undefined && !(isObject(models) && Object.values(models).every((m) => isObject(m) && (m.metric === null || m.metric === undefined || (isObject(m.metric) && typeof m.metric.name === 'string'))))) {
    return '"models" must be an object of model summaries';
  }
  if (!(isObject(record.lost) && typeof record.lost.points === 'number' && typeof record.lost.records === 'number')) return '"lost" must be { points, records, firstError }';
  return null;
}

/** Metric summaries as the SDK keeps them: last, min and max leave NaN out of min/max. */
export function summarize(series: readonly PortableSeries[]): Record<string, MetricSummary> {
  const summaries: Record<string, MetricSummary> = nameRecord();
  for (const s of series) {
    const summary = summarizeSeries(s.value, s.step);
    if (summary) summaries[s.name] = summary;
  }
  return summaries;
}

/**
 * The store events that hold a portable run: metric and timer events built as the SDK builds them
 * (steps that count up as `stepStart`, large batches as base64 float64), placed among the other
 * events (after the first, before the rest). Reading them back gives the same series, value for value.
 */
export function portableToEvents(run: PortableRun): RunEvent[] {
  const timed: RunEvent[] = [];
  for (const series of run.series) {
    for (let start = 0; start < series.value.length; start += POINTS_PER_EVENT) {
      timed.push(metricsEvent(series, start, Math.min(series.value.length, start + POINTS_PER_EVENT)));
    }
  }
  for (const chrono of run.chronos) {
    if (chrono.value.length === 0) continue;
    const base = exactBase(chrono.time);
    const event: ChronoEvent = { type: 'chrono', time: base, series: Object.fromEntries([[chrono.name, { time: chrono.time.map((t) => t - base), value: chrono.value }]]) };
    timed.push(event);
  }
  // The points go after the first event (the run's 'running' status) and before the rest (its final
  // status), so each list keeps its own order: a series' chunks must stay in arrival order.
  return [...run.events.slice(0, 1), ...timed, ...run.events.slice(1)];
}

function metricsEvent(series: PortableSeries, start: number, end: number): MetricsEvent {
  const steps = series.step.slice(start, end);
  const times = series.time.slice(start, end);
  const values = series.value.slice(start, end);
  const epochs = series.epoch.slice(start, end);
  const base = exactBase(times);
  const columns: MetricColumns = { time: times.map((t) => t - base) };
  if (values.length >= BINARY_MIN_POINTS) columns.valueF64 = encodeFloat64(values);
  else columns.value = values.map(encodeNumber);
  if (countsUpByOne(steps)) columns.stepStart = steps[0]!;
  else columns.step = steps;
  if (epochs.some((e) => e !== null)) columns.epoch = epochs;
  return { type: 'metrics', time: base, series: Object.fromEntries([[series.name, columns]]) };
}

/** The first time, when every time is exactly `base + (t - base)`; else 0 (offsets are then the times themselves). */
function exactBase(times: readonly number[]): number {
  const base = times.length > 0 ? times[0]! : 0;
  return times.every((t) => base + (t - base) === t) ? base : 0;
}

function countsUpByOne(steps: readonly number[]): boolean {
  if (steps.length === 0 || !Number.isSafeInteger(steps[0])) return false;
  for (let i = 1; i < steps.length; i++) if (steps[i] !== steps[i - 1]! + 1) return false;
  return true;
}

function numberColumn(value: unknown, where: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new ImportFormatError(`${where} must be an array of finite numbers.`);
  }
  return value as number[];
}

const isEncodedNumber = (v: unknown): v is EncodedNumber => typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity';
const isTextOrNull = (v: unknown): boolean => v === null || v === undefined || typeof v === 'string';
const isSummary = (s: unknown): boolean => isObject(s) && isEncodedNumber(s.last) && isEncodedNumber(s.min) && isEncodedNumber(s.max) && typeof s.count === 'number';
const isChronoSummary = (c: unknown): boolean => isObject(c) && ['avg', 'min', 'max', 'sd', 'count'].every((k) => typeof c[k] === 'number');
