/**
 * Pushing a local run to the hub: idempotent and resumable, the hub saying what it holds.
 *
 * Protocol, per run:
 *  1. Ask the hub for the run's sync position: how many event lines it holds (`event_count`), the
 *     byte offset where the last one ends in the local file (`event_bytes`), where that line starts
 *     and its CRC.
 *  2. Check that the local file still has that line there (same CRC, same end). If not (the local
 *     events were rewritten, e.g. by `doctor --repair`), match the hub's lines to the local ones by
 *     CRC from the start; a history that differs is refused (HubConflictError), never merged.
 *  3. Read the lines after that offset and send them in batches, each in ONE transaction that
 *     locks the run's row (`SELECT … FOR UPDATE`), checks that the position is still the one read
 *     (another pusher of the same run may have moved it: then start again at 1), COPYs the event
 *     lines and their point chunks, and moves the position and the record. A push killed at any
 *     moment leaves the hub at the end of the last committed batch: never half a batch, never a
 *     point twice (event (run_id, seq) is the primary key and seq is checked under the lock).
 *  4. The record (run.json) is updated with each batch, and alone when only it changed.
 */
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Hub } from './connect.js';
import { HubConflictError } from './errors.js';
import { chunksCopy, eventsCopy, float8Text, metricRows, runColumns } from './rows.js';
import { checkSchema, SCHEMA } from './schema.js';
import type { EventLine, LocalRunSource } from './types.js';

/** Where the hub stands for one run. */
export interface SyncPosition {
  eventCount: number;
  eventBytes: number;
  lastLineStart: number;
  lastLineCrc: string | null;
  pointCount: number;
  recordMd5: string;
}

export interface PushProgress {
  runId: string;
  /** Bytes of the local events file the hub now holds, and the file's size when the push began. */
  bytes: number;
  totalBytes: number;
  events: number;
  points: number;
}

export interface PushOptions {
  /** Bytes of event lines per transaction (default 64 MiB: a 1M-point run goes in one). */
  batchBytes?: number;
  /** Who pushes, as the hub shows it (default: the OS user). */
  username?: string;
  onProgress?: (progress: PushProgress) => void;
  /** Called between reading and committing a batch (tests kill the process here). */
  beforeCommit?: () => Promise<void> | void;
}

export interface PushResult {
  runId: string;
  /** Event lines and points added by this push (0 and 0 when the hub had everything). */
  events: number;
  points: number;
  /** True when run.json changed on the hub. */
  recordUpdated: boolean;
  /** The hub's position after the push. */
  position: SyncPosition;
}

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/** The hub's sync position for a run; null when it does not hold the run. */
export async function readPosition(client: pg.ClientBase, runId: string, lock = false): Promise<SyncPosition | null> {
  const result = await client.query<{ event_count: number; event_bytes: string; last_line_start: string; last_line_crc: string | null; point_count: string; record_md5: string }>(
    `SELECT event_count, event_bytes, last_line_start, last_line_crc, point_count, md5(record) AS record_md5 FROM ${SCHEMA}.runs WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [runId],
  );
  const row = result.rows[0];
  if (!row) return null;
  return {
    eventCount: row.event_count,
    eventBytes: Number(row.event_bytes),
    lastLineStart: Number(row.last_line_start),
    lastLineCrc: row.last_line_crc,
    pointCount: Number(row.point_count),
    recordMd5: row.record_md5,
  };
}

class PositionMoved extends Error {}

/**
 * Where to read the local file from so that it follows what the hub holds: the hub's offset when
 * its last line is still there, else found again by matching CRCs (a rewritten local file).
 */
async function resumePoint(hub: Hub, source: LocalRunSource, position: SyncPosition | null): Promise<{ from: number; seq: number }> {
  if (!position || position.eventCount === 0) return { from: 0, seq: 0 };
  const probe = source.readEvents(position.lastLineStart, 1);
  const line = probe.lines[0];
  if (line && line.start === position.lastLineStart && line.end === position.eventBytes && line.crc === position.lastLineCrc) {
    return { from: position.eventBytes, seq: position.eventCount };
  }
  // The local file changed under the hub's offsets: match the hub's lines by CRC from the start.
  const hubCrcs = await hub.withClient(async (client) => {
    const rows = await client.query<{ crc: string }>(`SELECT substr(line, 9, 8) AS crc FROM ${SCHEMA}.events WHERE run_id = $1 ORDER BY seq`, [source.id]);
    return rows.rows.map((row) => row.crc);
  });
  let from = 0;
  let matched = 0;
  while (matched < hubCrcs.length) {
    const window = source.readEvents(from);
    if (window.lines.length === 0) break;
    for (const local of window.lines) {
      if (matched === hubCrcs.length) break;
      if (local.crc !== hubCrcs[matched]) {
        throw new HubConflictError(
          source.id,
          `Run ${source.id} on the hub ${hub.label} differs from the local one at event ${matched + 1}: the local events were rewritten or belong to another run. Nothing was pushed; compare them with \`trainbook show --hub\`.`,
        );
      }
      matched++;
      from = local.end;
    }
  }
  if (matched === hubCrcs.length) return { from, seq: matched };
  throw new HubConflictError(source.id, `The hub ${hub.label} holds more of run ${source.id} (${hubCrcs.length} events) than the local store; the local run is older than the hub's copy. Pull it instead.`);
}

