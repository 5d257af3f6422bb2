/**
 * The runs of one notebook's store, as the runs panel and the cell badges see them: every read
 * goes through `ExperimentStore`; holds state and emits `changed`, widgets only show it.
 */
import { Signal, type ISignal } from '@lumino/signaling';
import type { RunRecord } from 'trainbook/core';
import type { ExperimentStore, RunListing } from '../store/experimentStore.js';
import type { INotebookRuns } from '../tokens.js';

export class NotebookRuns implements INotebookRuns {
  private _records: RunRecord[] = [];
  private _problems: RunListing['problems'] = [];
  private _archives: RunListing['archives'] = new Map();
  private _error: string | null = null;
  private _loaded = false;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private readonly _changed = new Signal<this, void>(this);

  constructor(
    private readonly store: ExperimentStore,
    private _path: string,
  ) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get path(): string {
    return this._path;
  }
  /** The notebook was renamed: its store moves with it on the next read. */
  set path(value: string) {
    this._path = value;
  }
  get records(): readonly RunRecord[] {
    return this._records;
  }
  get problems(): RunListing['problems'] {
    return this._problems;
  }
  get error(): string | null {
    return this._error;
  }
  get loaded(): boolean {
    return this._loaded;
  }

  /** The archive name of a run kept with `trainbook archive`, else null. */
  archiveOf(runId: string): string | null {
    return this._archives.get(runId) ?? null;
  }

  /** Runs per cell id, for the badges. */
  countForCell(cellId: string): number {
    let count = 0;
    for (const record of this._records) if (record.cell?.id === cellId) count++;
    return count;
  }

  /** Reads the store again; calls that arrive while a read runs share one follow-up read. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      do {
        this.again = false;
        try {
          const listing = await this.store.listRuns(this._path);
          this._records = listing.runs.map((r) => r.record);
          this._problems = listing.problems;
          this._archives = listing.archives;
          this._error = null;
        } catch (error) {
          this._error = error instanceof Error ? error.message : String(error);
        }
        this._loaded = true;
        this._changed.emit();
      } while (this.again);
    })().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }
}
