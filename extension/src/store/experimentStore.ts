/**
 * The extension's store: a thin shell that runs the core's one reader and finished-run writer
 * (`listRuns`, `readRun`, `writeFinishedRun`, `writeExecution`) over the Contents API
 * (`ContentsFiles`, which holds the link guarantees) with `runAsync`. One `ContentsFiles` and one
 * listing cache (unchanged runs are not read again, by their folder's last_modified) per store.
 */
import type { Contents } from '@jupyterlab/services';
import { isRunId, listRuns, newListingCache, readRun, runAsync, storeDirOfNotebook, writeExecution, writeFinishedRun, type ExecutionRecord, type ListingCache, type RunContents, type RunEvent, type RunOutput, type RunRecord, type Series } from 'trainbook/core';
import { ContentsFiles, StoreFolderError } from '../store/contentsFiles.js';

export { StoreFolderError };

export interface StoredRun {
  record: RunRecord;
  /** The run folder's last_modified, to skip re-reading unchanged runs. */
  modified: string;
}

export interface RunListing {
  /** Sorted by start time, then id (as everywhere). */
  runs: StoredRun[];
  /** Runs that could not be read: shown, never thrown. */
  problems: Array<{ id: string; reason: string }>;
  /** Archive name per archived run id (`trainbook archive`), by the core's one archive rule. */
  archives: Map<string, string>;
}

export class ExperimentStore {
  private readonly stores = new Map<string, { files: ContentsFiles; cache: ListingCache }>();

  constructor(private readonly contents: Contents.IManager) {}

  /** Every run of the notebook's store; unchanged runs come from the cache. A missing store is empty. */
  async listRuns(notebookPath: string): Promise<RunListing> {
    const { files, cache } = this.storeOf(notebookPath);
    const listing = await runAsync(listRuns({ now: Date.now(), cache }), files);
    return {
      runs: listing.runs.map((run) => ({ record: run.record, modified: run.modified ?? '' })),
      problems: listing.problems.map((problem) => ({ id: problem.runId, reason: problem.reason })),
      archives: new Map(listing.runs.flatMap((run) => (run.archive ? [[run.record.id, run.archive.name] as const] : []))),
    };
  }

  /** A run's metric series from its events.jsonl (torn or damaged lines are skipped). */
  async readSeries(notebookPath: string, runId: string): Promise<Map<string, Series>> {
    return (await this.readContents(notebookPath, runId))?.series ?? new Map();
  }

  /** What a run's process printed while it was active. */
  async readOutput(notebookPath: string, runId: string): Promise<RunOutput> {
    return (await this.readContents(notebookPath, runId))?.output ?? { chunks: [], cutAfterBytes: null };
  }

  /** Writes a run the extension made (a tagged cell that never called the SDK): aside, then renamed into place. */
  async writeRun(notebookPath: string, record: RunRecord, events: RunEvent[]): Promise<void> {
    await runAsync(writeFinishedRun(record, events, { notebook: notebookName(notebookPath) }), this.storeOf(notebookPath).files);
  }

  /** One file per execution of a tagged cell: `executions/<id>.json`. Never rewritten. */
  async writeExecution(notebookPath: string, execution: ExecutionRecord): Promise<void> {
    await runAsync(writeExecution(execution, notebookName(notebookPath)), this.storeOf(notebookPath).files);
  }

  private async readContents(notebookPath: string, runId: string): Promise<RunContents | null> {
    if (!isRunId(runId)) return null;
    return runAsync(readRun(runId), this.storeOf(notebookPath).files);
  }

  private storeOf(notebookPath: string): { files: ContentsFiles; cache: ListingCache } {
    const dir = storeDirOfNotebook(notebookPath);
    let store = this.stores.get(dir);
    if (!store) {
      store = { files: new ContentsFiles(this.contents, dir), cache: newListingCache() };
      this.stores.set(dir, store);
    }
    return store;
  }
}

function notebookName(notebookPath: string): string {
  return notebookPath.slice(notebookPath.lastIndexOf('/') + 1);
}