/** How often one push starts again because another pusher of the same run committed first. */
const MAX_RACE_RETRIES = 10_000;

/** Pushes one run: only what the hub does not hold yet. */
export async function pushRun(hub: Hub, source: LocalRunSource, options: PushOptions = {}): Promise<PushResult> {
  const batchBytes = options.batchBytes ?? 64 * 1024 * 1024;
  const username = options.username ?? safeUsername();
  for (let attempt = 0; ; attempt++) {
    try {
      return await pushOnce(hub, source, batchBytes, username, options);
    } catch (error) {
      // Another pusher of this run committed first: ask the hub again. Each such retry means the
      // other pusher moved the run on, so retries end when nothing is left to send; the cap only
      // guards against a bug, never against a busy run (a pusher with many small batches).
      if (!(error instanceof PositionMoved) || attempt >= MAX_RACE_RETRIES) throw error;
    }
  }
}

/**
 * How long a hub's schema, once checked, is taken as it was: a live run pushes every few seconds,
 * and asking each time is one more round trip per push on the training process. A migration to
 * a schema this code cannot use is noticed within this time.
 */
const SCHEMA_RECHECK_MS = 60_000;
const schemaCheckedAt = new WeakMap<Hub, number>();

async function pushOnce(hub: Hub, source: LocalRunSource, batchBytes: number, username: string, options: PushOptions): Promise<PushResult> {
  const initial = await hub.withClient(async (client) => {
    const checkedAt = schemaCheckedAt.get(hub);
    if (checkedAt === undefined || Date.now() - checkedAt > SCHEMA_RECHECK_MS) {
      await checkSchema(client, hub.label);
      schemaCheckedAt.set(hub, Date.now());
    }
    return readPosition(client, source.id);
  });
  let { from, seq } = await resumePoint(hub, source, initial);
  const { text, record } = source.readRecord();
  const columns = runColumns(record, text, { store: source.store, username });
  const recordMd5 = md5(text);
  let position = initial;
  let addedEvents = 0;
  let addedPoints = 0;
  let recordUpdated = false;
  const totalBytes = source.eventsSize();
  for (;;) {
    const window = source.readEvents(from, batchBytes);
    const lines = window.lines;
    const recordChanged = position === null || position.recordMd5 !== recordMd5;
    if (lines.length === 0 && !recordChanged && position && position.eventBytes === from) break;
    position = await commitBatch(hub, source.id, columns, recordMd5, seq, from, lines, options);
    recordUpdated ||= recordChanged;
    addedEvents += lines.length;
    addedPoints += lines.reduce((sum, line) => sum + pointsOf(line), 0);
    seq += lines.length;
    from = lines.length > 0 ? lines[lines.length - 1]!.end : from;
    options.onProgress?.({ runId: source.id, bytes: from, totalBytes: Math.max(totalBytes, from), events: addedEvents, points: addedPoints });
    if (lines.length === 0) break;
  }
  return { runId: source.id, events: addedEvents, points: addedPoints, recordUpdated, position: position! };
}

