import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveChartModel, type LivePayload } from '../../../core/src/index.js';
import { CHART_IMAGE_WIDTH, chartsPng, chartsSvg } from '../../../sdk/src/live/image.js';
import { liveBundle, PNG_MIME, VEGA_LITE_MIME } from '../../../sdk/src/live/bundle.js';
import { LiveSeriesTracker } from '../../../sdk/src/live/liveSeries.js';
import { RUN_MIME } from '../../../core/src/live/payload.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A payload as the live display builds it after a long, noisy training run. */
function trainedPayload(): LivePayload {
  const tracker = new LiveSeriesTracker();
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  for (let step = 0; step < 5_000; step++) {
    tracker.add({ 'batch/loss': 2 * Math.exp(-step / 900) + noise(), 'batch/acc': 1 - Math.exp(-step / 700) + noise() / 2 }, step);
    if (step % 500 === 499) tracker.add({ loss: 2 * Math.exp(-step / 900), acc: 1 - Math.exp(-step / 700), val_loss: 2.1 * Math.exp(-step / 1000), val_acc: 0.95 - Math.exp(-step / 800) }, step);
  }
  for (let i = 0; i < 60; i++) tracker.add({ 'sys/cpu_percent': 40 + noise() * 100, 'sys/process_memory_rss_mb': 300 + i }, i * 5, 'elapsed');
  return {
    version: 1, updatedAt: 0, series: tracker.snapshot(),
    progress: { epoch: 10, epochs: 10, batch: null, batches: null, fraction: 1, elapsedSeconds: 300, etaSeconds: null },
    run: { id: 'r1', name: 'mlp', experiment: null, store: 'nb.trainbook', status: 'completed', startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:05:00Z', error: null },
  };
}

describe('chartsPng()', () => {
  it('draws every chart of a live output into one PNG, 640 px wide, with its titles as text', async () => {
    const payload = trainedPayload();
    const svg = await chartsSvg(liveChartModel(payload));
    for (const title of ['loss', 'acc', 'sys/cpu (%)']) expect(svg).toContain(`>${title}</text>`);
    const png = await chartsPng(liveChartModel(payload));
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.readUInt32BE(16)).toBe(CHART_IMAGE_WIDTH);
    fs.mkdirSync('test-artifacts', { recursive: true });
    fs.writeFileSync(path.join('test-artifacts', 'live-output-image.png'), png);
  });
});

describe('liveBundle()', () => {
  it('carries the picture beside our MIME type and the Vega-Lite fallback, never text/html, and stays under 150 KB', async () => {
    const payload = trainedPayload();
    const png = (await chartsPng(liveChartModel(payload))).toString('base64');
    const bundle = liveBundle(payload, png);
    expect(Object.keys(bundle).sort()).toEqual([RUN_MIME, PNG_MIME, VEGA_LITE_MIME, 'text/plain'].sort());
    expect(Buffer.from(bundle[PNG_MIME] as string, 'base64').subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(bundle).not.toHaveProperty('text/html');
    const size = JSON.stringify(bundle).length;
    console.log(`bundle ${size} bytes, picture ${(bundle[PNG_MIME] as string).length} base64`);
    expect(size).toBeLessThan(150_000);
  });

  it('has no picture until one was drawn', () => {
    expect(liveBundle(trainedPayload())).not.toHaveProperty(PNG_MIME);
  });
});
