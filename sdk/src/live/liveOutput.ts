/**
 * Keeps a run's live display current: listens to the run, builds the payload at most a few times
 * a second (a trailing update always follows the last change), and hands it to a sink: the
 * notebook output (kernel) or a progress line on stderr (terminal).
 */
import { type RunRecord, effectiveStatus, estimateEta, PAYLOAD_VERSION, type LivePayload, type LiveSeries } from 'trainbook/core';
import { writeOwnLine } from '../console/ownLines.js';

/** What a live display needs from a run. */
export interface LiveSource {
  /** Read on every change, so it must be cheap. */
  readonly status: RunRecord['status'];
  /** The record as it is now, read only (no copy: a display reads a few fields a few times a second). */
  liveRecord(): Readonly<RunRecord>;
  /** `lastOnly`: each series' name, count and last value, without its points. */
  liveSeries(options?: { lastOnly?: boolean }): LiveSeries[];
  storeName(): string;
  onChange(listener: () => void): () => void;
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
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly source: LiveSource,
    private readonly sink: LiveSink,
    private readonly minIntervalMs = MIN_UPDATE_INTERVAL_MS,
  ) {
    // The first render waits for the first change (a point, progress): in a notebook the output
    // then appears under the cell that trains, not under the one that called init().
    this.unsubscribe = source.onChange(() => this.schedule());
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
      const series = this.source.liveSeries(this.sink.lastValuesOnly ? { lastOnly: true } : undefined);
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
    this.unsubscribe();
  }
}
