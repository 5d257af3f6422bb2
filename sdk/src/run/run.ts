import { type FlatParams, type RunError, type RunProgress, type RunRecord, type RunStatus, type Series, type TagValues, nameRecord, setName } from 'trainbook/core';
import type { RunFiles } from '../store/runFiles.js';
import { type Chrono } from './chrono.js';
import type { ResumeState } from './resume.js';
import { Recorder, type PointsListener, type RunAttachment } from './recorder.js';
import { createTfCallback, type TfCallback, type TfCallbackOptions } from '../tfjs/callback.js';
import { completedEpoch, saveRunModel, type ModelHost, type SavedModel, type SaveModelOptions, type SaveableModel } from '../models/save.js';
import { createKeepBest, type KeepBestCallback, type KeepBestOptions } from '../models/keepBest.js';
import { OnceWarnings } from '../console/ownLines.js';
import { detectTfjs } from './provenance.js';
import * as path from 'node:path';
import { inspect } from 'node:util';

export interface LogOptions {
  /** Whole number ≥ 0. Without it, a call gets the previous call's step + 1 (0 for the first). */
  step?: number;
  epoch?: number;
}

export interface FinishOptions {
  status?: Exclude<RunStatus, 'running'>;
  /** Marks the run failed and keeps the error's message and stack. */
  error?: unknown;
}

export interface FinishResult {
  id: string;
  name: string;
  status: RunStatus;
  dir: string;
  /** Metric points accepted by `log`. */
  points: number;
  /** What could not be written, if anything. */
  lost: RunRecord['lost'];
}

export type RunListener = (run: Run) => void;

/**
 * A training run being recorded. Made by {@link init}; every method is safe to call from a
 * training loop: bad input throws a typed error, but a failing disk never does (it is reported
 * once on stderr and counted, and `finish()` says what was lost). The public face of a
 * {@link Recorder}, which buffers, flushes and writes.
 */
export class Run {
  private readonly recorder: Recorder;
  private readonly listeners = new Set<RunListener>();
  private readonly warnings = new OnceWarnings();
  private nextStep = 0;
  private finishing: FinishResult | null = null;
  /** A resumed run's stored series, until a live display has taken them. */
  private storedSeries: Map<string, Series> | null;
  /** Listeners hear of flushes that hold only system samples or output once they have heard of something else. */
  private notified = false;

  /** @internal Use {@link init}. */
  constructor(
    private readonly record: RunRecord,
    files: RunFiles,
    private readonly onFinished: (run: Run) => void,
    private readonly resumed: ResumeState | null = null,
  ) {
    this.recorder = new Recorder(record, files, resumed);
    this.nextStep = resumed?.nextStep ?? 0;
    this.storedSeries = resumed?.series ?? null;
    // The first display waits for the user's own data, so it shows under the cell that trains.
    this.recorder.onFlush((userData) => {
      if (userData || this.notified) this.notify();
    });
  }

  get id(): string {
    return this.record.id;
  }
  get name(): string {
    return this.record.name;
  }
  get status(): RunStatus {
    return this.record.status;
  }
  /** The run's folder in the store. */
  get dir(): string {
    return this.recorder.runDir;
  }
  get params(): Readonly<FlatParams> {
    return this.record.params;
  }
  get tags(): readonly string[] {
    return this.record.tags;
  }
  /** The key-value tags given to `init({ tagValues })` (a record with no prototype; empty when none). */
  get tagValues(): Readonly<TagValues> {
    return this.record.tagValues ?? nameRecord();
  }
  /** The seed given to `init({ seed })`; a resumed run returns the stored one. Null when none was given. */
  get seed(): number | null {
    return this.record.seed ?? null;
  }
  /**
   * The epoch to continue training from: after a resume, the epoch after the last completed one;
   * 0 for a new run.
   *
   * @example
   * await model.fit(x, y, { initialEpoch: run.resumeEpoch, epochs: 10, callbacks: run.tfCallback() });
   */
  get resumeEpoch(): number {
    return this.resumed?.resumeEpoch ?? 0;
  }
  /** @internal The step a `log()` without a step would get now. */
  get nextAutoStep(): number {
    return this.nextStep;
  }
  /** The first step written after a resume (one after the largest stored step); 0 for a new run. */
  get resumeStep(): number {
    return this.resumed?.nextStep ?? 0;
  }
  /** A copy of the run's metadata as it would be written now. */
  toRecord(): RunRecord {
    return structuredClone(this.recorder.currentRecord());
  }

