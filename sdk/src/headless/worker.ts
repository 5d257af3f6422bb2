/**
 * `trainbook worker`: takes a sweep's jobs from the hub's queue one at a time (per slot) and runs
 * each headless exactly as `trainbook run` does (its own kernel, injected parameters, executions
 * recorded), its runs pushed to the hub live (the kernel gets `TRAINBOOK_HUB`) and tagged with the
 * sweep, the job and the attempt (`TRAINBOOK_TAG_VALUES`). While a job runs, a heartbeat renews its
 * lease; a lost lease (the job went to another worker) or a cancelled sweep stops it. A stop signal
 * (Ctrl-C) interrupts the kernels and gives the jobs back. The kernel dies with the worker, so a
 * worker killed with -9 leaves a run that stops heartbeating (read as crashed) and a job that goes
 * back to the queue when its lease runs out.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClaimedJob, Hub } from 'trainbook/hub';
/** The hub module, loaded by the command only when a hub is used. */
type HubModule = typeof import('trainbook/hub');
import { storeDirForNotebook, RUNS_DIR } from '../store/paths.js';
import { readRunRecord } from '../store/reader.js';
import { localRunSource } from '../sync/runSource.js';
import { newRunId } from 'trainbook/core';
import { checkJupyterAsync, executeJobs } from './execute.js';
import { noteCellTiming, type CellTiming } from './executions.js';
import { parseNotebook } from './notebook.js';
import { jobOutcomes, listStoreRuns, recordExecutions } from './outcomes.js';
import { planJobs } from './plan.js';
import { applyEvent, newProgress, paramsLabel, type JobProgress } from './progress.js';

export interface WorkerOptions {
  hubUrl: string;
  sweepId: string | null;
  maxJobs: number | null;
  exitWhenEmpty: boolean;
  parallel: number;
  leaseSeconds: number;
  heartbeatSeconds: number;
  /** How often an idle worker looks for jobs when no notification came (ms). */
  pollMs: number;
  /** The project's folder: notebooks' paths are relative to it. */
  cwd: string;
  python: string;
  env: NodeJS.ProcessEnv;
  /** trainbook's own lines (stderr). */
  log: (line: string) => void;
  /** Aborted on Ctrl-C: running jobs are interrupted and given back, no new one is taken. */
  signal: AbortSignal;
}

export interface WorkerResult {
  /** How each job this worker ran ended. */
  jobs: Array<{ jobId: string; state: 'completed' | 'failed' | 'interrupted' | 'cancelled' | 'lost' }>;
}

/** Env variables the SDK reads in the kernel (see sdk/src/run/envDefaults.ts and hubPush.ts). */
const HUB_ENV = 'TRAINBOOK_HUB';
const GROUP_ENV = 'TRAINBOOK_GROUP';
const TAG_VALUES_ENV = 'TRAINBOOK_TAG_VALUES';

/**
 * The notebook's path from the queue, inside the project's folder, or null when it would leave it
 * (a path is data from the hub: never absolute, never `..`). Pure.
 *
 * @example
 * queuedNotebookPath('/w', 'exp/train.ipynb'); // '/w/exp/train.ipynb'
 * queuedNotebookPath('/w', '../etc/x.ipynb');  // null
 */
export function queuedNotebookPath(cwd: string, notebook: string): string | null {
  if (notebook === '' || notebook.includes('\u0000') || path.isAbsolute(notebook) || notebook.split(/[\\/]/).some((part) => part === '..')) return null;
  return path.join(cwd, notebook);
}

/** Where a job's executed notebook goes: beside the notebook, named after the job. Pure. */
export function executedNotebookPath(notebook: string, jobId: string): string {
  const parsed = path.parse(notebook);
  return path.join(parsed.dir, `${parsed.name}.${jobId}${parsed.ext || '.ipynb'}`);
}

