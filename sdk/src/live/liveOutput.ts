/**
 * Keeps a run's live display current: listens to the run's points as they are logged (keeping
 * its own bounded downsampled copy) and to its changes (progress, status), builds the payload at
 * most a few times a second (a trailing update always follows the last change), and hands it to
 * a sink: the notebook output (kernel) or a progress line on stderr (terminal). A point reaches
 * the display within one {@link MIN_UPDATE_INTERVAL_MS}, whenever the store is written.
 */
import { type ChartXAxis, type RunRecord, effectiveStatus, estimateEta, isSystemMetric, PAYLOAD_VERSION, type LivePayload, type LiveSeries, type Series } from 'trainbook/core';
import { writeOwnLine } from '../console/ownLines.js';
import { LiveSeriesTracker } from './liveSeries.js';

/** Points as a run logs them: `user` tells the user's own from system samples (drawn over `elapsed` seconds). */
export type LivePointsListener = (values: Readonly<Record<string, number>>, x: number, xAxis: ChartXAxis, user: boolean) => void;

/** What a live display needs from a run. */
export interface LiveSource {
  /** Read on every change, so it must be cheap. */
  readonly status: RunRecord['status'];
  /** The record as it is now, read only (no copy: a display reads a few fields a few times a second). */
  liveRecord(): Readonly<RunRecord>;
  storeName(): string;
  /** Changes of the record (progress, status, tags, models, flushes). */
  onChange(listener: () => void): () => void;
  /** Every point as it is logged. */
  onPoints(listener: LivePointsListener): () => void;
  /** Points recorded before the display began (a resumed run's stored series), so its chart goes on as one curve. */
  takeStoredSeries?(): Iterable<Series>;
}

export interface LiveSink {
  render(payload: LivePayload): void;
  /** The sink shows only each series' last value (a progress line): its payloads skip the points. */
  readonly lastValuesOnly?: boolean;
}

export const MIN_UPDATE_INTERVAL_MS = 250;

export function buildPayload(record: Readonly<RunRecord>, series: LiveSeries[], store: string, now: number): LivePayload {
  const started = Date.parse(record.startedAt);
  const ended = record.endedAt ? Date.parse(record.endedAt) : now;
  const progress = record.progress;
  const trainStarted = progress?.trainStartedAt ?? started;
  const trainingSeconds = Math.max(0, (ended - trainStarted) / 1000);
  return {
    version: PAYLOAD_VERSION,
    run: {
      id: record.id,
      name: record.name,
      experiment: record.experiment,
      store,
      status: effectiveStatus(record, now),
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      error: record.error ? { name: record.error.name, message: record.error.message } : null,
    },
    progress: progress
      ? {
          epoch: progress.epoch,
          epochs: progress.epochs,
          batch: progress.batch,
          batches: progress.batches,
          fraction: progress.fraction,
          elapsedSeconds: Math.max(0, (ended - started) / 1000),
          etaSeconds: record.status === 'running' ? estimateEta(progress.fraction, trainingSeconds) : null,
        }
      : { epoch: null, epochs: null, batch: null, batches: null, fraction: null, elapsedSeconds: Math.max(0, (ended - started) / 1000), etaSeconds: null },
    updatedAt: now,
    series,
    ...(record.resumes && record.resumes.length > 0 ? { resumes: record.resumes.map((resume) => resume.fromStep) } : {}),
  };
}

export class LiveOutput {
  private lastRender = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: Array<() => void>;
  private closed = false;
  /** The display's own copy of every series, downsampled as points arrive (last values only for a progress line). */
  private readonly series: LiveSeriesTracker;

  constructor(
    private readonly source: LiveSource,
    private readonly sink: LiveSink,
    private readonly minIntervalMs = MIN_UPDATE_INTERVAL_MS,
  ) {
    this.series = new LiveSeriesTracker(!sink.lastValuesOnly);
    for (const stored of source.takeStoredSeries?.() ?? []) {
      // System samples are drawn over time, not steps; theirs start anew.
      if (isSystemMetric(stored.name)) continue;
      for (let i = 0; i < stored.length; i++) this.series.addPoint(stored.name, stored.step[i]!, stored.value[i]!);
    }
    // The first render waits for the user's first point or change (progress): in a notebook the
    // output then appears under the cell that trains, not under the one that called init().
    this.unsubscribe = [source.onChange(() => this.schedule()), source.onPoints((values, x, xAxis, user) => this.addPoints(values, x, xAxis, user))];
  }

  private addPoints(values: Readonly<Record<string, number>>, x: number, xAxis: ChartXAxis, user: boolean): void {
    if (this.closed) return;
    this.series.add(values, x, xAxis);
    // Called for every point: with an update already due, nothing else to do.
    if (this.timer) return;
    // System samples alone do not start a display (it would show under the wrong cell).
    if (user || this.lastRender > 0) this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const running = this.source.status === 'running';
    if (this.lastRender === 0 || !running) {
      this.renderNow();
      if (!running) this.close();
      return;
    }
    const wait = this.lastRender + this.minIntervalMs - Date.now();
    if (wait <= 0) this.renderNow();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.closed) this.renderNow();
      }, wait);
      this.timer.unref?.();
    }
  }

  private renderNow(): void {
    this.lastRender = Date.now();
    try {
      const series = this.series.snapshot();
      this.sink.render(buildPayload(this.source.liveRecord(), series, this.source.storeName(), this.lastRender));
    } catch (error) {
      // A display must never break training.
      writeOwnLine(`trainbook: live display failed: ${(error as Error).message}\n`);
      this.close();
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }
}
