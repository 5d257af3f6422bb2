import type { FlatParams } from '../format/params.js';
import { HEARTBEAT_INTERVAL_MS } from '../format/status.js';
import type { RunError, RunEvent, RunProgress, RunRecord, RunStatus } from '../format/types.js';
import type { RunFiles } from '../store/runFiles.js';
import { ChronoBuffer, type Chrono } from './chrono.js';
import { MetricBuffer } from './metricBuffer.js';
import { createTfCallback, type TfCallback, type TfCallbackOptions } from '../tfjs/callback.js';
import { detectTfjs } from './provenance.js';
import { LiveSeriesTracker } from '../live/liveSeries.js';
import type { LiveSeries } from '../live/payload.js';
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

  /** @internal Use {@link init}. */
  constructor(
    private readonly record: RunRecord,
    private readonly files: RunFiles,
    private readonly onFinished: (run: Run) => void,
  ) {
    this.ticker = setInterval(() => this.tick(), FLUSH_INTERVAL_MS);
    this.ticker.unref();
    this.files.writeRecord(this.record);
    this.files.appendEvents([{ type: 'status', time: Date.now(), status: 'running' }]);
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
    Object.assign(this.record.metadata, JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>);
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
    this.live ??= new LiveSeriesTracker();
  }

  /** @internal The downsampled series for live displays (empty unless enabled). */
  liveSeries(): LiveSeries[] {
    return this.live?.snapshot() ?? [];
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
    return this.finishNow(options);
  }

  /** Ends the run as failed, keeping the error's message and stack. */
  async fail(error: unknown): Promise<FinishResult> {
    return this.finishNow({ status: 'failed', error });
  }

  /** @internal Synchronous finish, for process exit hooks. */
  finishNow(options: FinishOptions = {}): FinishResult {
    if (this.finishing) return this.finishing;
    clearInterval(this.ticker);
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
      points: this.metrics.total,
      lost: this.record.lost,
    });
    this.writeRecord();
    this.files.close();
    if (this.record.lost.points > 0 || this.record.lost.records > 0) {
      process.stderr.write(
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
    if (events.length === 0) return;
    this.recordDirty = true;
    if (!this.files.appendEvents(events)) this.record.lost.points += points;
    this.notify();
  }

  private writeRecord(): void {
    this.recordDirty = false;
    this.files.writeRecord(this.currentRecord());
  }

  private currentRecord(): RunRecord {
    this.record.heartbeatAt = new Date().toISOString();
    this.record.summary = this.metrics.summaries();
    this.record.chronos = this.timers.summaries();
    return this.record;
  }

  private changed(): void {
    this.recordDirty = true;
    this.notify();
  }

  private notify(): void {
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
      process.stderr.write(
        `trainbook: cannot write run ${this.id} (${message}). Training goes on; further write errors are counted and finish() reports what was lost.\n`,
      );
    }
  }

  private readonly warned = new Set<string>();
  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    process.stderr.write(`${message}\n`);
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
