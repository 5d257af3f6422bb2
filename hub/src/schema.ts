/**
 * The hub's schema: versioned migrations in code, applied in order by `trainbook hub init`, each in
 * its own transaction under an advisory lock (two inits at once are safe; running it again does
 * nothing). `trainbook.meta` holds `schema_version` (the last migration applied) and
 * `compatible_version` (the oldest trainbook schema that may still read and write this one), so a
 * newer hub that only added tables keeps serving older clients, and one that changed what they rely
 * on refuses them with a clear message.
 *
 * Everything lives in the PostgreSQL schema `trainbook`, apart from the database's own tables:
 *
 *   meta          key → value: schema_version, compatible_version, created_at
 *   runs          one row per run: its run.json verbatim (`record`, lossless) and columns to filter
 *                 and sort by (name, status, tags, params jsonb, summary jsonb, times), where it came
 *                 from (store, notebook, host, username) and how far the hub holds its events
 *                 (event_count, event_bytes, last_line_start, last_line_crc: the sync position)
 *   events        every events.jsonl line verbatim, numbered per run (seq) with the byte offset
 *                 where it ends in the local file: a pull writes the same bytes back
 *   point_chunks  the metric points of each `metrics` event as float8 arrays, one row per run,
 *                 metric and event (NaN and ±Infinity are float8 values; a missing epoch is NULL)
 *   points        a view: one row per point (run_id, metric, step, epoch, time, value, seq, ord)
 *   run_metrics   each run's summary per metric as float8 (last, min, max, count, step), indexed
 *                 by (metric, last) so filtering and sorting many runs by a metric is an index scan
 *
 * Text columns that PostgreSQL cannot hold verbatim (NUL) are stored with NUL as U+2400 (see
 * text.ts); `record` and `events.line` are JSON text, where NUL is the escape `\u0000`, so nothing is
 * lost.
 *
 * Version 2 adds the sweep queue (queue.ts), tables older clients never touch (compatible stays 1):
 *
 *   sweeps        one row per queued grid: its name, the notebook's path (relative to the project's
 *                 folder) and content, how to run it (kernel, timeout, retries), who queued it, and
 *                 when it was cancelled
 *   jobs          one row per grid point: its params, state (queued, running, completed, failed,
 *                 cancelled), the runs of the attempt that gave its result, its error
 *   job_attempts  each time a worker took a job: the worker, its lease (lease_until, moved on by
 *                 the worker's heartbeat), how it ended (running, completed, failed, crashed: the
 *                 lease ran out, interrupted: the worker stopped and gave it back, cancelled) and the
 *                 runs it recorded
 *
 * A queued job is claimed with SELECT … FOR UPDATE SKIP LOCKED; \`NOTIFY trainbook_jobs\` wakes idle
 * workers when jobs are queued or given back.
 */
import type pg from 'pg';
import type { Hub } from './connect.js';
import { HubSchemaError } from './errors.js';

export const SCHEMA = 'trainbook';

