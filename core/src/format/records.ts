/**
 * Run records made from stored data rather than by a live run: the bare record that `doctor`
 * rebuilds and that an import starts from, and metric summaries computed from whole series. Pure.
 */
import { encodeNumber } from './numbers.js';
import { STORE_FORMAT, type MetricSummary, type RunRecord } from './types.js';

/** The fields a bare record must be given; everything else starts empty. */
export type BareRecordFields = Pick<RunRecord, 'id' | 'name' | 'status' | 'startedAt' | 'endedAt' | 'heartbeatAt'> & Partial<RunRecord>;

/** A run record with nothing known beyond `fields`: no params, provenance, cell or writer. */
export function bareRunRecord(fields: BareRecordFields): RunRecord {
  return {
    format: STORE_FORMAT,
    experiment: null,
    group: null,
    tags: [],
    notes: '',
    metadata: {},
    params: {},
    notebook: null,
    cell: null,
    git: null,
    env: null,
    summary: {},
    chronos: {},
    progress: null,
    error: null,
    lost: { points: 0, records: 0, firstError: null },
    writer: { pid: -1, host: '' },
    ...fields,
  };
}

/**
 * The summary a live run keeps, computed from a whole series: last value, min and max without
 * NaN (NaN when every value is NaN), count, and the last step. Null for an empty series.
 */
export function summarizeSeries(values: ArrayLike<number>, steps: ArrayLike<number>, length = values.length): MetricSummary | null {
  if (length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < length; i++) {
    const value = values[i]!;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const none = min === Infinity && max === -Infinity;
  return {
    last: encodeNumber(values[length - 1]!),
    min: encodeNumber(none ? NaN : min),
    max: encodeNumber(none ? NaN : max),
    count: length,
    step: steps[length - 1] ?? 0,
  };
}
