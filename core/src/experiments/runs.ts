/**
 * Pure helpers for cell experiments and the runs panel: the run
 * record of a tagged cell that never called the SDK, the execution record, the fields a query
 * sees for a run, sorting, and the parameter diff. No I/O; runs in Node and in the browser.
 */
import { isSystemMetric } from '../charts/spec.js';
import { bareRunRecord } from '../format/records.js';
import { flattenParams, mergeParams, type FlatParams, type ParamValue } from '../format/params.js';
import { hasName, nameRecord, nameValue } from '../format/names.js';
import { tagTexts } from '../format/tags.js';
import { AnyOf } from '../query/query.js';
import { decodeNumber } from '../format/numbers.js';
import { effectiveStatus, HEARTBEAT_INTERVAL_MS } from '../format/status.js';
import { STORE_FORMAT, type CellInfo, type EffectiveStatus, type RunEvent, type RunRecord } from '../format/types.js';

/** Tag conventions: `experiment` or `experiment:<name>` marks a cell, `parameters` its params. */
export const EXPERIMENT_TAG = 'experiment';
export const PARAMETERS_TAG = 'parameters';

/** The experiment a cell's tags make it: null when untagged, '' for a bare `experiment` tag. */
export function experimentFromTags(tags: readonly unknown[]): string | null {
  let found: string | null = null;
  for (const tag of tags) {
    if (typeof tag !== 'string') continue;
    if (tag === EXPERIMENT_TAG) found ??= '';
    else if (tag.startsWith(`${EXPERIMENT_TAG}:`)) {
      const name = tag.slice(EXPERIMENT_TAG.length + 1).trim();
      if (found === null || found === '') found = name;
    }
  }
  return found;
}

/**
 * The code that sets the run context in the kernel (see sdk/src/run/cellContext.ts): the context
 * as JSON, parsed there by `JSON.parse`, so every name (a parameter called `__proto__` too) is
 * plain data, never an object literal's prototype.
 */
export function runContextCode(context: {
  notebook: string | null;
  cell: CellInfo;
  experiment: string | null;
  params: Record<string, unknown>;
}): string {
  const json = JSON.stringify(context, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value));
  // A string literal of the JSON: `<` and the line separators are escaped so the text is inert anywhere.
  const literal = JSON.stringify(json).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  // `void`: the statement's value is undefined, so tslab prints nothing (a run active in the
  // kernel would otherwise capture the printed context as the program's output).
  return `void (globalThis.__trainbook_context = JSON.parse(${literal}));`;
}
export const CLEAR_CONTEXT_CODE = 'void delete globalThis.__trainbook_context;';

/**
 * The error of a failed cell when the kernel only printed it (tslab sends no `error` output: the
 * exception or the type errors go to stderr). Reads the last `Name: message` line of a thrown
 * error, or the `line:column - message` lines of TypeScript's diagnostics.
 */
export function errorFromStderr(text: string): { ename: string; evalue: string } | null {
  const lines = text.split(/\r?\n/).map((line) => line.trimEnd());
  const diagnostics = lines.filter((line) => /^\d+:\d+ - /.test(line));
  if (diagnostics.length > 0) return { ename: 'TypeScriptError', evalue: diagnostics.join('\n') };
  for (let i = lines.length - 1; i >= 0; i--) {
    const thrown = /^([A-Za-z_$][\w$]*(?:Error|Exception)|Error|Uncaught [A-Za-z_$][\w$]*): (.*)$/.exec(lines[i]!);
    if (thrown) return { ename: thrown[1]!.replace(/^Uncaught /, ''), evalue: thrown[2]! };
  }
  const first = lines.find((line) => line.trim() !== '');
  return first ? { ename: 'Error', evalue: first.trim() } : null;
}