export interface Migration {
  version: number;
  description: string;
  /** The oldest schema version whose code can still use the hub once this migration is applied. */
  compatible: number;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, events, point chunks, run metrics',
    compatible: 1,
    statements: [
      `CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`,
      `CREATE TABLE IF NOT EXISTS ${SCHEMA}.meta (key text PRIMARY KEY, value text NOT NULL)`,
      `CREATE TABLE ${SCHEMA}.runs (
        id text PRIMARY KEY,
        store text NOT NULL,
        notebook text,
        host text NOT NULL,
        username text NOT NULL,
        record text NOT NULL,
        status text NOT NULL,
        name text NOT NULL,
        experiment text,
        "group" text,
        tags text[] NOT NULL DEFAULT '{}',
        params jsonb NOT NULL DEFAULT '{}',
        summary jsonb NOT NULL DEFAULT '{}',
        started_at timestamptz NOT NULL,
        heartbeat_at timestamptz,
        ended_at timestamptz,
        event_count integer NOT NULL DEFAULT 0,
        event_bytes bigint NOT NULL DEFAULT 0,
        last_line_start bigint NOT NULL DEFAULT 0,
        last_line_crc text,
        point_count bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX runs_started ON ${SCHEMA}.runs (started_at DESC, id)`,
      `CREATE INDEX runs_name ON ${SCHEMA}.runs (name)`,
      `CREATE INDEX runs_params ON ${SCHEMA}.runs USING gin (params jsonb_path_ops)`,
      `CREATE TABLE ${SCHEMA}.events (
        run_id text NOT NULL REFERENCES ${SCHEMA}.runs (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        byte_end bigint NOT NULL,
        type text NOT NULL,
        line text NOT NULL,
        PRIMARY KEY (run_id, seq)
      )`,
      `CREATE TABLE ${SCHEMA}.point_chunks (
        run_id text NOT NULL REFERENCES ${SCHEMA}.runs (id) ON DELETE CASCADE,
        metric text NOT NULL,
        seq integer NOT NULL,
        n integer NOT NULL,
        step float8[] NOT NULL,
        epoch float8[] NOT NULL,
        time float8[] NOT NULL,
        value float8[] NOT NULL,
        PRIMARY KEY (run_id, metric, seq)
      )`,
      // Point arrays and event lines are big and barely compressible (float64s, base64): stored out
      // of line uncompressed, which makes pushing and fetching them several times cheaper.
      `ALTER TABLE ${SCHEMA}.point_chunks ALTER COLUMN step SET STORAGE EXTERNAL, ALTER COLUMN epoch SET STORAGE EXTERNAL,
        ALTER COLUMN time SET STORAGE EXTERNAL, ALTER COLUMN value SET STORAGE EXTERNAL`,
      `ALTER TABLE ${SCHEMA}.events ALTER COLUMN line SET STORAGE EXTERNAL`,
      `CREATE TABLE ${SCHEMA}.run_metrics (
        run_id text NOT NULL REFERENCES ${SCHEMA}.runs (id) ON DELETE CASCADE,
        metric text NOT NULL,
        last float8,
        min float8,
        max float8,
        count bigint NOT NULL,
        step float8,
        PRIMARY KEY (run_id, metric)
      )`,
      `CREATE INDEX run_metrics_last ON ${SCHEMA}.run_metrics (metric, last)`,
      // The query language's comparisons (query.ts): a value as a number the way the store reads
      // one (JSON numbers, "NaN"/"Infinity"/"-Infinity", numeric text), and as text.
      `CREATE FUNCTION ${SCHEMA}.num(v jsonb) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE jsonb_typeof(v)
          WHEN 'number' THEN (v #>> '{}')::float8
          WHEN 'string' THEN CASE
            WHEN (v #>> '{}') IN ('NaN', 'Infinity', '-Infinity') THEN (v #>> '{}')::float8
            WHEN (v #>> '{}') ~ '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]{1,3})?\\s*$' THEN (v #>> '{}')::float8
            ELSE NULL END
          ELSE NULL END $$`,
      `CREATE FUNCTION ${SCHEMA}.txt(v jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE jsonb_typeof(v) WHEN 'string' THEN v #>> '{}' WHEN 'null' THEN 'null' ELSE v::text END $$`,
      `CREATE VIEW ${SCHEMA}.points AS
        SELECT c.run_id, c.metric, p.step, p.epoch, p.time, p.value, c.seq, p.ord
        FROM ${SCHEMA}.point_chunks c
        CROSS JOIN LATERAL unnest(c.step, c.epoch, c.time, c.value) WITH ORDINALITY AS p(step, epoch, time, value, ord)`,
    ],
  },
  {
    version: 2,
    description: 'sweep queue: sweeps, jobs, job attempts',
    compatible: 1,
    statements: [
      `CREATE TABLE ${SCHEMA}.sweeps (
        id text PRIMARY KEY,
        name text NOT NULL,
        notebook text NOT NULL,
        content text NOT NULL,
        kernel text NOT NULL,
        timeout_seconds float8,
        retries integer NOT NULL DEFAULT 0,
        host text NOT NULL,
        username text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        cancelled_at timestamptz
      )`,
      `CREATE TABLE ${SCHEMA}.jobs (
        id text PRIMARY KEY,
        sweep_id text NOT NULL REFERENCES ${SCHEMA}.sweeps (id) ON DELETE CASCADE,
        number integer NOT NULL,
        params jsonb NOT NULL,
        state text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        run_ids text[] NOT NULL DEFAULT '{}',
        error text,
        queued_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        UNIQUE (sweep_id, number)
      )`,
      `CREATE INDEX jobs_queued ON ${SCHEMA}.jobs (queued_at, sweep_id, number) WHERE state = 'queued'`,
      `CREATE TABLE ${SCHEMA}.job_attempts (
        job_id text NOT NULL REFERENCES ${SCHEMA}.jobs (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        worker text NOT NULL,
        host text NOT NULL,
        state text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz NOT NULL,
        ended_at timestamptz,
        run_ids text[] NOT NULL DEFAULT '{}',
        error text,
        PRIMARY KEY (job_id, attempt)
      )`,
      `CREATE INDEX job_attempts_leases ON ${SCHEMA}.job_attempts (lease_until) WHERE state = 'running'`,
    ],
  },
];

export const LATEST_SCHEMA = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export interface SchemaState {
  version: number | null;
  compatible: number | null;
}

