/**
 * What one push batch writes, built from a run's record and event lines without I/O: the run row's
 * columns, the COPY data of its events and point chunks, the run's metric rows. Pure, so the
 * mapping (NaN, missing epochs, hostile names) is tested without a server.
 */
import { CopyBinaryWriter } from './copyBinary.js';
import { HubDataError } from './errors.js';
import { columnJson, columnText } from './text.js';
import type { EventLine, HubMetricSummary, HubRunRecord } from './types.js';

export interface RunColumns {
  id: string;
  store: string;
  notebook: string | null;
  host: string;
  username: string;
  record: string;
  status: string;
  name: string;
  experiment: string | null;
  group: string | null;
  tags: string[];
  params: string;
  summary: string;
  startedAt: string;
  heartbeatAt: string | null;
  endedAt: string | null;
}

const validTime = (text: string | null | undefined): string | null => (text && Number.isFinite(Date.parse(text)) ? text : null);

/** The run row's columns. `recordText` is run.json verbatim; everything else is derived from `record`. */
export function runColumns(record: HubRunRecord, recordText: string, where: { store: string; username: string }): RunColumns {
  if (typeof record.id !== 'string' || record.id === '' || record.id.includes('\u0000') || record.id.length > 200) {
    throw new HubDataError(`A run id must be a short text without NUL; ${JSON.stringify(String(record.id).slice(0, 40))} is not.`);
  }
  const optional = (text: string | null | undefined): string | null => (typeof text === 'string' ? columnText(text) : null);
  return {
    id: record.id,
    store: columnText(where.store),
    notebook: optional(record.notebook),
    host: columnText(record.writer?.host || record.env?.hostname || ''),
    username: columnText(where.username),
    record: recordText,
    status: columnText(String(record.status)),
    name: columnText(String(record.name ?? '')),
    experiment: optional(record.experiment),
    group: optional(record.group),
    tags: (record.tags ?? []).map((tag) => columnText(typeof tag === 'string' ? tag : JSON.stringify(tag) ?? String(tag))),
    params: JSON.stringify(columnJson(record.params ?? {})),
    summary: JSON.stringify(columnJson(record.summary ?? {})),
    startedAt: validTime(record.startedAt) ?? new Date(0).toISOString(),
    heartbeatAt: validTime(record.heartbeatAt),
    endedAt: validTime(record.endedAt),
  };
}

const decode = (value: number | string): number =>
  typeof value === 'number' ? value : value === 'Infinity' ? Infinity : value === '-Infinity' ? -Infinity : NaN;

export interface MetricRows {
  metric: string[];
  last: number[];
  min: number[];
  max: number[];
  count: number[];
  step: number[];
}

/** The run's summary as columns for `run_metrics` (non-finite values as float8 NaN/±Infinity). */
export function metricRows(summary: Record<string, HubMetricSummary>): MetricRows {
  const rows: MetricRows = { metric: [], last: [], min: [], max: [], count: [], step: [] };
  const seen = new Set<string>();
  for (const [name, s] of Object.entries(summary ?? {})) {
    const metric = columnText(name);
    if (seen.has(metric)) continue; // two names that differ only by NUL vs ␀: the first one is indexed
    seen.add(metric);
    rows.metric.push(metric);
    rows.last.push(decode(s.last));
    rows.min.push(decode(s.min));
    rows.max.push(decode(s.max));
    rows.count.push(Number(s.count) || 0);
    rows.step.push(Number(s.step) || 0);
  }
  return rows;
}

/** Float8 values as PostgreSQL's text form, for array parameters (pg would send NaN as "NaN" too, but spelled out here). */
export function float8Text(value: number): string {
  return Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : String(value);
}

/** COPY data for `events (run_id, seq, byte_end, type, line)`, seq counting from `firstSeq`. */
export function eventsCopy(runId: string, firstSeq: number, lines: readonly EventLine[]): Buffer {
  const copy = new CopyBinaryWriter(lines.reduce((sum, line) => sum + line.text.length + 64, 64));
  lines.forEach((line, i) => {
    copy.row(5).text(runId).int4(firstSeq + i).int8(line.end).text(columnText(line.type)).text(line.text);
  });
  return copy.finish();
}

/** COPY data for `point_chunks (run_id, metric, seq, n, step, epoch, time, value)`, and how many points it holds. */
export function chunksCopy(runId: string, firstSeq: number, lines: readonly EventLine[]): { data: Buffer; points: number; rows: number } {
  let bytes = 64;
  for (const line of lines) if (line.points) for (const columns of line.points.values()) bytes += 64 + columns.length * 48;
  const copy = new CopyBinaryWriter(bytes);
  let points = 0;
  let rows = 0;
  lines.forEach((line, i) => {
    if (!line.points) return;
    const seen = new Set<string>();
    for (const [name, columns] of line.points) {
      const metric = columnText(name);
      if (seen.has(metric)) throw new HubDataError(`Two metrics of one record both read as ${JSON.stringify(metric)} on the hub (NUL is stored as ␀); rename one.`);
      seen.add(metric);
      const n = columns.length;
      copy.row(8).text(runId).text(metric).int4(firstSeq + i).int4(n);
      copy.float8Array(columns.step, n).float8Array(columns.epoch, n, true).float8Array(columns.time, n).float8Array(columns.value, n);
      points += n;
      rows++;
    }
  });
  return { data: copy.finish(), points, rows };
}
