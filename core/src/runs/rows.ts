/**
 * A run as a row of the runs panel: the status to show (crash detection, kernel restarts), the
 * fields a query sees, the table's columns, and sorting. Pure.
 */
import { isSystemMetric } from '../format/metricNames.js';
import { hasName, nameValue } from '../format/names.js';
import { decodeNumber } from '../format/numbers.js';
import { effectiveStatus, HEARTBEAT_INTERVAL_MS } from '../format/status.js';
import { tagTexts } from '../format/tags.js';
import type { EffectiveStatus, RunRecord } from '../format/types.js';
import { AnyOf } from '../query/query.js';

/** What the panel shows of one run. */
export interface RunRow {
  record: RunRecord;
  status: EffectiveStatus;
  durationMs: number | null;
}

/**
 * What the panel saw when a notebook's kernel restarted: when (the browser's clock), and the
 * heartbeat each running run had then.
 */
export interface KernelRestart {
  seenAt: number;
  heartbeats: ReadonlyMap<string, string>;
}

/** How long after a restart a live writer has to show a new heartbeat (it writes one every 5 s). */
export const RESTART_GRACE_MS = HEARTBEAT_INTERVAL_MS + 3_000;

/**
 * True for a cell's run that was running when the kernel restarted and has not written a heartbeat
 * since (its writer went with the old kernel). A run that goes on (resumed in the new kernel, or
 * written by another process) keeps beating and stays running. Only heartbeat values are compared,
 * never the browser's clock with the kernel's.
 */
export function lostWithRestart(record: RunRecord, restart: KernelRestart | null, nowMs: number): boolean {
  if (!restart || !record.cell?.id) return false;
  const before = restart.heartbeats.get(record.id);
  return before !== undefined && before === record.heartbeatAt && nowMs - restart.seenAt > RESTART_GRACE_MS;
}

/**
 * The status to show: a running run is crashed when its heartbeat is stale, when the notebook's
 * kernel is known not to run, or when it is a cell's run whose heartbeat stopped at a kernel
 * restart (a run of an extension-made record is never running).
 */
export function rowFor(record: RunRecord, nowMs: number, kernelRunning: boolean | null, restart: KernelRestart | null = null): RunRow {
  let status = effectiveStatus(record, nowMs, null);
  if (status === 'running' && kernelRunning === false) status = 'crashed';
  if (status === 'running' && lostWithRestart(record, restart, nowMs)) status = 'crashed';
  const start = Date.parse(record.startedAt);
  const end = record.endedAt ? Date.parse(record.endedAt) : status === 'running' ? nowMs : Date.parse(record.heartbeatAt);
  const durationMs = Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null;
  return { record, status, durationMs };
}

export const BUILTIN_FIELDS = ['status', 'name', 'id', 'experiment', 'group', 'started', 'duration', 'cell', 'error', 'tag', 'tags'] as const;

/**
 * What a query's field means for a run: a built-in column, `tag` (its labels, as {@link AnyOf}),
 * `tags.<key>` (a key-value tag), else `params.<key>` / `metrics.<name>` (with `.last`, `.min`,
 * `.max`, `.count`), else a param key as written, else a metric's last value. Only what the run
 * itself holds counts: a param or metric called `toString` is found only when the run has one.
 *
 * @example
 * runField(row, 'tag');          // AnyOf(['mnist', 'baseline'])
 * runField(row, 'tags.workers'); // 8
 */
export function runField(row: RunRow, field: string): unknown {
  const { record } = row;
  switch (field) {
    case 'status':
      return row.status;
    case 'name':
      return record.name;
    case 'id':
      return record.id;
    case 'experiment':
      return record.experiment ?? undefined;
    case 'group':
      return record.group ?? undefined;
    case 'started':
      return record.startedAt;
    case 'duration':
      return row.durationMs === null ? undefined : row.durationMs / 1000;
    case 'cell':
      return record.cell?.executionCount ?? undefined;
    case 'error':
      return record.error?.message ?? undefined;
    case 'tag':
    case 'tags':
      return new AnyOf(record.tags);
  }
  if (field.startsWith('tags.')) return nameValue(record.tagValues ?? {}, field.slice(5));
  if (field.startsWith('params.') && hasName(record.params, field.slice(7))) return record.params[field.slice(7)];
  if (field.startsWith('metrics.')) return metricField(record, field.slice(8));
  if (hasName(record.params, field)) return record.params[field];
  return metricField(record, field);
}

function metricField(record: RunRecord, field: string): unknown {
  if (hasName(record.summary, field)) return decodeNumber(record.summary[field]!.last);
  const dot = field.lastIndexOf('.');
  if (dot > 0) {
    const name = field.slice(0, dot);
    const stat = field.slice(dot + 1);
    const summary = hasName(record.summary, name) ? record.summary[name]! : null;
    if (summary && (stat === 'last' || stat === 'min' || stat === 'max')) return decodeNumber(summary[stat]);
    if (summary && stat === 'count') return summary.count;
  }
  return undefined;
}


/** Column ids of the table: built-ins, then `param:<key>` and `metric:<name>`. */
export interface Columns {
  params: string[];
  metrics: string[];
}

export function columnsOf(rows: readonly RunRow[]): Columns {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const { record } of rows) {
    for (const key of Object.keys(record.params)) params.add(key);
    // System metrics (sys/cpu_percent, ...) describe the machine, not the model: no table columns.
    for (const key of Object.keys(record.summary)) if (!isSystemMetric(key)) metrics.add(key);
  }
  return { params: [...params].sort(), metrics: [...metrics].sort() };
}

/** Which value of a metric's summary the panel shows and sorts by. */
export type MetricStat = 'last' | 'min' | 'max';
export const METRIC_STATS: readonly MetricStat[] = ['last', 'min', 'max'];

/** A value to sort by for a column id (`status`, `param:lr`, `metric:loss`, ...). */

export function sortValue(row: RunRow, column: string, stat: MetricStat = 'last'): unknown {
  if (column.startsWith('param:')) return nameValue(row.record.params, column.slice(6));
  if (column.startsWith('metric:')) {
    const summary = nameValue(row.record.summary, column.slice(7));
    return summary ? decodeNumber(summary[stat]) : undefined;
  }
  if (column === 'tags') return tagTexts(row.record).join(', ') || undefined;
  return runField(row, column);
}

/** Missing values last in both directions; numbers before text; NaN after numbers. */
export function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown): number => (v === undefined || v === null ? 3 : typeof v === 'number' ? (Number.isNaN(v) ? 1 : 0) : 2);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return (a as number) - (b as number);
  if (ra === 2) {
    const ta = typeof a === 'string' ? a : JSON.stringify(a);
    const tb = typeof b === 'string' ? b : JSON.stringify(b);
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  }
  return 0;
}

export function sortRows(rows: readonly RunRow[], column: string, descending: boolean, stat: MetricStat = 'last'): RunRow[] {
  const keyed = rows.map((row, index) => ({ row, index, value: sortValue(row, column, stat) }));
  keyed.sort((x, y) => {
    const missingX = x.value === undefined || x.value === null;
    const missingY = y.value === undefined || y.value === null;
    if (missingX !== missingY) return missingX ? 1 : -1;
    const order = compareValues(x.value, y.value);
    return (descending ? -order : order) || x.index - y.index;
  });
  return keyed.map((k) => k.row);
}
