/**
 * The recording machinery behind a {@link Run}: metric and timer points buffered in columns,
 * written through {@link RunFiles} by a flush timer (or at once past {@link FLUSH_POINTS}),
 * run.json refreshed with a heartbeat, what could not be written counted as lost, and the
 * attachments that record alongside (system samples, output capture, the hub push). It says what
 * happens through events: points logged (at once, for live displays), a flush, a change of the
 * record, the end. `Run` is the public face over it.
 */
import { HEARTBEAT_INTERVAL_MS, isSystemMetric, type ChartXAxis, type RunError, type RunEvent, type RunRecord, type RunStatus } from 'trainbook/core';
import type { RunFiles } from '../store/runFiles.js';
import { OnceWarnings, writeOwnLine } from '../console/ownLines.js';
import { ChronoBuffer } from './chrono.js';
import { MetricBuffer } from './metricBuffer.js';
import type { ResumeState } from './resume.js';

/** Pending points beyond this are written at once instead of waiting for the timer. */
export const FLUSH_POINTS = 16_384;
export const FLUSH_INTERVAL_MS = 1_000;

/**
 * @internal Something recording alongside a run (system metrics, output capture, the hub push):
 * its events go out with the run's flushes, it may add to run.json, and it stops when the run
 * finishes.
 */
export interface RunAttachment {
  drain?(): RunEvent[];
  annotate?(record: RunRecord): void;
  close(): void;
  /** Work that `finish()` waits for once everything is written (the hub's last push). */
  settle?(): Promise<void>;
}

/**
 * Points as they are logged. `x` is the step, or on an `elapsed` axis the seconds since the run
 * started (system samples); `user` tells the user's own points from system samples.
 */
export type PointsListener = (values: Readonly<Record<string, number>>, x: number, xAxis: ChartXAxis, user: boolean) => void;
/** A flush wrote something; `userData`: points or timings of the user's among it. */
export type FlushListener = (userData: boolean) => void;

/** What the recorder counted when the run ended. */
export interface RecordedTotals {
  /** The user's metric points (system samples left out). */
  points: number;
  lost: RunRecord['lost'];
}

/** Listeners of one kind; one failing never stops the others or the recording. */
class Listeners<F extends (...args: never[]) => void> {
  private readonly set = new Set<F>();
  constructor(private readonly failed: (error: unknown) => void) {}

  get size(): number {
    return this.set.size;
  }

  add(listener: F): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(...args: Parameters<F>): void {
    for (const listener of this.set) {
      try {
        listener(...args);
      } catch (error) {
        this.failed(error);
      }
    }
  }
}

/**
 * Records one run into its files. Never throws an I/O error: failed writes are counted in
 * `record.lost`, said once on stderr, and the run goes on.
 */
export class Recorder {
  private readonly metrics = new MetricBuffer();
  private readonly timers = new ChronoBuffer();
  private readonly attachments: RunAttachment[] = [];
  private readonly ticker: NodeJS.Timeout;
  private readonly warnings = new OnceWarnings();
  private ticks = 0;
  private recordDirty = false;
  private reportedWriteError = false;
  private finished = false;
  /** System samples: all accepted, and those not yet written. */
  private systemPoints = 0;
  private systemPending = 0;
  /** A resumed run's system samples go on after the stored ones (their steps are sample indices). */
  private systemStepBase = 0;
  private readonly startedAt: number;
  private readonly listenerFailed = (error: unknown): void =>
    this.warnings.warn('listener', `trainbook: a run listener failed: ${(error as Error)?.message ?? String(error)}`);
  private readonly pointsListeners = new Listeners<PointsListener>(this.listenerFailed);
  private readonly flushListeners = new Listeners<FlushListener>(this.listenerFailed);

  constructor(
    /** The run's record: kept up to date here, written as run.json. */
    readonly record: RunRecord,
    private readonly files: RunFiles,
    resumed: ResumeState | null = null,
  ) {
    this.startedAt = Date.parse(record.startedAt);
    this.ticker = setInterval(() => this.tick(), FLUSH_INTERVAL_MS);
    this.ticker.unref();
    if (resumed) this.continueFrom(resumed);
    this.files.writeRecord(resumed ? this.currentRecord() : this.record);
    this.files.appendEvents([...(resumed ? [resumed.event] : []), { type: 'status', time: Date.now(), status: 'running' }]);
  }

  /** A resumed run's summaries go on from what is stored. */
  private continueFrom(state: ResumeState): void {
    for (const [name, stats] of state.metrics) {
      this.metrics.seed(name, stats);
      if (isSystemMetric(name)) this.systemStepBase = Math.max(this.systemStepBase, stats.lastStep + 1);
    }
    for (const [name, stats] of state.chronos) this.timers.seed(name, stats);
  }

