/**
 * What a headless job leaves behind, read and written after it ends: the executions of its
 * experiment cells (and a run for each one that never called the SDK), and which runs each job
 * recorded. Shared by `trainbook run` and `trainbook worker`. I/O: reads the executed notebooks and
 * the store.
 */
import * as fs from 'node:fs';
import { linkedRunIds, RUN_MIME, type TagValues } from 'trainbook/core';
import { openStore, type RunSummary } from '../store/reader.js';
import { writeExecutionRecord, writeFinishedRun } from '../store/finishedRuns.js';
import { experimentExecutions, type CellTiming } from './executions.js';
import type { NotebookJson } from './notebook.js';
import type { HeadlessJob } from './plan.js';
import type { JobProgress } from './progress.js';
import type { JobOutcome } from './summary.js';

/** The group and tags a run made for a cell gets (a sweep's job's, for a worker). */
export interface RunLabels {
  group: string | null;
  tagValues: TagValues;
}

/**
 * Records each execution of an experiment cell of the job's executed notebook in the store, and a
 * run for each one that never called the SDK, as the JupyterLab extension does. Returns the ids of
 * the runs it made.
 */
export function recordExecutions(
  job: HeadlessJob,
  progress: JobProgress,
  timings: Map<number, CellTiming>,
  storeDir: string,
  notebookName: string,
  warn: (line: string) => void,
  labels: RunLabels | null = null,
): string[] {
  let executed: NotebookJson;
  try {
    executed = JSON.parse(fs.readFileSync(job.output, 'utf8')) as NotebookJson;
  } catch {
    return []; // The driver could not start or save: nothing ran to record.
  }
  const made: string[] = [];
  try {
    for (const { execution, run } of experimentExecutions(executed, timings, { notebook: notebookName, params: job.injection.effective, failure: progress.failure })) {
      if (run) {
        if (labels) {
          run.record.group ??= labels.group;
          if (Object.keys(labels.tagValues).length > 0) run.record.tagValues = { ...labels.tagValues, ...run.record.tagValues };
        }
        writeFinishedRun(storeDir, notebookName, run.record, run.events);
        made.push(run.record.id);
      }
      writeExecutionRecord(storeDir, notebookName, execution);
    }
  } catch (error) {
    warn(`trainbook: warning: job ${job.number}: could not record the experiment cells' executions: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return made;
}

/** The runs of a store (none when it does not exist or cannot be read). */
export function listStoreRuns(storeDir: string): RunSummary[] {
  if (!fs.existsSync(storeDir)) return [];
  try {
    return openStore(storeDir).list().runs;
  } catch {
    return [];
  }
}

/**
 * The runs each job recorded: those its executed notebook's outputs show (the SDK's live output
 * names its run), else the new runs in the store whose params match the job's.
 */
export function jobOutcomes(jobs: readonly HeadlessJob[], progress: Map<HeadlessJob, JobProgress>, storeDir: string, before: Set<string>): JobOutcome[] {
  const runs = listStoreRuns(storeDir);
  const byId = new Map(runs.map((run) => [run.record.id, run]));
  const claimed = new Set<string>();
  const linked = jobs.map((job) => {
    let ids: string[] = [];
    try {
      const executed = JSON.parse(fs.readFileSync(job.output, 'utf8')) as NotebookJson;
      ids = linkedRunIds(
        executed.cells.flatMap((cell) => (Array.isArray(cell.outputs) ? cell.outputs : [])),
        RUN_MIME,
      ).filter((id) => byId.has(id));
    } catch {
      // No executed notebook (the driver could not start): fall back to the store.
    }
    for (const id of ids) claimed.add(id);
    return ids;
  });
  return jobs.map((job, i) => {
    let ids = linked[i]!;
    if (ids.length === 0) {
      const matches = (run: RunSummary): boolean =>
        Object.entries(job.params).every(([key, value]) => JSON.stringify(run.record.params[key]) === JSON.stringify(value));
      ids = runs.filter((run) => !before.has(run.record.id) && !claimed.has(run.record.id) && matches(run)).map((run) => run.record.id);
      for (const id of ids) claimed.add(id);
    }
    return {
      progress: progress.get(job)!,
      output: job.output,
      runs: ids.map((id) => byId.get(id)!).map((run) => ({ record: run.record, status: run.status })),
    };
  });
}
