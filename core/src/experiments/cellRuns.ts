/**
 * A tagged cell's executions as the extension records them: the execution record
 * (`executions/<id>.json`), the runs its outputs point to, and the run record of a cell that
 * never called the SDK. Pure.
 */
import { bareRunRecord } from '../format/records.js';
import { isRunId } from '../format/ids.js';
import { flattenParams, mergeParams, type FlatParams } from '../format/params.js';
import { nameRecord } from '../format/names.js';
import { STORE_FORMAT, type CellInfo, type RunEvent, type RunRecord } from '../format/types.js';

/** The run ids that a cell's outputs show (`application/vnd.trainbook.run+json` → run.id). */
export function linkedRunIds(outputs: readonly unknown[], mime: string): string[] {
  const ids: string[] = [];
  for (const output of outputs) {
    if (typeof output !== 'object' || output === null) continue;
    const data = (output as { data?: unknown }).data;
    if (typeof data !== 'object' || data === null) continue;
    const payload = (data as Record<string, unknown>)[mime];
    const run = typeof payload === 'object' && payload !== null ? (payload as { run?: unknown }).run : null;
    const id = typeof run === 'object' && run !== null ? (run as { id?: unknown }).id : null;
    if (typeof id === 'string' && isRunId(id) && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** One execution of a tagged cell, as the extension records it (`executions/<id>.json`). */
export interface ExecutionRecord {
  format: number;
  id: string;
  notebook: string | null;
  experiment: string | null;
  cell: CellInfo;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  success: boolean;
  error: { ename: string; evalue: string } | null;
  /** Runs the cell's outputs point to; the extension's own run when the cell made none. */
  runs: string[];
  /** True when the extension wrote the run itself (the cell never called the SDK). */
  synthesized: boolean;
  params: FlatParams;
}

export interface CellExecution {
  notebook: string | null;
  experiment: string | null;
  cell: CellInfo;
  params: Record<string, unknown>;
  start: Date;
  end: Date;
  success: boolean;
  error: { ename: string; evalue: string } | null;
}

/** Params of a parameters cell, flattened; values that cannot be stored are dropped, not thrown. */
export function safeFlatParams(params: Record<string, unknown>): FlatParams {
  try {
    return flattenParams(params);
  } catch {
    const kept: FlatParams[] = [];
    for (const [key, value] of Object.entries(params)) {
      try {
        kept.push(flattenParams(nameRecord([[key, value]])));
      } catch {
        // A value the store cannot hold (a collision) is left out.
      }
    }
    return mergeParams(...kept);
  }
}

/** A full run record for an execution of a tagged cell that never called the SDK. */
export function cellRunRecord(id: string, execution: CellExecution, executionId: string): RunRecord {
  const status = execution.success ? 'completed' : 'failed';
  return bareRunRecord({
    id,
    name: execution.experiment || `cell ${execution.cell.executionCount ?? ''}`.trim(),
    experiment: execution.experiment,
    metadata: { source: 'jupyterlab', execution: executionId },
    params: mergeParams(safeFlatParams(execution.params)),
    notebook: execution.notebook,
    cell: execution.cell,
    status,
    startedAt: execution.start.toISOString(),
    endedAt: execution.end.toISOString(),
    heartbeatAt: execution.end.toISOString(),
    error: execution.error ? { name: execution.error.ename, message: execution.error.evalue, stack: null } : null,
    writer: { pid: -1, host: 'jupyterlab' },
  });
}

/** The status events of such a run (running at the start, then its end). */
export function cellRunEvents(execution: CellExecution): RunEvent[] {
  const end: RunEvent = execution.success
    ? { type: 'status', time: execution.end.getTime(), status: 'completed' }
    : { type: 'status', time: execution.end.getTime(), status: 'failed', error: { name: execution.error?.ename ?? 'Error', message: execution.error?.evalue ?? '', stack: null } };
  return [{ type: 'status', time: execution.start.getTime(), status: 'running' }, end];
}

export function executionRecord(id: string, execution: CellExecution, runs: string[], synthesized: boolean): ExecutionRecord {
  return {
    format: STORE_FORMAT,
    id,
    notebook: execution.notebook,
    experiment: execution.experiment,
    cell: execution.cell,
    startedAt: execution.start.toISOString(),
    endedAt: execution.end.toISOString(),
    durationMs: Math.max(0, execution.end.getTime() - execution.start.getTime()),
    success: execution.success,
    error: execution.error,
    runs,
    synthesized,
    params: safeFlatParams(execution.params),
  };
}
