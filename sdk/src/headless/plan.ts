/**
 * The jobs of a `trainbook run`, ready for the driver: for each point of the grid, the notebook
 * with its injected cell, where its executed copy goes, and the run context to set before each
 * cell. Pure.
 *
 * Every code cell gets the context (notebook, cell, params): in a headless run there is no one to
 * tag cells, and `trainbook.init()` anywhere in the notebook should record the params it ran with.
 * A cell tagged `experiment` / `experiment:<name>` also names the experiment, as in JupyterLab.
 */
import { experimentFromTags } from 'trainbook/core';
import { contextCode, FAILURE_CODE, INTERRUPT_CODE, SUCCESS_CODE } from './kernelCode.js';
import { injectParameters, type Injection } from './inject.js';
import { cellSource, cellTags, runnableCells, type NotebookJson } from './notebook.js';

export interface HeadlessJob {
  /** 1-based, as shown to people. */
  number: number;
  /** The params given for this job (-p and its grid point). */
  params: Record<string, unknown>;
  injection: Injection;
  /** Where the executed notebook is written. */
  output: string;
  /** Code cells the kernel runs. */
  cells: number;
  /** Code to run silently before cell i. */
  before: Record<number, string>;
}

/** What the Python driver reads on stdin (see sdk/python/execute_notebook.py). */
export interface DriverJob {
  notebook: NotebookJson;
  output: string;
  cwd: string;
  kernel: string;
  timeout: number | null;
  session: string;
  before: Record<string, string>;
  on_success: string;
  on_failure: string;
  on_interrupt: string;
  /** Kill the kernel as soon as this process (the worker) is gone. */
  parent_pid?: number;
}

/**
 * One job per params set.
 *
 * @example
 * planJobs(nb, 'train.ipynb', [{ lr: 0.1 }, { lr: 0.01 }], ['/w/a.ipynb', '/w/b.ipynb']);
 */
export function planJobs(nb: NotebookJson, notebookName: string, paramSets: ReadonlyArray<Record<string, unknown>>, outputs: readonly string[]): HeadlessJob[] {
  return paramSets.map((params, i) => {
    const injection = injectParameters(nb, params);
    const runnable = runnableCells(injection.notebook);
    const before: Record<number, string> = {};
    runnable.forEach((index, ordinal) => {
      const cell = injection.notebook.cells[index]!;
      before[index] = contextCode({
        notebook: notebookName,
        cell: { id: typeof cell.id === 'string' ? cell.id : null, source: cellSource(cell), executionCount: ordinal + 1 },
        experiment: experimentFromTags(cellTags(cell)) || null,
        params: injection.effective,
      });
    });
    return { number: i + 1, params, injection, output: outputs[i]!, cells: runnable.length, before };
  });
}

/** The driver's input for a job. */
export function driverJob(job: HeadlessJob, options: { cwd: string; kernel: string; timeout: number | null; session: string; parentPid?: number | null }): DriverJob {
  return {
    notebook: job.injection.notebook,
    output: job.output,
    cwd: options.cwd,
    kernel: options.kernel,
    // nbclient takes whole seconds.
    timeout: options.timeout === null ? null : Math.ceil(options.timeout),
    session: options.session,
    before: Object.fromEntries(Object.entries(job.before)),
    on_success: SUCCESS_CODE,
    on_failure: FAILURE_CODE,
    on_interrupt: INTERRUPT_CODE,
    ...(options.parentPid ? { parent_pid: options.parentPid } : {}),
  };
}
