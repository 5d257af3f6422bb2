import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { init } from '../../../sdk/src/index.js';
import { LiveOutput, MIN_UPDATE_INTERVAL_MS, type LiveSink } from '../../../sdk/src/live/liveOutput.js';
import { FLUSH_INTERVAL_MS } from '../../../sdk/src/run/recorder.js';
import type { LivePayload } from '../../../core/src/live/payload.js';
import { tempDir } from '../../helpers/tmp.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A sink that keeps every payload it is given. */
function recordingSink(lastValuesOnly = false): LiveSink & { payloads: LivePayload[] } {
  const payloads: LivePayload[] = [];
  return { payloads, lastValuesOnly, render: (payload) => payloads.push(payload) };
}

function newRun() {
  const dir = tempDir();
  const run = init({ dir, git: false, display: false, systemMetrics: false, captureOutput: false });
  return { run, events: () => fs.readFileSync(path.join(run.dir, 'events.jsonl'), 'utf8') };
}

describe('LiveOutput', () => {
  it('shows a logged point within one throttle interval, long before the store flushes', async () => {
    expect(MIN_UPDATE_INTERVAL_MS * 2).toBeLessThan(FLUSH_INTERVAL_MS);
    const { run, events } = newRun();
    const sink = recordingSink();
    const output = new LiveOutput(run, sink);
    run.log({ loss: 1 }, { step: 0 }); // the first point renders at once
    expect(sink.payloads).toHaveLength(1);
    const started = Date.now();
    run.log({ loss: 0.5 }, { step: 1 });
    run.log({ loss: 0.25 }, { step: 2 });
    await wait(MIN_UPDATE_INTERVAL_MS + 50);
    expect(Date.now() - started).toBeLessThan(FLUSH_INTERVAL_MS);
    // Nothing written yet: the display did not wait for a flush.
    expect(events()).not.toContain('"metrics"');
    const last = sink.payloads.at(-1)!;
    expect(sink.payloads).toHaveLength(2);
    expect(last.series).toEqual([{ name: 'loss', count: 3, last: 0.25, step: [0, 1, 2], value: [1, 0.5, 0.25] }]);
    output.close();
    await run.finish();
  });

  it('draws at most one update per interval however fast points come, and a last one when the run ends', async () => {
    const { run } = newRun();
    const sink = recordingSink();
    new LiveOutput(run, sink, 100);
    for (let step = 0; step < 10_000; step++) run.log({ loss: 1 / (step + 1) }, { step });
    expect(sink.payloads).toHaveLength(1);
    await wait(150);
    expect(sink.payloads).toHaveLength(2);
    expect(sink.payloads[1]!.series[0]!.count).toBe(10_000);
    // Bounded: the display keeps a downsampled copy, not every point.
    expect(sink.payloads[1]!.series[0]!.step.length).toBeLessThanOrEqual(4 * 2 * 48);
    await run.finish();
    expect(sink.payloads.at(-1)!.run.status).toBe('completed');
    const count = sink.payloads.length;
    await wait(150);
    expect(sink.payloads).toHaveLength(count);
  });

  it('does not start a display for system samples alone', async () => {
    const { run } = newRun();
    const sink = recordingSink();
    const output = new LiveOutput(run, sink, 20);
    run.logSystem({ 'sys/cpu_percent': 50 }, 0, Date.now());
    await wait(60);
    expect(sink.payloads).toHaveLength(0);
    run.log({ loss: 1 });
    run.logSystem({ 'sys/cpu_percent': 60 }, 1, Date.now());
    await wait(60);
    const cpu = sink.payloads.at(-1)!.series.find((s) => s.name === 'sys/cpu_percent')!;
    expect(cpu).toMatchObject({ count: 2, xAxis: 'elapsed' });
    output.close();
    await run.finish();
  });

  it('keeps no points for a progress line, only counts and last values', async () => {
    const { run } = newRun();
    const sink = recordingSink(true);
    const output = new LiveOutput(run, sink);
    run.log({ loss: 2, acc: 0.5 });
    expect(sink.payloads[0]!.series).toEqual([
      { name: 'loss', count: 1, last: 2, step: [], value: [] },
      { name: 'acc', count: 1, last: 0.5, step: [], value: [] },
    ]);
    output.close();
    await run.finish();
  });

  it("goes on from a resumed run's stored points, as one curve", async () => {
    const { run } = newRun();
    for (let step = 0; step < 3; step++) run.log({ loss: 3 - step }, { step });
    run.logSystem({ 'sys/cpu_percent': 10 }, 0, Date.now());
    await run.finish({ status: 'interrupted' });
    const again = init({ dir: path.dirname(path.dirname(run.dir)), resume: run.id, git: false, display: false, systemMetrics: false, captureOutput: false });
    const sink = recordingSink();
    const output = new LiveOutput(again, sink);
    again.log({ loss: 0 });
    expect(sink.payloads[0]!.series).toEqual([{ name: 'loss', count: 4, last: 0, step: [0, 1, 2, 3], value: [3, 2, 1, 0] }]);
    output.close();
    await again.finish();
  });
});
