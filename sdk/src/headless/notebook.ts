/**
 * The parts of the Jupyter notebook format (nbformat 4) that `trainbook run` reads and writes.
 * Pure: parsing takes text, never a path.
 */
import { NotebookFormatError } from 'trainbook/core';

export interface NotebookCell {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata?: Record<string, unknown> & { tags?: unknown };
  outputs?: unknown[];
  execution_count?: number | null;
  [key: string]: unknown;
}

export interface NotebookJson {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
  [key: string]: unknown;
}

/**
 * Reads notebook JSON, refusing what is not an nbformat 4 notebook.
 *
 * @example
 * const nb = parseNotebook(fs.readFileSync('train.ipynb', 'utf8'), 'train.ipynb');
 */
export function parseNotebook(text: string, name: string): NotebookJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new NotebookFormatError(`${name} is not a notebook: it is not valid JSON (${(error as Error).message}). Open and save it in JupyterLab to repair it.`, { cause: error });
  }
  const nb = value as Partial<NotebookJson> | null;
  if (typeof nb !== 'object' || nb === null || !Array.isArray(nb.cells) || typeof nb.nbformat !== 'number') {
    throw new NotebookFormatError(`${name} is not a Jupyter notebook (no "cells" or "nbformat"). Pass the .ipynb file to run.`);
  }
  if (nb.nbformat < 4) throw new NotebookFormatError(`${name} uses nbformat ${nb.nbformat}; trainbook runs nbformat 4 notebooks. Open and save it in JupyterLab to upgrade it.`);
  if (nb.cells.some((cell) => typeof cell !== 'object' || cell === null || typeof (cell as NotebookCell).cell_type !== 'string')) {
    throw new NotebookFormatError(`${name} has a cell without a cell_type; open and save it in JupyterLab to repair it.`);
  }
  return { ...nb, metadata: typeof nb.metadata === 'object' && nb.metadata !== null ? nb.metadata : {} } as NotebookJson;
}

/** A cell's source as one string (nbformat allows a list of lines). */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : typeof cell.source === 'string' ? cell.source : '';
}

/** A cell's tags as strings. */
export function cellTags(cell: NotebookCell): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** The cells the kernel will run, in order: code cells that are not blank (as nbclient skips blank ones). */
export function runnableCells(nb: NotebookJson): number[] {
  return nb.cells.flatMap((cell, index) => (cell.cell_type === 'code' && cellSource(cell).trim() !== '' ? [index] : []));
}
