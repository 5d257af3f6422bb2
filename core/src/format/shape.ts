/**
 * Shape checks for what a reader finds on disk. A store may be damaged or written by another
 * tool; a reader that trusted it would throw on the first odd field. These turn any JSON value
 * into a well-formed record or a reason it is not one.
 */
import type { RunOrigin, RunRecord } from './types.js';
import type { EncodedNumber } from './numbers.js';
import { float64Count } from './base64.js';
import { copyNames, nameRecord } from './names.js';
import { coerceTagValues } from './tags.js';

/** A JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The object a JSON text holds, or null when the text is not JSON or not an object (damage, an older format). */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return isObject(value) ? value : null;
}
const isArrayOf = (value: unknown, item: (v: unknown) => boolean): boolean => Array.isArray(value) && value.every(item);
const isEncodedNumber = (v: unknown): boolean => typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity';
const isNumber = (v: unknown): boolean => typeof v === 'number';
const isNumberOrNull = (v: unknown): boolean => typeof v === 'number' || v === null;

/** Why an event record cannot be used, or null when it can. Unknown types are kept (newer writers). */
export function eventProblem(event: Record<string, unknown>): string | null {
  if (typeof event.time !== 'number') return `${String(event.type)} record without a numeric "time"`;
  if (event.type === 'metrics' || event.type === 'chrono') {
    if (!isObject(event.series)) return `${event.type} record without "series"`;
    for (const [name, columns] of Object.entries(event.series)) {
      if (!isObject(columns)) return `series ${JSON.stringify(name)} is not an object`;
      const check = event.type === 'metrics' ? isEncodedNumber : isNumber;
      let length: number;
      if (event.type === 'metrics' && typeof columns.valueF64 === 'string' && columns.value === undefined) {
        length = float64Count(columns.valueF64);
        if (length < 0 || !isArrayOf(columns.time, isNumber)) return `series ${JSON.stringify(name)} has malformed columns`;
      } else {
        if (!isArrayOf(columns.value, check) || !isArrayOf(columns.time, isNumber)) return `series ${JSON.stringify(name)} has malformed columns`;
        length = (columns.value as unknown[]).length;
      }
      if ((columns.time as unknown[]).length !== length) return `series ${JSON.stringify(name)} has columns of different lengths`;
      if (event.type === 'metrics') {
        if (columns.step !== undefined && (!isArrayOf(columns.step, isNumber) || (columns.step as unknown[]).length !== length)) {
          return `series ${JSON.stringify(name)} has a malformed step column`;
        }
        if (columns.step === undefined && typeof columns.stepStart !== 'number') return `series ${JSON.stringify(name)} has no steps`;
        if (columns.epoch !== undefined && (!isArrayOf(columns.epoch, isNumberOrNull) || (columns.epoch as unknown[]).length !== length)) {
          return `series ${JSON.stringify(name)} has a malformed epoch column`;
        }
      }
    }
  }
  if (event.type === 'status' && typeof event.status !== 'string') return 'status record without "status"';
  if (event.type === 'output' && (typeof event.text !== 'string' || (event.stream !== 'stdout' && event.stream !== 'stderr'))) return 'output record without "text" or a "stream" of stdout/stderr';
  if (event.type === 'output-cut' && typeof event.afterBytes !== 'number') return 'output-cut record without a numeric "afterBytes"';
  if (event.type === 'resume' && !(typeof event.step === 'number' && Number.isInteger(event.step) && event.step >= 0)) return 'resume record without a whole-number "step"';
  return null;
}


/**
 * A run.json as read from disk, made safe to display: the fields every reader relies on must be
 * there with the right types (else a reason is returned), the optional ones get defaults. The
 * records keyed by names (params, summary, chronos, metadata, tagValues, models) come back with
 * no prototype, so a name such as `toString` is only there when the run has it.
 */
