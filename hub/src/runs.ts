/**
 * Reading runs from the hub: listing with a compiled query, finding one by reference (id, unique
 * id prefix, unique name), fetching a run whole for a pull (record and event lines verbatim), and
 * fetching metric series as columns for comparisons.
 */
import type pg from 'pg';
import type { Hub } from './connect.js';
import { finished } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import { readCopyBinary, readFloat8Array } from './copyBinary.js';
import { HubRunNotFoundError } from './errors.js';
import { compileQuery, compileSort, EFFECTIVE_STATUS_SQL, SqlParams, type HubQueryNode } from './query.js';
import { checkSchema, SCHEMA } from './schema.js';
import { columnText } from './text.js';
import type { PointColumns } from './types.js';

/** A run as the hub lists it. */
export interface HubRun {
  id: string;
  name: string;
  /** The status to show (a running run without a recent heartbeat reads as crashed). */
  status: string;
  store: string;
  host: string;
  username: string;
  startedAt: string;
  eventCount: number;
  pointCount: number;
  updatedAt: string;
  /** run.json verbatim (only when asked for: `withRecords`). */
  record: string | null;
}

export interface ListOptions {
  where?: HubQueryNode | null;
  /** `ids` to keep (references already resolved), ANDed with `where`. */
  ids?: readonly string[];
  sort?: string | null;
  descending?: boolean;
  limit?: number | null;
  offset?: number;
  /** Fetch each run's run.json too (heavier). */
  withRecords?: boolean;
}

/** The runs that match, sorted, with how many matched in all. */
export async function listRuns(hub: Hub, options: ListOptions = {}): Promise<{ total: number; runs: HubRun[] }> {
  return hub.withClient(async (client) => {
    await checkSchema(client, hub.label);
    return listWith(client, options);
  });
}

export async function listWith(client: pg.ClientBase, options: ListOptions): Promise<{ total: number; runs: HubRun[] }> {
  const params = new SqlParams();
  let where = compileQuery(options.where ?? null, params);
  if (options.ids) where = `(${where} AND r.id = ANY(${params.add([...options.ids])}::text[]))`;
  const order = compileSort(options.sort ?? null, options.descending ?? false, params);
  const limit = options.limit ? ` LIMIT ${params.add(options.limit)}` : '';
  const offset = options.offset ? ` OFFSET ${params.add(options.offset)}` : '';
  const result = await client.query<{
    id: string;
    name: string;
    status: string;
    store: string;
    host: string;
    username: string;
    started: Date;
    event_count: number;
    point_count: string;
    updated_at: Date;
    record: string | null;
    total: string;
  }>(
    `SELECT r.id, r.name, ${EFFECTIVE_STATUS_SQL} AS status, r.store, r.host, r.username, r.started_at AS started, r.event_count, r.point_count, r.updated_at,
       ${options.withRecords ? 'r.record' : 'NULL::text AS record'}, count(*) OVER () AS total
     FROM ${SCHEMA}.runs r WHERE ${where} ORDER BY ${order}${limit}${offset}`,
    params.values,
  );
  return {
    total: Number(result.rows[0]?.total ?? 0),
    runs: result.rows.map((row) => ({
      id: row.id,
      name: row.name,
      status: row.status,
      store: row.store,
      host: row.host,
      username: row.username,
      startedAt: row.started.toISOString(),
      eventCount: row.event_count,
      pointCount: Number(row.point_count),
      updatedAt: row.updated_at.toISOString(),
      record: row.record,
    })),
  };
}

/**
 * The id a reference names in one of the hub's tables (`runs`, `sweeps`): the exact id, a unique id
 * prefix, or a unique name, in that order, as the core's run lookup resolves them locally. The
 * table is one of these constants, never data; the reference is always a bound parameter.
 */
export async function lookupHubId(client: pg.PoolClient, table: 'runs' | 'sweeps', reference: string, messages: { none: string; noun: string }): Promise<string> {
  const exact = await client.query<{ id: string }>(`SELECT id FROM ${SCHEMA}.${table} WHERE id = $1`, [reference]);
  if (exact.rows[0]) return exact.rows[0].id;
  // A prefix with starts_with (no LIKE: the reference is data, `%` and `_` in it mean themselves).
  let matches = await client.query<{ id: string }>(`SELECT id FROM ${SCHEMA}.${table} WHERE starts_with(id, $1) ORDER BY id LIMIT 6`, [reference]);
  if (matches.rows.length === 0) matches = await client.query<{ id: string }>(`SELECT id FROM ${SCHEMA}.${table} WHERE name = $1 ORDER BY id LIMIT 6`, [columnText(reference)]);
  if (matches.rows.length === 1) return matches.rows[0]!.id;
  if (matches.rows.length === 0) throw new HubRunNotFoundError(messages.none);
  throw new HubRunNotFoundError(`"${reference}" matches several ${messages.noun} on the hub (${matches.rows.slice(0, 5).map((r) => r.id).join(', ')}${matches.rows.length > 5 ? ', ...' : ''}); give more of the id.`);
}

/** The id of the run `reference` names on the hub: an id, a unique id prefix, or a unique name. */
export async function findRunId(hub: Hub, reference: string): Promise<string> {
  return hub.withClient(async (client) => {
    await checkSchema(client, hub.label);
    return lookupHubId(client, 'runs', reference, { none: `No run "${reference}" on the hub ${hub.label}. \`trainbook ls --hub\` lists its runs.`, noun: 'runs' });
  });
}

