/**
 * The live output in a notebook: one display, shown at the first render and updated in place,
 * each update the MIME bundle of the newest payload with the newest picture of its charts
 * ({@link ChartImages}: redrawn every few seconds while training, and once more at the end).
 * Attached to the run, so `finish()` waits (briefly) for the final picture to go out.
 */
import type { LivePayload } from 'trainbook/core';
import { liveBundle } from './bundle.js';
import { ChartImages, type RenderImage } from './chartImages.js';
import type { LiveSink } from './liveOutput.js';
import { createTslabDisplay, type BundleDisplay } from './tslabAdapter.js';

export class NotebookDisplay implements LiveSink {
  private display: BundleDisplay | null = null;
  private latest: LivePayload | null = null;
  private image: string | null = null;
  private readonly images: ChartImages;

  constructor(
    private readonly createDisplay: () => BundleDisplay | null = createTslabDisplay,
    render?: RenderImage,
    imageIntervalMs?: number,
  ) {
    this.images = new ChartImages((png) => this.showImage(png), render, imageIntervalMs);
  }

  render(payload: LivePayload): void {
    // Created at the first render, so the output belongs to the cell that is training then.
    this.display ??= this.createDisplay();
    if (!this.display) return;
    this.latest = payload;
    this.display.show(liveBundle(payload, this.image));
    this.images.request(payload, payload.run.status !== 'running');
  }

  private showImage(png: string): void {
    this.image = png;
    // The newest payload with the new picture (a picture is at most one interval behind).
    if (this.latest) this.display?.show(liveBundle(this.latest, png));
  }

  /** Nothing to stop: the final render comes after the run closed its attachments. */
  close(): void {}

  /** Waits for the final picture (bounded). */
  settle(): Promise<void> {
    return this.images.settle();
  }
}
