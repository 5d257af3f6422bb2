/**
 * The sweep queue on the hub (tables of schema version 2, see schema.ts): queuing a grid, claiming
 * a job (`SELECT … FOR UPDATE SKIP LOCKED`: two workers never take the same one and never wait for
 * each other), the lease a worker's heartbeat renews, ending an attempt, giving the jobs of dead
 * workers back (their lease ran out), cancelling, and waking idle workers (`LISTEN`/`NOTIFY`).
 * The rules (what a job becomes) are sweepStates.ts; this module only reads and writes.
 */
import type pg from 'pg';
import type { Hub } from './connect.js';
import { HubRunNotFoundError, HubSchemaError } from './errors.js';
import { EFFECTIVE_STATUS_SQL } from './query.js';
import { lookupHubId } from './runs.js';
import { checkSchema, SCHEMA } from './schema.js';
import { columnJson, columnText } from './text.js';
import { JOBS_CHANNEL, jobAfterAttempt, type AttemptEnd, type AttemptState, type JobState } from './sweepStates.js';

/** The schema version that holds the queue. */
export const QUEUE_SCHEMA = 2;

/** Checks that the hub has the queue's tables (an older hub is upgraded by `hub init`, keeping its runs). */
export async function checkQueueSchema(client: pg.ClientBase, label: string): Promise<void> {
  const version = await checkSchema(client, label);
  if (version < QUEUE_SCHEMA) {
    throw new HubSchemaError(
      'hub-schema-missing',
      `The hub ${label} has trainbook schema version ${version}, without the sweep queue. Run \`trainbook hub init <url>\` once to upgrade it (its runs are kept).`,
      version,
    );
  }
}

/** A sweep to queue: the notebook as it is now, how to run it, one params set per job. */
export interface SweepSpec {
  id: string;
  name: string;
  /** The notebook's path relative to the project's folder (where workers run). */
  notebook: string;
  /** The notebook's JSON text. */
  content: string;
  kernel: string;
  timeoutSeconds: number | null;
  retries: number;
  host: string;
  username: string;
  jobs: ReadonlyArray<{ id: string; number: number; params: Record<string, unknown> }>;
}

