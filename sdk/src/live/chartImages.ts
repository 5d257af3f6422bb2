/**
 * When the live output's picture is redrawn: at most one rendering at a time, a new one at most
 * every {@link IMAGE_INTERVAL_MS} while the run trains (a frame asked for meanwhile is dropped,
 * never queued), and always one of the final payload. A failure is told once and stops the
 * pictures; nothing here ever throws into the training loop.
 */
import { liveChartModel, type LivePayload } from 'trainbook/core';
import { writeOwnLine } from '../console/ownLines.js';
import { chartsPng } from './image.js';

/** A new picture while training at most this often. */
export const IMAGE_INTERVAL_MS = 10_000;
/** `finish()` waits at most this long for the final picture. */
export const FINAL_IMAGE_TIMEOUT_MS = 5_000;

/** Renders a payload's charts to PNG bytes. */
export type RenderImage = (payload: LivePayload) => Promise<Uint8Array>;

export const renderPayloadPng: RenderImage = (payload) => chartsPng(liveChartModel(payload));

export class ChartImages {
  private inFlight: Promise<void> | null = null;
  /** The final payload, asked for while another picture was being drawn. */
  private finalWaiting: LivePayload | null = null;
  /** When the last picture began; null before the first request. */
  private lastStart: number | null = null;
  private failed = false;
  private finalDone: Promise<void> = Promise.resolve();
  private resolveFinal: (() => void) | null = null;

  /**
   * @param onImage gets each new picture (base64) with the payload it shows.
   */
  constructor(
    private readonly onImage: (png: string, payload: LivePayload) => void,
    private readonly render: RenderImage = renderPayloadPng,
    private readonly intervalMs = IMAGE_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Asks for a picture of `payload`; `final`: the run ended, this one is never dropped. */
  request(payload: LivePayload, final: boolean): void {
    if (this.failed) return;
    if (final && !this.resolveFinal) this.finalDone = new Promise((resolve) => (this.resolveFinal = resolve));
    if (this.inFlight) {
      if (final) this.finalWaiting = payload;
      return;
    }
    // The first picture waits one interval too: a few points are not worth one, the final gets it.
    this.lastStart ??= this.now();
    if (!final && this.now() - this.lastStart < this.intervalMs) return;
    this.start(payload, final);
  }

  private start(payload: LivePayload, final: boolean): void {
    this.lastStart = this.now();
    this.inFlight = this.draw(payload).then(() => {
      this.inFlight = null;
      const waiting = this.finalWaiting;
      this.finalWaiting = null;
      if (waiting) this.start(waiting, true);
      else if (final) this.settleFinal();
    });
  }

  private async draw(payload: LivePayload): Promise<void> {
    if (this.failed) return;
    try {
      const png = await this.render(payload);
      this.onImage(Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64'), payload);
    } catch (error) {
      this.failed = true;
      writeOwnLine(`trainbook: cannot draw the charts as a picture for saved notebooks (${(error as Error).message}); the live charts go on.\n`);
      this.settleFinal();
    }
  }

  private settleFinal(): void {
    this.resolveFinal?.();
    this.resolveFinal = null;
  }

  /** Resolves once the final picture went out (or failed), after {@link FINAL_IMAGE_TIMEOUT_MS} at most. */
  settle(timeoutMs = FINAL_IMAGE_TIMEOUT_MS): Promise<void> {
    if (!this.resolveFinal) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref?.();
    });
    return Promise.race([this.finalDone, timeout]).finally(() => clearTimeout(timer));
  }
}
