/**
 * The run context the JupyterLab extension sets in the kernel right before it runs a cell tagged
 * as an experiment (a silent execute of `globalThis.__trainbook_context = {...}`), and clears
 * after. `init()` reads it, so a run links to its cell, experiment and parameters-cell values
 * without arguments. Its shape is checked: the value comes from outside this process.
 */
import { type CellInfo, isObject, copyNames, nameRecord } from 'trainbook/core';

export const CONTEXT_GLOBAL = '__trainbook_context';

export interface CellContext {
  /** Notebook path as the server knows it (relative to its root). */
  notebook: string | null;
  cell: CellInfo;
  experiment: string | null;
  /** Values read from the notebook's `parameters` cell. */
  params: Record<string, unknown>;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The run context the extension (or `trainbook run`) set in this kernel, or null when there is none or it is malformed. */
export function readCellContext(scope: Record<string, unknown> = globalThis as Record<string, unknown>): CellContext | null {
  const value = scope[CONTEXT_GLOBAL];
  if (!isObject(value) || !isObject(value.cell)) return null;
  const cell = value.cell;
  return {
    notebook: text(value.notebook),
    cell: {
      id: text(cell.id),
      source: text(cell.source),
      executionCount: typeof cell.executionCount === 'number' ? cell.executionCount : null,
    },
    experiment: text(value.experiment),
    // The values' own keys only, in a record with no prototype: names are data.
    params: isObject(value.params) ? copyNames(value.params) : nameRecord(),
  };
}