  /**
   * Records metric values at one step. The object is read, never kept or changed.
   *
   * @example
   * run.log({ loss: 0.31, acc: 0.9 }, { step: 12 });
   * run.log({ lr: 1e-3 });            // step = previous step + 1
   */
  log(values: Record<string, number>, options: LogOptions = {}): void {
    const { step, epoch } = options;
    this.recorder.validate(values, step, epoch);
    if (this.finishing) {
      this.warnings.warn('log-after-finish', `trainbook: run ${this.id} is finished; log() calls after finish() are ignored.`);
      return;
    }
    const at = step ?? this.nextStep;
    this.nextStep = at + 1;
    this.recorder.addPoints(values, at, Date.now(), epoch);
  }

  /**
   * Starts a timer; `stop()` records the elapsed seconds. The run reports avg/min/max/sd/count.
   *
   * @example
   * const t = run.chrono('batch_time'); await step(); t.stop();
   */
  chrono(name: string): Chrono {
    const started = performance.now();
    let elapsed: number | null = null;
    return {
      name,
      stop: () => {
        if (elapsed === null) {
          elapsed = (performance.now() - started) / 1000;
          this.recorder.addTiming(name, elapsed, Date.now());
        }
        return elapsed;
      },
    };
  }

  /** Adds tags (duplicates are ignored). */
  addTags(...tags: string[]): void {
    for (const tag of tags) if (!this.record.tags.includes(tag)) this.record.tags.push(String(tag));
    this.changed();
  }

  setNotes(notes: string): void {
    this.record.notes = String(notes);
    this.changed();
  }

  /** Merges free-form metadata (JSON values) into the run's record. */
  setMetadata(metadata: Record<string, unknown>): void {
    // Defined key by key: Object.assign would turn a "__proto__" key into the record's prototype.
    for (const [key, value] of Object.entries(JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>)) setName(this.record.metadata, key, value);
    this.changed();
  }

  /** Sets what the progress display shows; fields left out keep their value. */
  setProgress(progress: Partial<RunProgress>): void {
    const current = this.record.progress ?? { epoch: null, epochs: null, batch: null, batches: null, trainStartedAt: null, fraction: null };
    this.record.progress = { ...current, ...progress };
    this.changed();
  }

  /**
   * Callbacks for tfjs `model.fit` / `model.fitDataset`: batch metrics as `batch/<name>`, epoch
   * metrics (val_* too) under their own names, progress, and a flush at each epoch end.
   *
   * @example
   * await model.fit(x, y, { epochs: 3, callbacks: run.tfCallback() });
   */
  tfCallback(options: TfCallbackOptions = {}): TfCallback {
    return createTfCallback(this, options);
  }

  /**
   * Saves a tfjs LayersModel in the run's artifacts under `tag` (any text); the same tag again
   * replaces it atomically. Tag 'initial' before training keeps the initial weights. Throws a
   * typed error if it cannot be written, leaving an earlier snapshot of the tag intact.
   *
   * @example
   * const { bytes, path } = await run.saveModel(model, { tag: 'final' });
   */
  async saveModel(model: SaveableModel, options: SaveModelOptions): Promise<SavedModel> {
    return saveRunModel(this.modelHost(), model, options);
  }

  /**
   * A tfjs callback that saves `model` as tag 'best' each time the monitored epoch metric improves
   * (`keepInitial: true` also saves tag 'initial' when training begins).
   *
   * @example
   * await model.fit(x, y, { validationSplit: 0.2, callbacks: [run.tfCallback(), run.keepBest({ model, monitor: 'val_loss' })] });
   */
  keepBest(options: KeepBestOptions): KeepBestCallback {
    return createKeepBest(this.modelHost(), options);
  }

  /** Where saving a model puts it and what it tells the run. */
  private modelHost(): ModelHost {
    return {
      runDir: this.dir,
      runId: this.id,
      position: () => ({ step: this.nextStep > 0 ? this.nextStep - 1 : null, epoch: completedEpoch(this.record.progress) }),
      setModels: (models) => {
        this.record.models = models;
        this.recorder.writeRecord(); // now, not at the next tick: a save may come after finish()
        this.notify();
      },
      reportFailure: (error) => this.recorder.reportWriteFailure(error),
    };
  }

