/**
 * Shape checks for what a reader finds on disk. A store may be damaged or written by another
 * tool; a reader that trusted it would throw on the first odd field. These turn any JSON value
 * into a well-formed record or a reason it is not one.
 */
import type { RunRecord } from './types.js';
import { float64Count } from './base64.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
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
  return null;
}


/**
 * A run.json as read from disk, made safe to display: the fields every reader relies on must be
 * there with the right types (else a reason is returned), the optional ones get defaults.
 */
export function coerceRunRecord(value: unknown): RunRecord | string {
  if (!isObject(value)) return 'not a JSON object';
  for (const key of ['id', 'status', 'startedAt'] as const) {
    if (typeof value[key] !== 'string') return `"${key}" is missing or not a string`;
  }
  const record = value as Partial<RunRecord> & Record<string, unknown>;
  const text = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
  const textOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    ...(record as RunRecord),
    format: typeof record.format === 'number' ? record.format : 1,
    name: text(record.name, record.id!),
    experiment: textOrNull(record.experiment),
    group: textOrNull(record.group),
    tags: isArrayOf(record.tags, (t) => typeof t === 'string') ? record.tags! : [],
    notes: text(record.notes, ''),
    metadata: isObject(record.metadata) ? record.metadata : {},
    params: isObject(record.params) ? (record.params as RunRecord['params']) : {},
    notebook: textOrNull(record.notebook),
    cell: isObject(record.cell) ? record.cell : null,
    git: isObject(record.git) ? record.git : null,
    env: isObject(record.env) && isObject(record.env.os) && isObject(record.env.cpu) ? record.env : null,
    endedAt: textOrNull(record.endedAt),
    heartbeatAt: text(record.heartbeatAt, record.startedAt!),
    summary: isObject(record.summary) ? (Object.fromEntries(Object.entries(record.summary).filter(([, s]) => isObject(s))) as RunRecord['summary']) : {},
    chronos: isObject(record.chronos) ? (Object.fromEntries(Object.entries(record.chronos).filter(([, s]) => isObject(s))) as RunRecord['chronos']) : {},
    progress: isObject(record.progress) ? record.progress : null,
    error: isObject(record.error) ? (record.error as unknown as RunRecord['error']) : null,
    lost: isObject(record.lost) ? record.lost : { points: 0, records: 0, firstError: null },
    writer: isObject(record.writer) && typeof record.writer.pid === 'number' && typeof record.writer.host === 'string' ? record.writer : { pid: -1, host: '' },
  } as RunRecord;
}
