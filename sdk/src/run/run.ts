import { type FlatParams, HEARTBEAT_INTERVAL_MS, type RunError, type RunEvent, type RunProgress, type RunRecord, type RunStatus, type TagValues, nameRecord, setName, isSystemMetric, type LiveSeries } from 'trainbook/core';
import type { RunFiles } from '../store/runFiles.js';
import { ChronoBuffer, type Chrono } from './chrono.js';
import { MetricBuffer } from './metricBuffer.js';
import type { ResumeState } from './resume.js';
import { createTfCallback, type TfCallback, type TfCallbackOptions } from '../tfjs/callback.js';
import { completedEpoch, saveRunModel, type ModelHost, type SavedModel, type SaveModelOptions, type SaveableModel } from '../models/save.js';
import { createKeepBest, type KeepBestCallback, type KeepBestOptions } from '../models/keepBest.js';
import { detectTfjs } from './provenance.js';
import { LiveSeriesTracker } from '../live/liveSeries.js';
import { writeOwnLine } from '../console/ownLines.js';
import * as path from 'node:path';
import { inspect } from 'node:util';

/** Pending points beyond this are written at once instead of waiting for the timer. */
export const FLUSH_POINTS = 16_384;
export const FLUSH_INTERVAL_MS = 1_000;

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
 * @internal Something recording alongside a run (system metrics, output capture): its events go
 * out with the run's flushes, it may add to run.json, and it stops when the run finishes.
 */
export interface RunAttachment {
  drain?(): RunEvent[];
  annotate?(record: RunRecord): void;
  close(): void;
  /** Work that `finish()` waits for once everything is written (the hub's last push). */
  settle?(): Promise<void>;
}

/**
 * A training run being recorded. Made by {@link init}; every method is safe to call from a
 * training loop: bad input throws a typed error, but a failing disk never does (it is reported
 * once on stderr and counted, and `finish()` says what was lost).
 */
export class Run {
  private readonly metrics = new MetricBuffer();
  private readonly timers = new ChronoBuffer();
  private readonly listeners = new Set<RunListener>();
  private readonly ticker: NodeJS.Timeout;
  private nextStep = 0;
  private ticks = 0;
  private recordDirty = false;
  private reportedWriteError = false;
  private finishing: FinishResult | null = null;
  private live: LiveSeriesTracker | null = null;
  private readonly attachments: RunAttachment[] = [];
  /** System samples: all accepted, and those not yet written. */
  private systemPoints = 0;
  private systemPending = 0;
  /** A resumed run's system samples go on after the stored ones (their steps are sample indices). */
  private systemStepBase = 0;
  /** Listeners hear of flushes that hold only system samples or output once they have heard of something else. */
  private notified = false;

  /** @internal Use {@link init}. */
  constructor(
    private readonly record: RunRecord,
    private readonly files: RunFiles,
    private readonly onFinished: (run: Run) => void,
    private resumed: ResumeState | null = null,
  ) {
    this.ticker = setInterval(() => this.tick(), FLUSH_INTERVAL_MS);
    this.ticker.unref();
    if (resumed) this.continueFrom(resumed);
    this.files.writeRecord(resumed ? this.currentRecord() : this.record);
    this.files.appendEvents([...(resumed ? [resumed.event] : []), { type: 'status', time: Date.now(), status: 'running' }]);
  }

