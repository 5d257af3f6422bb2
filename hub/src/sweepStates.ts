/**
 * The rules of the sweep queue, apart from its I/O (queue.ts): which jobs a grid makes, what a job
 * becomes when an attempt at it ends, what a reader should show for a job and an attempt, and the
 * tags that tie a worker's runs to their job. Pure.
 *
 * A job is `queued` until a worker claims it (`running`: one attempt holds a lease that the worker's
 * heartbeat moves on). The attempt ends `completed`, `failed` (a cell threw, the kernel died),
 * `crashed` (its lease ran out: the worker died or lost the hub), `interrupted` (the worker was
 * stopped and gave the job back) or `cancelled`. Then the job is done, or queued again.
 */

export type JobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type AttemptState = 'running' | 'completed' | 'failed' | 'crashed' | 'interrupted' | 'cancelled';
export type AttemptEnd = Exclude<AttemptState, 'running'>;

/** A job whose workers were lost this many times is failed rather than queued again (it may be what kills them). */
export const MAX_CRASHES = 3;

/** The lease a worker takes by default, and how often its heartbeat renews it. */
export const DEFAULT_LEASE_SECONDS = 30;
export const DEFAULT_HEARTBEAT_SECONDS = 5;

/** The channel `NOTIFY` wakes idle workers on. */
export const JOBS_CHANNEL = 'trainbook_jobs';

/** A job's id: its sweep's id and its number in the grid (1-based). */
export function jobId(sweepId: string, number: number): string {
  return `${sweepId}-${number}`;
}

/**
 * One job per grid point, numbered from 1 in grid order.
 *
 * @example
 * planSweepJobs('s1', [{ lr: 0.1 }, { lr: 0.01 }]);
 * // [{ id: 's1-1', number: 1, params: { lr: 0.1 } }, { id: 's1-2', number: 2, params: { lr: 0.01 } }]
 */
export function planSweepJobs(sweepId: string, paramSets: ReadonlyArray<Record<string, unknown>>): Array<{ id: string; number: number; params: Record<string, unknown> }> {
  return paramSets.map((params, i) => ({ id: jobId(sweepId, i + 1), number: i + 1, params }));
}

/** What the job's earlier attempts came to (not counting the one ending now). */
export interface JobHistory {
  /** The job's state now (`cancelled` when the sweep was cancelled while this attempt ran). */
  state: JobState;
  /** Failed attempts tolerated before the job fails (the sweep's `--retries`). */
  retries: number;
  failures: number;
  crashes: number;
}

export interface JobTransition {
  state: JobState;
  /** Why the job failed, when its last attempt did not say (crashes). */
  error: string | null;
}

/**
 * What a job becomes when one of its attempts ends.
 *
 * @example
 * jobAfterAttempt({ state: 'running', retries: 0, failures: 0, crashes: 0 }, 'crashed'); // { state: 'queued', error: null }
 * jobAfterAttempt({ state: 'running', retries: 0, failures: 0, crashes: 0 }, 'failed');  // { state: 'failed', error: null }
 */
export function jobAfterAttempt(history: JobHistory, end: AttemptEnd): JobTransition {
  // A result is a result, even from a sweep cancelled meanwhile.
  if (end === 'completed') return { state: 'completed', error: null };
  if (history.state === 'cancelled' || end === 'cancelled') return { state: 'cancelled', error: null };
  switch (end) {
    case 'failed':
      return { state: history.failures + 1 <= history.retries ? 'queued' : 'failed', error: null };
    case 'crashed':
      return history.crashes + 1 >= MAX_CRASHES
        ? { state: 'failed', error: `its worker was lost ${history.crashes + 1} times (the lease ran out each time); check what the notebook does to the machine` }
        : { state: 'queued', error: null };
    case 'interrupted':
      return { state: 'queued', error: null };
  }
}

/** An attempt as a reader sees it: a running one whose lease ran out already reads as crashed. */
export function effectiveAttemptState(attempt: { state: AttemptState; leaseUntil: Date }, now: Date): AttemptState {
  return attempt.state === 'running' && attempt.leaseUntil.getTime() < now.getTime() ? 'crashed' : attempt.state;
}

/** Tag values of the runs an attempt records (`tags.sweep = "<id>"` finds a sweep's runs). */
export function jobTagValues(sweepId: string, job: string, attempt: number): { sweep: string; job: string; attempt: number } {
  return { sweep: sweepId, job, attempt };
}

/** A worker's name as the queue shows it: the machine and the process. */
export function workerName(host: string, pid: number): string {
  return `${host}:${pid}`;
}