function pointsOf(line: EventLine): number {
  let n = 0;
  if (line.points) for (const columns of line.points.values()) n += columns.length;
  return n;
}

async function copyInto(client: pg.PoolClient, sql: string, data: Buffer): Promise<void> {
  await pipeline(Readable.from([data]), client.query(copyFrom(sql)));
}

/** One transaction: lock the run, check the position, add the lines and their points, move the position and the record. */
async function commitBatch(
  hub: Hub,
  runId: string,
  columns: ReturnType<typeof runColumns>,
  recordMd5: string,
  seq: number,
  from: number,
  lines: readonly EventLine[],
  options: PushOptions,
): Promise<SyncPosition> {
  return hub.transaction(async (client) => {
    const c = columns;
    await client.query(
      `INSERT INTO ${SCHEMA}.runs (id, store, notebook, host, username, record, status, name, experiment, "group", tags, params, summary, started_at, heartbeat_at, ended_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, $14, $15, $16)
       ON CONFLICT (id) DO NOTHING`,
      [c.id, c.store, c.notebook, c.host, c.username, c.record, c.status, c.name, c.experiment, c.group, c.tags, c.params, c.summary, c.startedAt, c.heartbeatAt, c.endedAt],
    );
    const now = await readPosition(client, runId, true);
    if (!now || now.eventCount !== seq) throw new PositionMoved();
    let points = 0;
    if (lines.length > 0) {
      await copyInto(client, `COPY ${SCHEMA}.events (run_id, seq, byte_end, type, line) FROM STDIN (FORMAT binary)`, eventsCopy(runId, seq, lines));
      const chunks = chunksCopy(runId, seq, lines);
      if (chunks.rows > 0) await copyInto(client, `COPY ${SCHEMA}.point_chunks (run_id, metric, seq, n, step, epoch, time, value) FROM STDIN (FORMAT binary)`, chunks.data);
      points = chunks.points;
    }
    const last = lines[lines.length - 1];
    await client.query(
      `UPDATE ${SCHEMA}.runs SET store = $2, notebook = $3, host = $4, username = $5, record = $6, status = $7, name = $8, experiment = $9, "group" = $10,
         tags = $11, params = $12::jsonb, summary = $13::jsonb, started_at = $14, heartbeat_at = $15, ended_at = $16,
         event_count = $17, event_bytes = $18, last_line_start = $19, last_line_crc = $20, point_count = point_count + $21, updated_at = now()
       WHERE id = $1`,
      [
        c.id, c.store, c.notebook, c.host, c.username, c.record, c.status, c.name, c.experiment, c.group, c.tags, c.params, c.summary, c.startedAt, c.heartbeatAt, c.endedAt,
        seq + lines.length,
        last ? last.end : from,
        last ? last.start : now.lastLineStart,
        last ? last.crc : now.lastLineCrc,
        points,
      ],
    );
    if (now.recordMd5 !== recordMd5 || now.eventCount === 0) {
      const metrics = metricRows(JSON.parse(c.summary) as Parameters<typeof metricRows>[0]);
      await client.query(`DELETE FROM ${SCHEMA}.run_metrics WHERE run_id = $1`, [runId]);
      if (metrics.metric.length > 0) {
        await client.query(
          `INSERT INTO ${SCHEMA}.run_metrics (run_id, metric, last, min, max, count, step)
           SELECT $1, * FROM unnest($2::text[], $3::float8[], $4::float8[], $5::float8[], $6::bigint[], $7::float8[])`,
          [runId, metrics.metric, metrics.last.map(float8Text), metrics.min.map(float8Text), metrics.max.map(float8Text), metrics.count, metrics.step.map(float8Text)],
        );
      }
    }
    await options.beforeCommit?.();
    return {
      eventCount: seq + lines.length,
      eventBytes: last ? last.end : from,
      lastLineStart: last ? last.start : now.lastLineStart,
      lastLineCrc: last ? last.crc : now.lastLineCrc,
      pointCount: now.pointCount + points,
      recordMd5,
    };
  });
}

function safeUsername(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}