export function coerceRunRecord(value: unknown): RunRecord | string {
  if (!isObject(value)) return 'not a JSON object';
  for (const key of ['id', 'status', 'startedAt'] as const) {
    if (typeof value[key] !== 'string') return `"${key}" is missing or not a string`;
  }
  const record = value as Partial<RunRecord> & Record<string, unknown>;
  const text = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
  const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const coerced = {
    ...(record as RunRecord),
    format: typeof record.format === 'number' ? record.format : 1,
    name: text(record.name, record.id!),
    experiment: textOrNull(record.experiment),
    group: textOrNull(record.group),
    tags: isArrayOf(record.tags, (t) => typeof t === 'string') ? record.tags! : [],
    notes: text(record.notes, ''),
    metadata: isObject(record.metadata) ? copyNames(record.metadata) : nameRecord(),
    params: isObject(record.params) ? copyNames(record.params as RunRecord['params']) : nameRecord(),
    notebook: textOrNull(record.notebook),
    cell: isObject(record.cell) ? record.cell : null,
    git: isObject(record.git) ? record.git : null,
    env: isObject(record.env) && isObject(record.env.os) && isObject(record.env.cpu) ? record.env : null,
    endedAt: textOrNull(record.endedAt),
    heartbeatAt: text(record.heartbeatAt, record.startedAt!),
    summary: nameRecord(isObject(record.summary) ? (Object.entries(record.summary).filter(([, s]) => isMetricSummary(s)) as Array<[string, RunRecord['summary'][string]]>) : []),
    chronos: nameRecord(isObject(record.chronos) ? (Object.entries(record.chronos).filter(([, s]) => isObject(s)) as Array<[string, RunRecord['chronos'][string]]>) : []),
    progress: isObject(record.progress) ? record.progress : null,
    error: isObject(record.error) ? coerceRunError(record.error) : null,
    lost: isObject(record.lost) ? record.lost : { points: 0, records: 0, firstError: null },
    writer: isObject(record.writer) && typeof record.writer.pid === 'number' && typeof record.writer.host === 'string' ? record.writer : { pid: -1, host: '' },
    // Optional fields stay absent when absent, so older records read back unchanged.
    seed: typeof record.seed === 'number' && Number.isFinite(record.seed) ? record.seed : record.seed === null ? null : undefined,
    resumes: Array.isArray(record.resumes) ? record.resumes.filter(isRunResume) : undefined,
    output: isObject(record.output) && typeof record.output.keptBytes === 'number' && typeof record.output.droppedBytes === 'number' ? { keptBytes: record.output.keptBytes, droppedBytes: record.output.droppedBytes } : undefined,
    models: isObject(record.models) ? coerceModels(record.models) : undefined,
    tagValues: coerceTagValues(record.tagValues),
    origin: coerceOrigin(record.origin),
  } as RunRecord;
  for (const key of OPTIONAL_RECORD_KEYS) if (coerced[key] === undefined) delete coerced[key];
  return coerced;
}

/** A summary the views can show: numbers (or encoded non-finite ones) where numbers belong. */
function isMetricSummary(value: unknown): boolean {
  return isObject(value) && isEncodedNumber(value.last) && isEncodedNumber(value.min) && isEncodedNumber(value.max) && typeof value.count === 'number' && typeof value.step === 'number';
}

/** A stored error as text only: a record from elsewhere may hold objects where text belongs. */
function coerceRunError(error: Record<string, unknown>): RunRecord['error'] {
  const textOf = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : safeJson(value));
  return { name: textOf(error.name) || 'Error', message: textOf(error.message), stack: typeof error.stack === 'string' ? error.stack : null };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** Fields that newer writers add to run.json; a record without them reads back without them. */
const OPTIONAL_RECORD_KEYS = ['seed', 'resumes', 'output', 'models', 'tagValues', 'origin'] as const;

/** The `origin` of an imported run, when it has the shape an export relies on. */
function coerceOrigin(value: unknown): RunOrigin | undefined {
  if (!isObject(value) || value.format !== 'track' || !isArrayOf(value.keys, (k) => typeof k === 'string') || !isObject(value.verbatim)) return undefined;
  return { format: value.format, keys: value.keys as string[], verbatim: copyNames(value.verbatim) };
}

/** The `models` map of run.json, keeping only entries with the fields `show` and reports rely on. */
function coerceModels(models: Record<string, unknown>): NonNullable<RunRecord['models']> {
  const kept: Array<[string, NonNullable<RunRecord['models']>[string]]> = [];
  for (const [tag, m] of Object.entries(models)) {
    if (!isObject(m) || typeof m.savedAt !== 'string' || typeof m.bytes !== 'number') continue;
    const metric = isObject(m.metric) && typeof m.metric.name === 'string' && isEncodedNumber(m.metric.value) ? { name: m.metric.name, value: m.metric.value as EncodedNumber } : undefined;
    kept.push([
      tag,
      {
        savedAt: m.savedAt,
        bytes: m.bytes,
        epoch: typeof m.epoch === 'number' ? m.epoch : null,
        step: typeof m.step === 'number' ? m.step : null,
        ...(metric ? { metric } : {}),
      },
    ]);
  }
  return nameRecord(kept);
}

/** A `resumes` entry of run.json that readers can use (others are dropped, never thrown on). */
function isRunResume(value: unknown): value is NonNullable<RunRecord['resumes']>[number] {
  return isObject(value) && typeof value.at === 'string' && typeof value.fromStep === 'number' && Number.isFinite(value.fromStep) && typeof value.fromStatus === 'string';
}
