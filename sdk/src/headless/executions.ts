/**
 * The executions of experiment cells in a headless run, as the JupyterLab extension records them:
 * one per cell tagged `experiment` / `experiment:<name>` that ran, with its start, end, success or
 * error and the runs its outputs point to; a cell that never called the SDK gets a run of its own.
 * Pure: the command writes what this returns.
 */
import { cellRunEvents, cellRunRecord, executionRecord, experimentFromTags, linkedRunIds, type CellExecution, type ExecutionRecord, newRunId, type RunEvent, type RunRecord, RUN_MIME } from 'trainbook/core';
import { cellSource, cellTags, type NotebookJson } from './notebook.js';
import type { DriverEvent, JobFailure } from './progress.js';

/** When a cell started and ended (ms since the epoch), from the driver's events as they arrive. */
export interface CellTiming {
  start: number;
  end: number | null;
}

/** Notes a driver event's time against its cell. */
export function noteCellTiming(timings: Map<number, CellTiming>, event: DriverEvent, now: number): void {
  if (event.type !== 'cell') return;
  if (event.state === 'running') timings.set(event.index, { start: now, end: null });
  else {
    const timing = timings.get(event.index);
    if (timing) timing.end = now;
  }
}

export interface RecordedExecution {
  execution: ExecutionRecord;
  /** The run made for a cell whose outputs point to none, with its events. */
  run: { record: RunRecord; events: RunEvent[] } | null;
}

/**
 * What to record for the experiment cells of one executed notebook.
 *
 * @example
 * experimentExecutions(executed, timings, { notebook: 'train.ipynb', params: { lr: 0.1 }, failure: null });
 */
export function experimentExecutions(
  executed: NotebookJson,
  timings: ReadonlyMap<number, CellTiming>,
  context: { notebook: string; params: Record<string, unknown>; failure: JobFailure | null },
): RecordedExecution[] {
  const recorded: RecordedExecution[] = [];
  executed.cells.forEach((cell, index) => {
    if (cell.cell_type !== 'code') return;
    const experiment = experimentFromTags(cellTags(cell));
    const timing = timings.get(index);
    if (experiment === null || !timing) return;
    const failed = context.failure !== null && context.failure.cell === index;
    const end = timing.end ?? timing.start;
    const execution: CellExecution = {
      notebook: context.notebook,
      experiment: experiment || null,
      cell: {
        id: typeof cell.id === 'string' ? cell.id : null,
        source: cellSource(cell),
        executionCount: typeof cell.execution_count === 'number' ? cell.execution_count : null,
      },
      params: context.params,
      start: new Date(timing.start),
      end: new Date(end),
      success: !failed && timing.end !== null,
      error: failed ? { ename: context.failure!.ename, evalue: context.failure!.evalue } : timing.end === null ? { ename: 'Interrupted', evalue: 'the cell did not finish' } : null,
    };
    const linked = linkedRunIds(Array.isArray(cell.outputs) ? cell.outputs : [], RUN_MIME);
    const executionId = newRunId(execution.end);
    let run: RecordedExecution['run'] = null;
    let runs = linked;
    if (linked.length === 0) {
      const record = cellRunRecord(newRunId(execution.start), execution, executionId);
      record.metadata = { ...record.metadata, source: 'trainbook run' };
      record.writer = { pid: -1, host: 'trainbook run' };
      let events = cellRunEvents(execution);
      if (timing.end === null) {
        // The job was stopped while this cell ran: the run was interrupted, not failed.
        record.status = 'interrupted';
        events = events.map((event) => (event.type === 'status' && event.status === 'failed' ? { ...event, status: 'interrupted' } : event));
      }
      run = { record, events };
      runs = [record.id];
    }
    recorded.push({ execution: executionRecord(executionId, execution, runs, linked.length === 0), run });
  });
  return recorded;
}