/** Runs jobs until told to stop, out of jobs (`exitWhenEmpty`) or at `maxJobs`. */
export async function runWorker(module: HubModule, hub: Hub, options: WorkerOptions): Promise<WorkerResult> {
  const name = module.workerName(os.hostname(), process.pid);
  const result: WorkerResult = { jobs: [] };
  await hub.withClient((client) => module.checkQueueSchema(client, hub.label));
  const wakers = new Set<() => void>();
  const wakeAll = (): void => {
    for (const wake of [...wakers]) wake();
  };
  const listener = await module.listenForJobs(hub, wakeAll).catch((error: unknown) => {
    options.log(`trainbook worker: cannot listen for new jobs (${(error as Error).message}); looking every ${options.pollMs} ms instead.\n`);
    return null;
  });
  options.signal.addEventListener('abort', wakeAll, { once: true });
  const idle = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });
  // Checked once per kernel, without blocking: the lease's heartbeat must go on meanwhile.
  const checkedKernels = new Map<string, Promise<void>>();
  let taken = 0;
  let hubDown = false;
  const onHubError = async (error: unknown): Promise<void> => {
    if (!hubDown) options.log(`trainbook worker: ${(error as Error).message} (trying again)\n`);
    hubDown = true;
    await idle(Math.max(options.pollMs, 1000));
  };

  options.log(`trainbook worker ${name}: waiting for jobs${options.sweepId ? ` of sweep ${options.sweepId}` : ''} on ${hub.label}\n`);
  const slot = async (): Promise<void> => {
    while (!options.signal.aborted) {
      if (options.maxJobs !== null && taken >= options.maxJobs) return;
      taken++;
      let claimed: ClaimedJob | null;
      try {
        await module.reapExpiredLeases(hub);
        claimed = await module.claimJob(hub, { worker: name, host: os.hostname(), sweepId: options.sweepId, leaseSeconds: options.leaseSeconds });
        hubDown = false;
      } catch (error) {
        taken--;
        if (!(error instanceof module.HubError) || error.code !== 'hub-unreachable') throw error;
        await onHubError(error);
        continue;
      }
      if (!claimed) {
        taken--;
        if (options.exitWhenEmpty) {
          // Jobs running elsewhere may still come back (a dead worker's, when its lease runs out).
          const counts = await module.queueCounts(hub, options.sweepId).catch(() => ({ queued: 1, running: 1 }));
          if (counts.queued === 0 && counts.running === 0) return;
        }
        await idle(options.pollMs);
        continue;
      }
      const kernel = claimed.sweep.kernel;
      if (!checkedKernels.has(kernel)) checkedKernels.set(kernel, checkJupyterAsync(options.python, kernel, options.env));
      result.jobs.push({ jobId: claimed.jobId, state: await runClaimed(module, hub, claimed, checkedKernels.get(kernel)!, options) });
    }
  };
  try {
    await Promise.all(Array.from({ length: options.parallel }, slot));
  } finally {
    listener?.close();
  }
  return result;
}

/** Runs one claimed job, heartbeating, and reports how it ended. */
async function runClaimed(module: HubModule, hub: Hub, claimed: ClaimedJob, kernelChecked: Promise<void>, options: WorkerOptions): Promise<WorkerResult['jobs'][number]['state']> {
  const ref = { jobId: claimed.jobId, attempt: claimed.attempt, worker: claimed.worker };
  const label = `job ${claimed.number} (${paramsLabel(claimed.params)}) of ${claimed.sweep.name}`;
  const notebook = queuedNotebookPath(options.cwd, claimed.sweep.notebook);
  if (notebook === null) {
    await module.finishAttempt(hub, ref, { state: 'failed', runIds: [], error: `the notebook path ${JSON.stringify(claimed.sweep.notebook)} leaves the project's folder` });
    options.log(`trainbook worker: ${label}: refused: its notebook path leaves the project's folder\n`);
    return 'failed';
  }
  const notebookName = path.basename(notebook);
  const tagValues = module.jobTagValues(claimed.sweep.id, claimed.jobId, claimed.attempt);
  let job;
  try {
    const nb = parseNotebook(claimed.sweep.content, notebookName);
    job = planJobs(nb, notebookName, [claimed.params], [executedNotebookPath(notebook, claimed.jobId)])[0]!;
  } catch (error) {
    await module.finishAttempt(hub, ref, { state: 'failed', runIds: [], error: (error as Error).message });
    options.log(`trainbook worker: ${label}: failed: ${(error as Error).message}\n`);
    return 'failed';
  }
  job.number = claimed.number;
  fs.mkdirSync(path.dirname(notebook), { recursive: true });
  const storeDir = storeDirForNotebook(notebook);
  const before = new Set(listStoreRuns(storeDir).map((run) => run.record.id));
  // Runs started from now on (ids sort by time; a second of slack for clocks read apart).
  const since = newRunId(new Date(Date.now() - 1000)).slice(0, 18);
  const taggedRuns = (): string[] => runsOfAttempt(storeDir, since, claimed.jobId, claimed.attempt);

  const controller = new AbortController();
  let stopReason: 'interrupted' | 'cancelled' | 'lost' | null = null;
  const stop = (reason: 'interrupted' | 'cancelled' | 'lost'): void => {
    stopReason ??= reason;
    controller.abort();
  };
  const onSignal = (): void => stop('interrupted');
  options.signal.addEventListener('abort', onSignal, { once: true });
  if (options.signal.aborted) stop('interrupted');
  let beating = false;
  const beat = (): void => {
    if (beating) return;
    beating = true;
    module
      .renewLease(hub, ref, options.leaseSeconds, taggedRuns())
      .then((lease) => {
        if (lease === 'lost') {
          options.log(`trainbook worker: ${label}: the lease ran out (the hub gave the job to another worker); stopping it\n`);
          stop('lost');
        } else if (lease === 'cancelled') {
          options.log(`trainbook worker: ${label}: the sweep was cancelled; stopping it\n`);
          stop('cancelled');
        }
      })
      .catch((error: unknown) => options.log(`trainbook worker: ${label}: heartbeat failed: ${(error as Error).message}\n`))
      .finally(() => {
        beating = false;
      });
  };
  beat();
  const heartbeat = setInterval(beat, options.heartbeatSeconds * 1000);

  options.log(`trainbook worker: ${label}: started (attempt ${claimed.attempt})\n`);
  let progress: JobProgress = newProgress(claimed.number, claimed.params, job.cells);
  const timings = new Map<number, CellTiming>();
  try {
    try {
      await kernelChecked;
    } catch (error) {
      // This machine cannot run the job: it goes back to the queue for another worker, and this one stops.
      await module.finishAttempt(hub, ref, { state: 'interrupted', runIds: [], error: (error as Error).message });
      throw error;
    }
    await executeJobs([job], {
      python: options.python,
      cwd: path.dirname(notebook),
      kernel: claimed.sweep.kernel,
      timeout: claimed.sweep.timeoutSeconds,
      session: notebook,
      parallel: 1,
      env: { ...options.env, [HUB_ENV]: options.hubUrl, [GROUP_ENV]: claimed.sweep.id, [TAG_VALUES_ENV]: JSON.stringify(tagValues) },
      signal: controller.signal,
      dieWithParent: true,
      onEvent: (_job, event) => {
        const now = Date.now();
        noteCellTiming(timings, event, now);
        progress = applyEvent(progress, event, now);
      },
    });
  } catch (error) {
    clearInterval(heartbeat);
    throw error;
  } finally {
    options.signal.removeEventListener('abort', onSignal);
  }

  const made = recordExecutions(job, progress, timings, storeDir, notebookName, options.log, { group: claimed.sweep.id, tagValues });
  const outcome = jobOutcomes([job], new Map([[job, progress]]), storeDir, before)[0]!;
  const runIds = [...new Set([...outcome.runs.map((run) => run.record.id), ...made, ...taggedRuns()])];
  await pushRuns(module, hub, storeDir, runIds, options.log);

  const state = progress.state === 'completed' ? 'completed' : progress.state === 'failed' ? 'failed' : stopReason === 'cancelled' ? 'cancelled' : 'interrupted';
  const seconds = progress.startedAt !== null && progress.endedAt !== null ? ` in ${((progress.endedAt - progress.startedAt) / 1000).toFixed(1)}s` : '';
  if (stopReason === 'lost') {
    clearInterval(heartbeat);
    options.log(`trainbook worker: ${label}: stopped; its lease was lost, so another attempt gives its result\n`);
    return 'lost';
  }
  const error = jobError(progress);
  // The lease is held (heartbeat still going) until the attempt is ended.
  const next = await finishWithRetries(module, hub, ref, { state, runIds, error }).finally(() => clearInterval(heartbeat));
  const runs = runIds.length > 0 ? ` (run ${runIds.join(', ')})` : '';
  const after = next === 'queued' ? '; back in the queue' : next === null ? '; its lease was lost meanwhile' : '';
  options.log(`trainbook worker: ${label}: ${state}${seconds}${runs}${error ? `: ${error}` : ''}${after}\n`);
  return state;
}