  /** A resumed run's summaries and automatic step go on from what is stored. */
  private continueFrom(state: ResumeState): void {
    for (const [name, stats] of state.metrics) {
      this.metrics.seed(name, stats);
      if (isSystemMetric(name)) this.systemStepBase = Math.max(this.systemStepBase, stats.lastStep + 1);
    }
    for (const [name, stats] of state.chronos) this.timers.seed(name, stats);
    this.nextStep = state.nextStep;
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
    return this.files.runDir;
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
    return structuredClone(this.currentRecord());
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
    this.metrics.validate(values, step, epoch);
    if (this.finishing) {
      this.warnOnce('log-after-finish', `trainbook: run ${this.id} is finished; log() calls after finish() are ignored.`);
      return;
    }
    const at = step ?? this.nextStep;
    this.nextStep = at + 1;
    this.metrics.add(values, at, Date.now(), epoch);
    if (this.live) this.live.add(values, at);
    if (this.metrics.pending >= FLUSH_POINTS) this.writePending();
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
          if (!this.finishing) this.timers.add(name, elapsed, Date.now());
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
    this.recordDirty = true;
    this.notify();
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

  private modelHost(): ModelHost {
    return {
      runDir: this.dir,
      runId: this.id,
      position: () => ({ step: this.nextStep > 0 ? this.nextStep - 1 : null, epoch: completedEpoch(this.record.progress) }),
      setModels: (models) => {
        this.record.models = models;
        this.writeRecord(); // now, not at the next tick: a save may come after finish()
        this.notify();
      },
      reportFailure: (error) => this.reportWriteFailure(error),
    };
  }

  /** @internal Refreshes the tfjs backend in the environment once training starts. */
  noteTfjs(): void {
    if (this.record.env) this.record.env.tfjs = detectTfjs();
    this.recordDirty = true;
  }

  /** Writes everything pending (events and run.json) now. */
  flush(): void {
    this.writePending();
    this.writeRecord();
  }

  /** @internal Keeps a downsampled copy of every series for live displays, from now on. */
  enableLive(): void {
    if (this.live) return;
    this.live = new LiveSeriesTracker();
    // A resumed run's display shows the stored points too: one continuous curve.
    const stored = this.resumed?.series;
    if (stored) {
      for (const series of stored.values()) {
        // System samples are drawn over time, not steps; theirs start anew.
        if (isSystemMetric(series.name)) continue;
        for (let i = 0; i < series.length; i++) this.live.add({ [series.name]: series.value[i]! }, series.step[i]!);
      }
      this.resumed = { ...this.resumed!, series: new Map() };
    }
  }

  /** @internal The downsampled series for live displays (empty unless enabled); `lastOnly`: no points. */
  liveSeries(options: { lastOnly?: boolean } = {}): LiveSeries[] {
    return this.live?.snapshot(options) ?? [];
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
    await Promise.all(this.attachments.map((attachment) => attachment.settle?.()));
    return result;
  }

  /** Ends the run as failed, keeping the error's message and stack. */
  async fail(error: unknown): Promise<FinishResult> {
    return this.finish({ status: 'failed', error });
  }

  /** @internal Synchronous finish, for process exit hooks. */
  finishNow(options: FinishOptions = {}): FinishResult {
    if (this.finishing) return this.finishing;
    clearInterval(this.ticker);
    // Stop sampling and capturing first: what is printed from here on is not the run's.
    // (They stay attached: their last events go out with the final flush below.)
    for (const attachment of this.attachments) this.closeAttachment(attachment);
    const status: RunStatus = options.status ?? (options.error !== undefined ? 'failed' : 'completed');
    const error = options.error !== undefined ? toRunError(options.error) : null;
    this.writePending();
    this.record.status = status;
    this.record.error = error;
    this.record.endedAt = new Date().toISOString();
    const statusEvent: RunEvent = error ? { type: 'status', time: Date.now(), status, error } : { type: 'status', time: Date.now(), status };
    this.files.appendEvents([statusEvent]);
    this.finishing = describeFinish({
      id: this.id,
      name: this.name,
      status,
      dir: this.dir,
      points: this.metrics.total - this.systemPoints,
      lost: this.record.lost,
    });
    this.writeRecord();
    this.files.close();
    if (this.record.lost.points > 0 || this.record.lost.records > 0) {
      writeOwnLine(
        `trainbook: run ${this.id} finished with losses: ${this.record.lost.points} metric points and ${this.record.lost.records} records could not be written (first error: ${this.record.lost.firstError}).\n`,
      );
    }
    this.onFinished(this);
    this.notify();
    return this.finishing;
  }

  private tick(): void {
    this.ticks++;
    this.writePending();
    if (this.recordDirty || this.ticks % Math.round(HEARTBEAT_INTERVAL_MS / FLUSH_INTERVAL_MS) === 0) this.writeRecord();
  }

  private writePending(): void {
    const events: RunEvent[] = [];
    const points = this.metrics.pending;
    const metricsEvent = this.metrics.drain();
    if (metricsEvent) events.push(metricsEvent);
    const chronoEvent = this.timers.drain();
    if (chronoEvent) events.push(chronoEvent);
    for (const attachment of this.attachments) if (attachment.drain) events.push(...attachment.drain());
    // The first display waits for the user's own data, so it shows under the cell that trains.
    const userPoints = points - this.systemPending;
    const userData = userPoints > 0 || chronoEvent !== null;
    this.systemPending = 0;
    if (events.length === 0) return;
    this.recordDirty = true;
    // Lost points are counted as `points` are: the user's own (system samples are a side show).
    if (!this.files.appendEvents(events)) this.record.lost.points += userPoints;
    if (userData || this.notified) this.notify();
  }

  private writeRecord(): void {
    this.recordDirty = false;
    this.files.writeRecord(this.currentRecord());
  }

  private currentRecord(): RunRecord {
    this.record.heartbeatAt = new Date().toISOString();
    this.record.summary = this.metrics.summaries();
    this.record.chronos = this.timers.summaries();
    for (const attachment of this.attachments) attachment.annotate?.(this.record);
    return this.record;
  }

  private changed(): void {
    this.recordDirty = true;
    this.notify();
  }

  private notify(): void {
    this.notified = true;
    for (const listener of this.listeners) {
      try {
        listener(this);
      } catch (error) {
        this.warnOnce('listener', `trainbook: a run listener failed: ${(error as Error).message}`);
      }
    }
  }

  /** @internal RunFiles reports each failed write here. */
  reportWriteFailure(error: unknown): void {
    this.record.lost.records++;
    const message = error instanceof Error ? error.message : String(error);
    this.record.lost.firstError ??= message;
    if (!this.reportedWriteError) {
      this.reportedWriteError = true;
      writeOwnLine(
        `trainbook: cannot write run ${this.id} (${message}). Training goes on; further write errors are counted and finish() reports what was lost.\n`,
      );
    }
  }

  private readonly warned = new Set<string>();
  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    writeOwnLine(`${message}\n`);
  }

  /** @internal Records alongside the run until it finishes (see {@link RunAttachment}). */
  attach(attachment: RunAttachment): void {
    if (this.finishing) attachment.close();
    else this.attachments.push(attachment);
  }

  /**
   * @internal A system metrics sample (`sys/...`): stored like any metric, with the sample index as
   * its step, so the user's automatic step counter never sees it; live charts draw it over the
   * seconds since the run started.
   */
  logSystem(values: Record<string, number>, index: number, time: number): void {
    if (this.finishing) return;
    const before = this.metrics.total;
    this.metrics.add(values, this.systemStepBase + index, time, undefined);
    this.systemPoints += this.metrics.total - before;
    this.systemPending += this.metrics.total - before;
    if (this.live) this.live.add(values, (time - Date.parse(this.record.startedAt)) / 1000, 'elapsed');
  }

  private closeAttachment(attachment: RunAttachment): void {
    try {
      attachment.close();
    } catch (error) {
      this.warnOnce('attachment', `trainbook: stopping a recorder of run ${this.id} failed: ${(error as Error).message}`);
    }
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