  /** The run's folder. */
  get runDir(): string {
    return this.files.runDir;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** Throws InvalidValueError for a `log` call that must not be kept (see MetricBuffer.validate). */
  validate(values: Record<string, unknown>, step: unknown, epoch: unknown): void {
    this.metrics.validate(values, step, epoch);
  }

  /** Hears of every point as it is logged, before any flush; returns the unsubscribe. */
  onPoints(listener: PointsListener): () => void {
    return this.pointsListeners.add(listener);
  }

  /** Hears of each flush that wrote something; returns the unsubscribe. */
  onFlush(listener: FlushListener): () => void {
    return this.flushListeners.add(listener);
  }

  /** Keeps one validated row of the user's metrics. */
  addPoints(values: Record<string, number>, step: number, time: number, epoch: number | undefined): void {
    this.metrics.add(values, step, time, epoch);
    if (this.pointsListeners.size > 0) this.pointsListeners.emit(values, step, 'step', true);
    if (this.metrics.pending >= FLUSH_POINTS) this.writePending();
  }

  /**
   * Keeps a system sample (`sys/...`): stored like any metric, with the sample index as its step,
   * so the user's automatic step never sees it; live displays draw it over the seconds since start.
   */
  addSystemPoints(values: Record<string, number>, index: number, time: number): void {
    if (this.finished) return;
    const before = this.metrics.total;
    this.metrics.add(values, this.systemStepBase + index, time, undefined);
    this.systemPoints += this.metrics.total - before;
    this.systemPending += this.metrics.total - before;
    if (this.pointsListeners.size > 0) this.pointsListeners.emit(values, (time - this.startedAt) / 1000, 'elapsed', false);
  }

  /** Keeps one timer measurement. */
  addTiming(name: string, seconds: number, time: number): void {
    if (!this.finished) this.timers.add(name, seconds, time);
  }

  /** The record changed: run.json is written at the next tick. */
  markDirty(): void {
    this.recordDirty = true;
  }

  /** Writes everything pending (events and run.json) now. */
  flush(): void {
    this.writePending();
    this.writeRecord();
  }

  /** Writes run.json now (a saved model may come after the run ended). */
  writeRecord(): void {
    this.recordDirty = false;
    this.files.writeRecord(this.currentRecord());
  }

  /** Records alongside the run until it finishes (see {@link RunAttachment}). */
  attach(attachment: RunAttachment): void {
    if (this.finished) attachment.close();
    else this.attachments.push(attachment);
  }

  /**
   * Ends the recording: stops the attachments, writes what is pending, the final status and
   * run.json, releases the files. Called once (the run makes sure).
   */
  finish(status: Exclude<RunStatus, 'running'>, error: RunError | null): RecordedTotals {
    this.finished = true;
    clearInterval(this.ticker);
    // Stop sampling and capturing first: what is printed from here on is not the run's.
    // (They stay attached: their last events go out with the final flush below.)
    for (const attachment of this.attachments) this.closeAttachment(attachment);
    this.writePending();
    this.record.status = status;
    this.record.error = error;
    this.record.endedAt = new Date().toISOString();
    const statusEvent: RunEvent = error ? { type: 'status', time: Date.now(), status, error } : { type: 'status', time: Date.now(), status };
    this.files.appendEvents([statusEvent]);
    const totals: RecordedTotals = { points: this.metrics.total - this.systemPoints, lost: this.record.lost };
    this.writeRecord();
    this.files.close();
    const { lost } = this.record;
    if (lost.points > 0 || lost.records > 0) {
      writeOwnLine(
        `trainbook: run ${this.record.id} finished with losses: ${lost.points} metric points and ${lost.records} records could not be written (first error: ${lost.firstError}).\n`,
      );
    }
    return totals;
  }

  /** Waits for the attachments' last work (the hub's last push). */
  async settle(): Promise<void> {
    await Promise.all(this.attachments.map((attachment) => attachment.settle?.()));
  }

  /** RunFiles reports each failed write here. */
  reportWriteFailure(error: unknown): void {
    this.record.lost.records++;
    const message = error instanceof Error ? error.message : String(error);
    this.record.lost.firstError ??= message;
    if (!this.reportedWriteError) {
      this.reportedWriteError = true;
      writeOwnLine(
        `trainbook: cannot write run ${this.record.id} (${message}). Training goes on; further write errors are counted and finish() reports what was lost.\n`,
      );
    }
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
    const userPoints = points - this.systemPending;
    this.systemPending = 0;
    if (events.length === 0) return;
    this.recordDirty = true;
    // Lost points are counted as `points` are: the user's own (system samples are a side show).
    if (!this.files.appendEvents(events)) this.record.lost.points += userPoints;
    this.flushListeners.emit(userPoints > 0 || chronoEvent !== null);
  }

  /** The record as it would be written now (summaries, heartbeat and attachments' fields brought up to date). */
  currentRecord(): RunRecord {
    this.record.heartbeatAt = new Date().toISOString();
    this.record.summary = this.metrics.summaries();
    this.record.chronos = this.timers.summaries();
    for (const attachment of this.attachments) attachment.annotate?.(this.record);
    return this.record;
  }

  private closeAttachment(attachment: RunAttachment): void {
    try {
      attachment.close();
    } catch (error) {
      this.warnings.warn('attachment', `trainbook: stopping a recorder of run ${this.record.id} failed: ${(error as Error).message}`);
    }
  }
}
