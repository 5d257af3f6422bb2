/**
 * `trainbook sweep status`: a sweep's jobs as a table, one row per attempt (a job never taken
 * has one row), with the job's params and state, the attempt's worker, state, duration and its
 * run's status and last metrics; then each failed job's error and the counts. Pure: takes what
 * the hub returned and its clock.
 */
import type { RunRecord } from 'trainbook/core';
import type { SweepStatus } from 'trainbook/hub';
import { effectiveAttemptState } from 'trainbook/hub';
import { paramsLabel } from '../headless/progress.js';
import { lastMetrics } from '../headless/summary.js';
import { formatDuration, formatTime, renderTable, safeText, truncate } from './text.js';

type Attempt = SweepStatus['attempts'][number];

function attemptDuration(attempt: Attempt, state: string, now: Date): string {
  // A crashed attempt lasted until its last heartbeat (not until it was given back); a running one until now.
  const end = state === 'crashed' ? attempt.heartbeatAt : (attempt.endedAt ?? (state === 'running' ? now : attempt.heartbeatAt));
  return formatDuration(end.getTime() - attempt.startedAt.getTime());
}

function attemptState(attempt: Attempt, now: Date): { state: string; shown: string } {
  const state = effectiveAttemptState(attempt, now);
  if (state === 'running') return { state, shown: `running on ${safeText(attempt.worker)}` };
  if (state === 'crashed' && attempt.state === 'running') return { state, shown: 'crashed (lease ran out)' };
  return { state, shown: state };
}

/**
 * The status table of a sweep.
 *
 * @example
 * renderSweepStatus(await readSweepStatus(hub, id));
 * // JOB  PARAMS  JOB STATE  ATTEMPT  WORKER   ATTEMPT STATE  DURATION  RUN  RUN STATUS  LAST METRICS
 * // 1    lr=0.1  completed  1        a:4242   completed      4.2s      2026…  completed   loss=0.12
 */
export function renderSweepStatus(status: SweepStatus): string {
  const { sweep, now } = status;
  const runs = new Map(status.runs.map((run) => [run.id, run]));
  const attemptsOf = new Map<string, Attempt[]>();
  for (const attempt of status.attempts) {
    const list = attemptsOf.get(attempt.jobId) ?? [];
    list.push(attempt);
    attemptsOf.set(attempt.jobId, list);
  }
  const rows: string[][] = [];
  for (const job of status.jobs) {
    const head = [String(job.number), truncate(paramsLabel(job.params), 40), job.state];
    const attempts = attemptsOf.get(job.id) ?? [];
    if (attempts.length === 0) rows.push([...head, '', '', '', '', '', '', '']);
    attempts.forEach((attempt, i) => {
      const { state, shown } = attemptState(attempt, now);
      const first = i === 0 ? head : head.map(() => '');
      const runIds = attempt.runIds.length > 0 ? attempt.runIds : [''];
      runIds.forEach((runId, r) => {
        const run = runs.get(runId);
        // The run of a crashed attempt stopped heartbeating; the hub shows it as crashed a minute later.
        const runStatus = run ? (state === 'crashed' && run.status === 'running' ? 'crashed' : run.status) : runId ? 'not on the hub' : '';
        const metrics = run ? lastMetrics({ summary: run.summary } as unknown as RunRecord) : '';
        const attemptCells = r === 0 ? [String(attempt.attempt), safeText(attempt.worker), shown, attemptDuration(attempt, state, now)] : ['', '', '', ''];
        rows.push([...(r === 0 ? first : head.map(() => '')), ...attemptCells, runId, runStatus, metrics]);
      });
    });
  }
  const table = renderTable(['JOB', 'PARAMS', 'JOB STATE', 'ATTEMPT', 'WORKER', 'ATTEMPT STATE', 'DURATION', 'RUN', 'RUN STATUS', 'LAST METRICS'], rows);
  const errors = status.jobs.filter((job) => job.error).map((job) => `job ${job.number} (${paramsLabel(job.params)}) ${job.state}: ${safeText(job.error!)}`);
  const counts = new Map<string, number>();
  for (const job of status.jobs) counts.set(job.state, (counts.get(job.state) ?? 0) + 1);
  const tally = `${status.jobs.length} job${status.jobs.length === 1 ? '' : 's'}: ${[...counts.entries()].map(([state, n]) => `${n} ${state}`).join(', ')}`;
  const title = `Sweep ${sweep.id} (${safeText(sweep.name)}): ${safeText(sweep.notebook)}, queued by ${safeText(sweep.username)}@${safeText(sweep.host)} at ${formatTime(sweep.createdAt.toISOString())} UTC${sweep.cancelledAt ? `, cancelled at ${formatTime(sweep.cancelledAt.toISOString())} UTC` : ''}`;
  return [title, '', table, ...(errors.length > 0 ? ['', ...errors] : []), '', tally].join('\n');
}

/** The exit code of `sweep status`: 0 when every job completed, 1 when any failed or was cancelled, 0 while still going. Pure. */
export function sweepStatusExitCode(status: Pick<SweepStatus, 'jobs'>): number {
  return status.jobs.some((job) => job.state === 'failed' || job.state === 'cancelled') ? 1 : 0;
}