  /** @internal Refreshes the tfjs backend in the environment once training starts. */
  noteTfjs(): void {
    if (this.record.env) this.record.env.tfjs = detectTfjs();
    this.recorder.markDirty();
  }

  /** Writes everything pending (events and run.json) now. */
  flush(): void {
    this.recorder.flush();
  }

  /**
   * @internal Hears of every point as it is logged (live displays keep their own downsampled
   * copy); returns the unsubscribe.
   */
  onPoints(listener: PointsListener): () => void {
    return this.recorder.onPoints(listener);
  }

  /**
   * @internal A resumed run's stored series, handed out once (to the first live display, so its
   * chart goes on as one curve); empty for a new run.
   */
  takeStoredSeries(): Iterable<Series> {
    const stored = this.storedSeries;
    this.storedSeries = null;
    return stored?.values() ?? [];
  }

  /** @internal The record as it is, for live displays that read a few fields (no copy). */
  liveRecord(): Readonly<RunRecord> {
    return this.record;
  }

  /** @internal The store folder's name (e.g. `train.trainbook`). */
  storeName(): string {
    return path.basename(path.dirname(path.dirname(this.dir)));
  }

  /** What a notebook cell prints when a run is its last expression. */
  [inspect.custom](): string {
    return `Run ${JSON.stringify(this.name)} (${this.id}, ${this.status})`;
  }

  /** Subscribes to changes (new points written, progress, status); returns the unsubscribe. */
  onChange(listener: RunListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Ends the run: writes what is pending, the final status and run.json, releases the writer
   * lock. Calling it again returns the same result.
   *
   * @example
   * const { status, lost } = await run.finish();
   */
  async finish(options: FinishOptions = {}): Promise<FinishResult> {
    const result = this.finishNow(options);
    await this.recorder.settle();
    return result;
  }

  /** Ends the run as failed, keeping the error's message and stack. */
  async fail(error: unknown): Promise<FinishResult> {
    return this.finish({ status: 'failed', error });
  }

  /** @internal Synchronous finish, for process exit hooks. */
  finishNow(options: FinishOptions = {}): FinishResult {
    if (this.finishing) return this.finishing;
    const status = options.status ?? (options.error !== undefined ? 'failed' : 'completed');
    const error = options.error !== undefined ? toRunError(options.error) : null;
    const { points, lost } = this.recorder.finish(status, error);
    this.finishing = describeFinish({ id: this.id, name: this.name, status, dir: this.dir, points, lost });
    this.onFinished(this);
    this.notify();
    return this.finishing;
  }

  private changed(): void {
    this.recorder.markDirty();
    this.notify();
  }

  private notify(): void {
    this.notified = true;
    for (const listener of this.listeners) {
      try {
        listener(this);
      } catch (error) {
        this.warnings.warn('listener', `trainbook: a run listener failed: ${(error as Error).message}`);
      }
    }
  }

  /** @internal RunFiles reports each failed write here. */
  reportWriteFailure(error: unknown): void {
    this.recorder.reportWriteFailure(error);
  }

  /** @internal Records alongside the run until it finishes (see {@link RunAttachment}). */
  attach(attachment: RunAttachment): void {
    this.recorder.attach(attachment);
  }

  /**
   * @internal A system metrics sample (`sys/...`): stored like any metric, with the sample index as
   * its step, so the user's automatic step counter never sees it; live charts draw it over the
   * seconds since the run started.
   */
  logSystem(values: Record<string, number>, index: number, time: number): void {
    this.recorder.addSystemPoints(values, index, time);
  }
}

export function toRunError(error: unknown): RunError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack ?? null };
  return { name: 'Error', message: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error), stack: null };
}

/** A finish result that prints as one readable line (a notebook cell shows it when it is the last expression). */
function describeFinish(result: FinishResult): FinishResult {
  Object.defineProperty(result, inspect.custom, {
    enumerable: false,
    value: () =>
      `run ${JSON.stringify(result.name)} ${result.status}: ${result.points} points` +
      (result.lost.points || result.lost.records ? `, lost ${result.lost.points} points and ${result.lost.records} records` : ', nothing lost'),
  });
  return result;
}
