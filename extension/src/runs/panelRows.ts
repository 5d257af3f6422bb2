/**
 * The runs panel's rows: the notebooks' own runs (status from the store, the kernel and its
 * restarts, each row knowing its notebook) and the team hub's (status as the hub shows it, marked
 * remote), merged into one list. Pure: no store, no fetch, no DOM.
 */
import { rowFor, type KernelRestart, type RunRow } from 'trainbook/core';
import type { INotebookRuns, RemoteOrigin, RemoteRun } from '../tokens.js';

/** What the panel knows of the notebook's kernel. */
export interface KernelState {
  running: boolean | null;
  restart: KernelRestart | null;
}

/** One row of the panel: a run, its status to show, where it lives. */
export interface PanelRow extends RunRow {
  /** Where a team run came from (machine, user, store); null for the notebook's own runs. */
  remote: RemoteOrigin | null;
  /** The archive name of a local run kept with `trainbook archive`, else null. */
  archive: string | null;
  /** The path of the notebook whose store holds the run (its series and output are read there); null for a team run. */
  notebook: string | null;
}

/** One notebook's own runs as rows. */
export function localRows(runs: Pick<INotebookRuns, 'records' | 'archiveOf'>, nowMs: number, kernel: KernelState, notebook: string): PanelRow[] {
  return runs.records.map((record) => ({ ...rowFor(record, nowMs, kernel.running, kernel.restart), remote: null, archive: runs.archiveOf(record.id), notebook }));
}

/**
 * The runs of several notebooks, in the notebooks' order. A run keeps its id everywhere, so a run
 * found in two stores (a copied store) is shown once, from the first notebook that holds it.
 */
export function notebooksRows(notebooks: ReadonlyArray<{ path: string; runs: Pick<INotebookRuns, 'records' | 'archiveOf'>; kernel(): KernelState }>, nowMs: number): PanelRow[] {
  const seen = new Set<string>();
  const rows: PanelRow[] = [];
  for (const notebook of notebooks) {
    for (const row of localRows(notebook.runs, nowMs, notebook.kernel(), notebook.path)) {
      if (seen.has(row.record.id)) continue;
      seen.add(row.record.id);
      rows.push(row);
    }
  }
  return rows;
}

/** A team run as a row: the hub's status (it judges heartbeats by its own clock), the duration as for local runs. */
export function remoteRow(run: RemoteRun, nowMs: number): PanelRow {
  const row = rowFor(run.record, nowMs, null);
  return { ...row, status: run.status, remote: run.remote, archive: null, notebook: null };
}

/**
 * The notebook's runs, then the team's that are not the notebook's own: a run keeps its id
 * everywhere, so a run this notebook pushed is shown once, as the local one (its store is the
 * fresher copy).
 */
export function mergeRows(local: readonly PanelRow[], remote: readonly RemoteRun[], nowMs: number): PanelRow[] {
  const ids = new Set(local.map((row) => row.record.id));
  return [...local, ...remote.filter((run) => !ids.has(run.record.id)).map((run) => remoteRow(run, nowMs))];
}

/** Changes when a compared run gets a new status or params: worth a redraw at once. */
export function stateSignature(rows: readonly PanelRow[]): string {
  return JSON.stringify(rows.map(({ record: r, status }) => [r.id, status, r.endedAt, r.params, r.tags, r.tagValues ?? null, Object.keys(r.models ?? {}), r.resumes?.length ?? 0]));
}

/** Changes when a compared run also gets new points (in the store, or on the hub). */
export function pointsSignature(rows: readonly PanelRow[]): string {
  const points = rows.map(({ record, remote }) => [Object.values(record.summary).map((s) => s.count), remote ? [remote.points, remote.updatedAt] : null]);
  return `${stateSignature(rows)}|${JSON.stringify(points)}`;
}