/** The schema version the database holds (null: no trainbook schema). */
export async function readSchemaState(client: pg.ClientBase): Promise<SchemaState> {
  const exists = await client.query<{ found: string | null }>(`SELECT to_regclass('${SCHEMA}.meta')::text AS found`);
  if (!exists.rows[0]?.found) return { version: null, compatible: null };
  const rows = await client.query<{ key: string; value: string }>(`SELECT key, value FROM ${SCHEMA}.meta WHERE key IN ('schema_version', 'compatible_version')`);
  const get = (key: string): number | null => {
    const row = rows.rows.find((r) => r.key === key);
    return row ? Number(row.value) : null;
  };
  return { version: get('schema_version'), compatible: get('compatible_version') ?? get('schema_version') };
}

/** The migrations still to apply to a database at `version` (pure). Refuses a schema newer than this code. */
export function pendingMigrations(version: number | null, label: string, migrations: readonly Migration[] = MIGRATIONS): Migration[] {
  const latest = migrations[migrations.length - 1]!.version;
  if (version !== null && version > latest) {
    throw new HubSchemaError(
      'hub-schema-newer',
      `The hub ${label} has trainbook schema version ${version}, newer than this trainbook knows (${latest}). Upgrade trainbook (npm install trainbook@latest) before running \`hub init\` on it.`,
      version,
    );
  }
  return migrations.filter((m) => m.version > (version ?? 0));
}

export interface InitResult {
  from: number | null;
  to: number;
  applied: Array<Pick<Migration, 'version' | 'description'>>;
}

/** Creates or upgrades the hub's schema. Safe to run again and from two places at once. */
export async function migrate(hub: Hub, migrations: readonly Migration[] = MIGRATIONS): Promise<InitResult> {
  const encoding = await hub.withClient((client) => client.query<{ server_encoding: string }>('SHOW server_encoding'));
  if (encoding.rows[0]?.server_encoding !== 'UTF8') {
    throw new HubSchemaError(
      'hub-encoding',
      `The hub ${hub.label} uses the ${encoding.rows[0]?.server_encoding} encoding; trainbook needs a UTF8 database (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0).`,
    );
  }
  const applied: InitResult['applied'] = [];
  let from: number | null = null;
  let first = true;
  for (;;) {
    const step = await hub.transaction(async (client) => {
      // One migrator at a time; the others wait here, then see what was done.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('trainbook.migrate'))`);
      const state = await readSchemaState(client);
      if (first) {
        from = state.version;
        first = false;
      }
      const next = pendingMigrations(state.version, hub.label, migrations)[0];
      if (!next) return null;
      for (const statement of next.statements) await client.query(statement);
      await client.query(
        `INSERT INTO ${SCHEMA}.meta (key, value) VALUES ('schema_version', $1), ('compatible_version', $2), ('created_at', now()::text)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value WHERE ${SCHEMA}.meta.key <> 'created_at'`,
        [String(next.version), String(next.compatible)],
      );
      return next;
    });
    if (!step) break;
    applied.push({ version: step.version, description: step.description });
  }
  return { from, to: applied[applied.length - 1]?.version ?? from ?? LATEST_SCHEMA, applied };
}

/** Checks, before reading or writing, that the hub has a schema this code can use. */
export async function checkSchema(client: pg.ClientBase, label: string): Promise<number> {
  const state = await readSchemaState(client);
  if (state.version === null) {
    throw new HubSchemaError('hub-schema-missing', `The hub ${label} has no trainbook schema yet. Run \`trainbook hub init <url>\` once with a role that may create tables.`);
  }
  if ((state.compatible ?? state.version) > LATEST_SCHEMA) {
    throw new HubSchemaError(
      'hub-schema-newer',
      `The hub ${label} has trainbook schema version ${state.version}, which this trainbook (schema ${LATEST_SCHEMA}) cannot use. Upgrade trainbook.`,
      state.version,
    );
  }
  return state.version;
}

/** The SQL an administrator runs to make a read-only role and a writer role (printed by `hub init`). */
export function roleInstructions(): string {
  return [
    `-- A read-only role (ls/show/report/pull --hub, the runs panel):`,
    `CREATE ROLE trainbook_reader LOGIN PASSWORD 'choose-one';`,
    `GRANT USAGE ON SCHEMA ${SCHEMA} TO trainbook_reader;`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${SCHEMA} TO trainbook_reader;`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${SCHEMA} GRANT SELECT ON TABLES TO trainbook_reader;`,
    `-- A writer role (push, live runs with init({ hub }) or TRAINBOOK_HUB):`,
    `CREATE ROLE trainbook_writer LOGIN PASSWORD 'choose-another';`,
    `GRANT USAGE ON SCHEMA ${SCHEMA} TO trainbook_writer;`,
    `GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA ${SCHEMA} TO trainbook_writer;`,
    `GRANT DELETE ON ${SCHEMA}.run_metrics TO trainbook_writer;  -- a run's summary rows are replaced as it trains`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${SCHEMA} GRANT SELECT, INSERT, UPDATE ON TABLES TO trainbook_writer;`,
  ].join('\n');
}