/** A run as stored on the hub, whole: what a pull writes. */
export interface HubRunData {
  id: string;
  store: string;
  host: string;
  username: string;
  notebook: string | null;
  /** run.json verbatim. */
  record: string;
  /** events.jsonl's lines verbatim, in order (without newlines). */
  lines: string[];
}

/** Fetches runs whole, in one transaction (a consistent snapshot while live runs push). */
export async function fetchRuns(hub: Hub, ids: readonly string[]): Promise<HubRunData[]> {
  if (ids.length === 0) return [];
  return hub.withClient(async (client) => {
    await checkSchema(client, hub.label);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const runs = await client.query<{ id: string; store: string; host: string; username: string; notebook: string | null; record: string }>(
        `SELECT id, store, host, username, notebook, record FROM ${SCHEMA}.runs WHERE id = ANY($1::text[])`,
        [[...ids]],
      );
      const events = await client.query<{ run_id: string; line: string }>(`SELECT run_id, line FROM ${SCHEMA}.events WHERE run_id = ANY($1::text[]) ORDER BY run_id, seq`, [[...ids]]);
      const lines = new Map<string, string[]>();
      for (const row of events.rows) {
        let list = lines.get(row.run_id);
        if (!list) lines.set(row.run_id, (list = []));
        list.push(row.line);
      }
      const byId = new Map(runs.rows.map((row) => [row.id, row]));
      return ids.flatMap((id) => {
        const row = byId.get(id);
        return row ? [{ ...row, lines: lines.get(id) ?? [] }] : [];
      });
    } finally {
      await client.query('COMMIT').catch(() => undefined);
    }
  });
}

export type SeriesColumn = 'step' | 'epoch' | 'time' | 'value';
const SERIES_COLUMNS: readonly SeriesColumn[] = ['step', 'epoch', 'time', 'value'];

/** One run's series of one metric, from the hub's point chunks (columns not asked for are empty). */
export interface HubSeries extends PointColumns {
  runId: string;
  metric: string;
}

/**
 * The points of `metrics` for `runIds`, as columns in arrival order. The float8 arrays come out
 * with a binary COPY (12 bytes a number, no text conversion: `pg` has no working binary results).
 * COPY takes no bound parameters, so the run ids and metric names go in through `set_config` (a
 * bound parameter) and the COPY's query reads them back: nothing is spliced into its SQL.
 */
export async function fetchSeries(hub: Hub, runIds: readonly string[], metrics: readonly string[], options: { columns?: readonly SeriesColumn[] } = {}): Promise<HubSeries[]> {
  const wanted = new Set<SeriesColumn>(options.columns ?? SERIES_COLUMNS);
  if (runIds.length === 0 || metrics.length === 0) return [];
  const bytes = await hub.withClient(async (client) => {
    await checkSchema(client, hub.label);
    await client.query('BEGIN');
    try {
      await client.query(`SELECT set_config('trainbook.runs', $1, true), set_config('trainbook.metrics', $2, true)`, [JSON.stringify(runIds), JSON.stringify(metrics.map(columnText))]);
      const chunks: Buffer[] = [];
      const stream = client.query(
        copyTo(`COPY (SELECT run_id, metric, n, ${SERIES_COLUMNS.map((c) => (wanted.has(c) ? c : `NULL::float8[] AS ${c}`)).join(', ')} FROM ${SCHEMA}.point_chunks
          WHERE run_id IN (SELECT jsonb_array_elements_text(current_setting('trainbook.runs')::jsonb))
            AND metric IN (SELECT jsonb_array_elements_text(current_setting('trainbook.metrics')::jsonb))
          ORDER BY run_id, metric, seq) TO STDOUT (FORMAT binary)`),
      );
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      await finished(stream);
      await client.query('COMMIT');
      return Buffer.concat(chunks);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
  const rows = readCopyBinary(bytes);
  const keyOf = (runId: string, metric: string): string => `${runId}\u0000${metric}`;
  const lengths = new Map<string, number>();
  for (const row of rows) {
    const key = keyOf(row[0]!.toString('utf8'), row[1]!.toString('utf8'));
    lengths.set(key, (lengths.get(key) ?? 0) + row[2]!.readInt32BE(0));
  }
  const series = new Map<string, HubSeries>();
  for (const row of rows) {
    const runId = row[0]!.toString('utf8');
    const metric = row[1]!.toString('utf8');
    const key = keyOf(runId, metric);
    let s = series.get(key);
    if (!s) {
      const n = lengths.get(key)!;
      const column = (name: SeriesColumn): Float64Array => (wanted.has(name) ? new Float64Array(n) : new Float64Array(0));
      s = { runId, metric, length: 0, step: column('step'), time: column('time'), value: column('value'), epoch: column('epoch') };
      series.set(key, s);
    }
    const target = s;
    SERIES_COLUMNS.forEach((name, i) => {
      const bytes = row[3 + i];
      if (bytes && wanted.has(name)) readFloat8Array(bytes, target[name], target.length);
    });
    s.length += row[2]!.readInt32BE(0);
  }
  return [...series.values()];
}