/** Queues a sweep and its jobs in one transaction, and wakes idle workers. */
export async function enqueueSweep(hub: Hub, spec: SweepSpec): Promise<void> {
  await hub.transaction(async (client) => {
    await checkQueueSchema(client, hub.label);
    await client.query(
      `INSERT INTO ${SCHEMA}.sweeps (id, name, notebook, content, kernel, timeout_seconds, retries, host, username) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [spec.id, columnText(spec.name), columnText(spec.notebook), spec.content, spec.kernel, spec.timeoutSeconds, spec.retries, columnText(spec.host), columnText(spec.username)],
    );
    await client.query(
      `INSERT INTO ${SCHEMA}.jobs (id, sweep_id, number, params, state)
       SELECT j.id, $1, j.number, j.params, 'queued' FROM unnest($2::text[], $3::int[], $4::jsonb[]) AS j(id, number, params)`,
      [spec.id, spec.jobs.map((job) => job.id), spec.jobs.map((job) => job.number), spec.jobs.map((job) => JSON.stringify(columnJson(job.params)))],
    );
    await client.query(`SELECT pg_notify($1, $2)`, [JOBS_CHANNEL, spec.id]);
  });
}

/** Who holds an attempt. */
export interface AttemptRef {
  jobId: string;
  attempt: number;
  worker: string;
}

/** A job a worker took: what to run and the attempt it holds. */
export interface ClaimedJob extends AttemptRef {
  number: number;
  params: Record<string, unknown>;
  sweep: { id: string; name: string; notebook: string; content: string; kernel: string; timeoutSeconds: number | null };
}

export interface ClaimOptions {
  worker: string;
  host: string;
  /** Only this sweep's jobs (default: any sweep's, oldest first). */
  sweepId?: string | null;
  leaseSeconds: number;
}

/** Takes the oldest queued job (of a sweep not cancelled) with a lease; null when none is free. */
export async function claimJob(hub: Hub, options: ClaimOptions): Promise<ClaimedJob | null> {
  return hub.transaction(async (client) => {
    const found = await client.query<{ id: string; number: number; params: Record<string, unknown>; attempts: number; sweep_id: string }>(
      `SELECT j.id, j.number, j.params, j.attempts, j.sweep_id FROM ${SCHEMA}.jobs j
       WHERE j.state = 'queued' AND ($1::text IS NULL OR j.sweep_id = $1)
         AND NOT EXISTS (SELECT 1 FROM ${SCHEMA}.sweeps s WHERE s.id = j.sweep_id AND s.cancelled_at IS NOT NULL)
       ORDER BY j.queued_at, j.sweep_id, j.number
       LIMIT 1 FOR UPDATE OF j SKIP LOCKED`,
      [options.sweepId ?? null],
    );
    const job = found.rows[0];
    if (!job) return null;
    const attempt = job.attempts + 1;
    await client.query(`UPDATE ${SCHEMA}.jobs SET state = 'running', attempts = $2 WHERE id = $1`, [job.id, attempt]);
    await client.query(
      `INSERT INTO ${SCHEMA}.job_attempts (job_id, attempt, worker, host, state, lease_until) VALUES ($1, $2, $3, $4, 'running', now() + make_interval(secs => $5))`,
      [job.id, attempt, columnText(options.worker), columnText(options.host), options.leaseSeconds],
    );
    const sweep = await client.query<{ id: string; name: string; notebook: string; content: string; kernel: string; timeout_seconds: number | null }>(
      `SELECT id, name, notebook, content, kernel, timeout_seconds FROM ${SCHEMA}.sweeps WHERE id = $1`,
      [job.sweep_id],
    );
    const s = sweep.rows[0]!;
    return {
      jobId: job.id,
      attempt,
      worker: options.worker,
      number: job.number,
      params: job.params,
      sweep: { id: s.id, name: s.name, notebook: s.notebook, content: s.content, kernel: s.kernel, timeoutSeconds: s.timeout_seconds },
    };
  });
}

/**
 * Renews an attempt's lease (and notes the runs it has recorded so far). `lost`: the attempt is no
 * longer this worker's (its lease ran out and the job went back to the queue); `cancelled`: the
 * sweep was cancelled. Either way the worker stops the job.
 */
export async function renewLease(hub: Hub, ref: AttemptRef, leaseSeconds: number, runIds: readonly string[] | null = null): Promise<'ok' | 'lost' | 'cancelled'> {
  return hub.withClient(async (client) => {
    const result = await client.query<{ job_state: JobState }>(
      `UPDATE ${SCHEMA}.job_attempts a SET heartbeat_at = now(), lease_until = now() + make_interval(secs => $4), run_ids = coalesce($5::text[], a.run_ids)
       FROM ${SCHEMA}.jobs j
       WHERE a.job_id = $1 AND a.attempt = $2 AND a.worker = $3 AND a.state = 'running' AND a.lease_until >= now() AND j.id = a.job_id
       RETURNING j.state AS job_state`,
      [ref.jobId, ref.attempt, columnText(ref.worker), leaseSeconds, runIds ? [...runIds] : null],
    );
    const row = result.rows[0];
    if (!row) return 'lost';
    return row.job_state === 'cancelled' ? 'cancelled' : 'ok';
  });
}

export interface AttemptResult {
  state: AttemptEnd;
  /** Every run the attempt recorded. */
  runIds: readonly string[];
  error?: string | null;
}

/**
 * Ends an attempt and moves its job on (done, or queued again). Returns the job's new state, or
 * null when the attempt was no longer running (its lease ran out first: the job is someone else's).
 */
export async function finishAttempt(hub: Hub, ref: AttemptRef, result: AttemptResult): Promise<JobState | null> {
  return hub.transaction((client) => endAttempt(client, ref, result, false));
}

async function endAttempt(client: pg.ClientBase, ref: Pick<AttemptRef, 'jobId' | 'attempt'> & { worker?: string }, result: AttemptResult, onlyIfExpired: boolean): Promise<JobState | null> {
  // The job first, then its attempt: every writer locks in this order.
  const job = await client.query<{ state: JobState; retries: number }>(
    `SELECT j.state, s.retries FROM ${SCHEMA}.jobs j JOIN ${SCHEMA}.sweeps s ON s.id = j.sweep_id WHERE j.id = $1 FOR UPDATE OF j`,
    [ref.jobId],
  );
  const attempt = await client.query<{ state: AttemptState; expired: boolean }>(
    `SELECT state, lease_until < now() AS expired FROM ${SCHEMA}.job_attempts WHERE job_id = $1 AND attempt = $2 ${ref.worker === undefined ? '' : 'AND worker = $3'} FOR UPDATE`,
    ref.worker === undefined ? [ref.jobId, ref.attempt] : [ref.jobId, ref.attempt, columnText(ref.worker)],
  );
  const row = job.rows[0];
  const current = attempt.rows[0];
  if (!row || !current || current.state !== 'running' || (onlyIfExpired && !current.expired)) return null;
  const history = await client.query<{ failures: string; crashes: string }>(
    `SELECT count(*) FILTER (WHERE state = 'failed') AS failures, count(*) FILTER (WHERE state = 'crashed') AS crashes FROM ${SCHEMA}.job_attempts WHERE job_id = $1 AND attempt <> $2`,
    [ref.jobId, ref.attempt],
  );
  const next = jobAfterAttempt(
    { state: row.state, retries: row.retries, failures: Number(history.rows[0]!.failures), crashes: Number(history.rows[0]!.crashes) },
    result.state,
  );
  const error = result.error === undefined || result.error === null ? null : columnText(result.error);
  await client.query(
    `UPDATE ${SCHEMA}.job_attempts SET state = $3, ended_at = now(), run_ids = CASE WHEN cardinality($4::text[]) > 0 THEN $4::text[] ELSE run_ids END, error = $5 WHERE job_id = $1 AND attempt = $2`,
    [ref.jobId, ref.attempt, result.state, [...result.runIds], error],
  );
  const done = next.state !== 'queued';
  await client.query(
    `UPDATE ${SCHEMA}.jobs SET state = $2, error = $3, ended_at = ${done ? 'now()' : 'NULL'},
       run_ids = CASE WHEN $4 THEN $5::text[] ELSE run_ids END${done ? '' : ', queued_at = now()'}
     WHERE id = $1`,
    // The job's runs: those of the attempt that gave its result (completed, or failed for good).
    [ref.jobId, next.state, next.error ?? (result.state === 'failed' || next.state === 'failed' ? error : null), done && result.runIds.length > 0, [...result.runIds]],
  );
  if (!done) await client.query(`SELECT pg_notify($1, $2)`, [JOBS_CHANNEL, ref.jobId]);
  return next.state;
}

/** Marks the attempts whose lease ran out as crashed and gives their jobs back; returns how many. */
export async function reapExpiredLeases(hub: Hub): Promise<number> {
  const expired = await hub.withClient((client) =>
    client.query<{ job_id: string; attempt: number }>(`SELECT job_id, attempt FROM ${SCHEMA}.job_attempts WHERE state = 'running' AND lease_until < now() LIMIT 100`),
  );
  let reaped = 0;
  for (const row of expired.rows) {
    const state = await hub.transaction((client) =>
      endAttempt(client, { jobId: row.job_id, attempt: row.attempt }, { state: 'crashed', runIds: [], error: 'the lease ran out: the worker stopped heartbeating' }, true),
    );
    if (state !== null) reaped++;
  }
  return reaped;
}

/** How many jobs are queued and running (of one sweep, or all). */
export async function queueCounts(hub: Hub, sweepId: string | null = null): Promise<{ queued: number; running: number }> {
  return hub.withClient(async (client) => {
    await checkQueueSchema(client, hub.label);
    const result = await client.query<{ queued: string; running: string }>(
      `SELECT count(*) FILTER (WHERE j.state = 'queued' AND s.cancelled_at IS NULL) AS queued, count(*) FILTER (WHERE j.state = 'running') AS running
       FROM ${SCHEMA}.jobs j JOIN ${SCHEMA}.sweeps s ON s.id = j.sweep_id WHERE $1::text IS NULL OR j.sweep_id = $1`,
      [sweepId],
    );
    return { queued: Number(result.rows[0]!.queued), running: Number(result.rows[0]!.running) };
  });
}

/** The id of the sweep `reference` names: an id, a unique id prefix or a unique name. */
export async function findSweepId(hub: Hub, reference: string): Promise<string> {
  return hub.withClient(async (client) => {
    await checkQueueSchema(client, hub.label);
    return lookupHubId(client, 'sweeps', reference, { none: `No sweep "${reference}" on the hub ${hub.label}.`, noun: 'sweeps' });
  });
}

/** Cancels a sweep: its queued jobs end cancelled; workers stop its running ones at their next heartbeat. */
export async function cancelSweep(hub: Hub, sweepId: string): Promise<{ queued: number; running: number }> {
  return hub.transaction(async (client) => {
    await checkQueueSchema(client, hub.label);
    await client.query(`UPDATE ${SCHEMA}.sweeps SET cancelled_at = coalesce(cancelled_at, now()) WHERE id = $1`, [sweepId]);
    const queued = await client.query(`UPDATE ${SCHEMA}.jobs SET state = 'cancelled', ended_at = now() WHERE sweep_id = $1 AND state = 'queued'`, [sweepId]);
    const running = await client.query(`UPDATE ${SCHEMA}.jobs SET state = 'cancelled' WHERE sweep_id = $1 AND state = 'running'`, [sweepId]);
    return { queued: queued.rowCount ?? 0, running: running.rowCount ?? 0 };
  });
}

/** A sweep as `sweep status` shows it. */
export interface SweepStatus {
  sweep: { id: string; name: string; notebook: string; kernel: string; retries: number; host: string; username: string; createdAt: Date; cancelledAt: Date | null };
  jobs: Array<{ id: string; number: number; params: Record<string, unknown>; state: JobState; attempts: number; runIds: string[]; error: string | null; queuedAt: Date; endedAt: Date | null }>;
  attempts: Array<{ jobId: string; attempt: number; worker: string; state: AttemptState; startedAt: Date; heartbeatAt: Date; leaseUntil: Date; endedAt: Date | null; runIds: string[]; error: string | null }>;
  /** The runs the attempts recorded, as the hub holds them (status read as `ls --hub` does). */
  runs: Array<{ id: string; status: string; summary: Record<string, { last: number | string }> }>;
  /** The hub's clock when this was read (leases are on its time). */
  now: Date;
}

/** Everything about one sweep, read in one snapshot. */
export async function readSweepStatus(hub: Hub, sweepId: string): Promise<SweepStatus> {
  return hub.withClient(async (client) => {
    await checkQueueSchema(client, hub.label);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const sweep = await client.query(`SELECT id, name, notebook, kernel, retries, host, username, created_at, cancelled_at, now() AS now FROM ${SCHEMA}.sweeps WHERE id = $1`, [sweepId]);
      const s = sweep.rows[0];
      if (!s) throw new HubRunNotFoundError(`No sweep "${sweepId}" on the hub ${hub.label}.`);
      const jobs = await client.query(`SELECT id, number, params, state, attempts, run_ids, error, queued_at, ended_at FROM ${SCHEMA}.jobs WHERE sweep_id = $1 ORDER BY number`, [sweepId]);
      const attempts = await client.query(
        `SELECT a.job_id, a.attempt, a.worker, a.state, a.started_at, a.heartbeat_at, a.lease_until, a.ended_at, a.run_ids, a.error
         FROM ${SCHEMA}.job_attempts a JOIN ${SCHEMA}.jobs j ON j.id = a.job_id WHERE j.sweep_id = $1 ORDER BY j.number, a.attempt`,
        [sweepId],
      );
      const runIds = [...new Set(attempts.rows.flatMap((a: { run_ids: string[] }) => a.run_ids))];
      const runs = await client.query(`SELECT r.id, ${EFFECTIVE_STATUS_SQL} AS status, r.summary FROM ${SCHEMA}.runs r WHERE r.id = ANY($1::text[])`, [runIds]);
      return {
        sweep: { id: s.id, name: s.name, notebook: s.notebook, kernel: s.kernel, retries: s.retries, host: s.host, username: s.username, createdAt: s.created_at, cancelledAt: s.cancelled_at },
        jobs: jobs.rows.map((j) => ({ id: j.id, number: j.number, params: j.params, state: j.state, attempts: j.attempts, runIds: j.run_ids, error: j.error, queuedAt: j.queued_at, endedAt: j.ended_at })),
        attempts: attempts.rows.map((a) => ({
          jobId: a.job_id,
          attempt: a.attempt,
          worker: a.worker,
          state: a.state,
          startedAt: a.started_at,
          heartbeatAt: a.heartbeat_at,
          leaseUntil: a.lease_until,
          endedAt: a.ended_at,
          runIds: a.run_ids,
          error: a.error,
        })),
        runs: runs.rows.map((r) => ({ id: r.id, status: r.status, summary: r.summary })),
        now: s.now,
      };
    } finally {
      await client.query('COMMIT').catch(() => undefined);
    }
  });
}

/**
 * Calls `onJobs` whenever jobs are queued or given back (`NOTIFY`), on a connection of its own
 * held until `close()`. A lost connection is reported through `onError` (workers poll anyway).
 */
export async function listenForJobs(hub: Hub, onJobs: () => void, onError: (error: unknown) => void = () => undefined): Promise<{ close(): void }> {
  let client: pg.PoolClient;
  try {
    client = await hub.pool.connect();
  } catch (error) {
    throw hub.explain(error, 'listen for jobs');
  }
  client.on('notification', (message) => {
    if (message.channel === JOBS_CHANNEL) onJobs();
  });
  client.on('error', onError);
  await client.query(`LISTEN ${JOBS_CHANNEL}`);
  return {
    close: () => {
      client.removeAllListeners('notification');
      client.off('error', onError);
      // Destroyed, not pooled: a pooled connection would go on listening.
      client.release(true);
    },
  };
}