/** The job's error as one line (the failed cell's, or what stopped the driver). */
function jobError(progress: JobProgress): string | null {
  if (progress.failure) {
    const where = progress.failure.cell === null ? 'the kernel' : `cell ${progress.failure.cell + 1}`;
    return `${where}: ${progress.failure.ename}: ${progress.failure.evalue}`;
  }
  return progress.notes.length > 0 ? progress.notes.join('; ') : null;
}

/** The ids of the runs in the store started since `since` (a run id prefix) and tagged with this attempt. */
function runsOfAttempt(storeDir: string, since: string, jobId: string, attempt: number): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(storeDir, RUNS_DIR)).filter((name) => name >= since);
  } catch {
    return [];
  }
  return names.filter((name) => {
    const record = readRunRecord(path.join(storeDir, RUNS_DIR, name));
    return typeof record === 'object' && record !== null && record.tagValues?.job === jobId && record.tagValues?.attempt === attempt;
  });
}

/** The last push of each run (the kernel pushed them live; runs made for cells and final states too). */
async function pushRuns(module: HubModule, hub: Hub, storeDir: string, runIds: readonly string[], log: (line: string) => void): Promise<void> {
  for (const id of runIds) {
    try {
      await module.pushRun(hub, localRunSource(storeDir, path.join(storeDir, RUNS_DIR, id), id));
    } catch (error) {
      log(`trainbook worker: run ${id} not pushed (${(error as Error).message}); \`trainbook push\` sends it later\n`);
    }
  }
}

/** Ends the attempt, trying again for a while when the hub cannot be reached. */
async function finishWithRetries(module: HubModule, hub: Hub, ref: Parameters<HubModule['finishAttempt']>[1], result: Parameters<HubModule['finishAttempt']>[2]) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await module.finishAttempt(hub, ref, result);
    } catch (error) {
      if (attempt >= 10 || !(error instanceof module.HubError) || error.code !== 'hub-unreachable') throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