/** The run ids that a cell's outputs show (`application/vnd.trainbook.run+json` → run.id). */
export function linkedRunIds(outputs: readonly unknown[], mime: string): string[] {
  const ids: string[] = [];
  for (const output of outputs) {
    if (typeof output !== 'object' || output === null) continue;
    const data = (output as { data?: unknown }).data;
    if (typeof data !== 'object' || data === null) continue;
    const payload = (data as Record<string, unknown>)[mime];
    const run = typeof payload === 'object' && payload !== null ? (payload as { run?: unknown }).run : null;
    const id = typeof run === 'object' && run !== null ? (run as { id?: unknown }).id : null;
    if (typeof id === 'string' && /^[0-9]{8}-[0-9]{9}-[0-9a-z]{5}$/.test(id) && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** One execution of a tagged cell, as the extension records it (`executions/<id>.json`). */
export interface ExecutionRecord {
  format: number;
  id: string;
  notebook: string | null;
  experiment: string | null;
  cell: CellInfo;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  success: boolean;
  error: { ename: string; evalue: string } | null;
  /** Runs the cell's outputs point to; the extension's own run when the cell made none. */
  runs: string[];
  /** True when the extension wrote the run itself (the cell never called the SDK). */
  synthesized: boolean;
  params: FlatParams;
}

export interface CellExecution {
  notebook: string | null;
  experiment: string | null;
  cell: CellInfo;
  params: Record<string, unknown>;
  start: Date;
  end: Date;
  success: boolean;
  error: { ename: string; evalue: string } | null;
}

/** Params of a parameters cell, flattened; values that cannot be stored are dropped, not thrown. */
export function safeFlatParams(params: Record<string, unknown>): FlatParams {
  try {
    return flattenParams(params);
  } catch {
    const kept: FlatParams[] = [];
    for (const [key, value] of Object.entries(params)) {
      try {
        kept.push(flattenParams(nameRecord([[key, value]])));
      } catch {
        // A value the store cannot hold (a collision) is left out.
      }
    }
    return mergeParams(...kept);
  }
}

/** A full run record for an execution of a tagged cell that never called the SDK. */
export function cellRunRecord(id: string, execution: CellExecution, executionId: string): RunRecord {
  const status = execution.success ? 'completed' : 'failed';
  return bareRunRecord({
    id,
    name: execution.experiment || `cell ${execution.cell.executionCount ?? ''}`.trim(),
    experiment: execution.experiment,
    metadata: { source: 'jupyterlab', execution: executionId },
    params: mergeParams(safeFlatParams(execution.params)),
    notebook: execution.notebook,
    cell: execution.cell,
    status,
    startedAt: execution.start.toISOString(),
    endedAt: execution.end.toISOString(),
    heartbeatAt: execution.end.toISOString(),
    error: execution.error ? { name: execution.error.ename, message: execution.error.evalue, stack: null } : null,
    writer: { pid: -1, host: 'jupyterlab' },
  });
}

/** The status events of such a run (running at the start, then its end). */
export function cellRunEvents(execution: CellExecution): RunEvent[] {
  const end: RunEvent = execution.success
    ? { type: 'status', time: execution.end.getTime(), status: 'completed' }
    : { type: 'status', time: execution.end.getTime(), status: 'failed', error: { name: execution.error?.ename ?? 'Error', message: execution.error?.evalue ?? '', stack: null } };
  return [{ type: 'status', time: execution.start.getTime(), status: 'running' }, end];
}

export function executionRecord(id: string, execution: CellExecution, runs: string[], synthesized: boolean): ExecutionRecord {
  return {
    format: STORE_FORMAT,
    id,
    notebook: execution.notebook,
    experiment: execution.experiment,
    cell: execution.cell,
    startedAt: execution.start.toISOString(),
    endedAt: execution.end.toISOString(),
    durationMs: Math.max(0, execution.end.getTime() - execution.start.getTime()),
    success: execution.success,
    error: execution.error,
    runs,
    synthesized,
    params: safeFlatParams(execution.params),
  };
}

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

export interface ParamDiffRow {
  key: string;
  /** One value per run, undefined where the run lacks the param. */
  values: Array<ParamValue | undefined>;
  differs: boolean;
}

/** The union of the runs' params, each row saying whether the runs disagree. Differing rows first. */
export function paramDiff(records: readonly RunRecord[]): ParamDiffRow[] {
  const keys = new Set<string>();
  for (const record of records) for (const key of Object.keys(record.params)) keys.add(key);
  const rows = [...keys].sort().map((key) => {
    const values = records.map((r) => (hasName(r.params, key) ? r.params[key] : undefined));
    const texts = values.map((v) => (v === undefined ? '\u0000missing' : JSON.stringify(v)));
    return { key, values, differs: new Set(texts).size > 1 };
  });
  return [...rows.filter((r) => r.differs), ...rows.filter((r) => !r.differs)];
}

/** Text for a param value in a table cell. */
export function formatParam(value: ParamValue | undefined): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
