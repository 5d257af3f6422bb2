import { describe, expect, it, vi } from 'vitest';
import type { LivePayload } from '../../../core/src/live/payload.js';
import { ChartImages } from '../../../sdk/src/live/chartImages.js';
import { NotebookDisplay } from '../../../sdk/src/live/notebookDisplay.js';
import { PNG_MIME } from '../../../sdk/src/live/bundle.js';

const payload = (n: number, status: LivePayload['run']['status'] = 'running'): LivePayload => ({
  version: 1, updatedAt: n, progress: null,
  series: [{ name: 'loss', count: n + 1, last: 1, step: [0, n], value: [2, 1] }],
  run: { id: 'r', name: 'mlp', experiment: null, store: 's', status, startedAt: '', endedAt: null, error: null },
});

/** A renderer whose pictures finish when the test says so. */
function manualRenderer() {
  const calls: Array<{ payload: LivePayload; finish: () => void; fail: (error: Error) => void }> = [];
  const render = (p: LivePayload) => new Promise<Uint8Array>((resolve, reject) => {
    calls.push({ payload: p, finish: () => resolve(Uint8Array.from([p.updatedAt])), fail: reject });
  });
  return { calls, render };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ChartImages', () => {
  it('draws at most one picture per interval while training, dropping the frames asked for meanwhile', async () => {
    let now = 1_000;
    const { calls, render } = manualRenderer();
    const shown: number[] = [];
    const images = new ChartImages((_png, p) => shown.push(p.updatedAt), render, 10_000, () => now);
    images.request(payload(1), false);
    expect(calls).toHaveLength(0); // the first picture waits one interval
    now += 10_000;
    images.request(payload(2), false);
    images.request(payload(3), false); // one is being drawn: dropped, not queued
    expect(calls.map((c) => c.payload.updatedAt)).toEqual([2]);
    calls[0]!.finish();
    await tick();
    expect(shown).toEqual([2]);
    now += 9_000;
    images.request(payload(4), false); // within the interval of the last start
    expect(calls).toHaveLength(1);
  });

  it('always draws the final payload, after the picture being drawn, and settle() waits for it', async () => {
    let now = 0;
    const { calls, render } = manualRenderer();
    const shown: number[] = [];
    const images = new ChartImages((_png, p) => shown.push(p.updatedAt), render, 10_000, () => now);
    images.request(payload(1), false);
    now = 20_000;
    images.request(payload(2), false);
    images.request(payload(3, 'completed'), true);
    let settled = false;
    const settling = images.settle().then(() => (settled = true));
    calls[0]!.finish();
    await tick();
    expect(calls.map((c) => c.payload.updatedAt)).toEqual([2, 3]);
    expect(settled).toBe(false);
    calls[1]!.finish();
    await settling;
    expect(shown).toEqual([2, 3]);
  });

  it('tells a failure once on stderr, never throws, and draws no more', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { calls, render } = manualRenderer();
      const images = new ChartImages(() => undefined, render, 0);
      images.request(payload(1, 'completed'), true);
      calls[0]!.fail(new Error('no fonts'));
      await images.settle();
      images.request(payload(2, 'completed'), true);
      await images.settle();
      expect(calls).toHaveLength(1);
      const lines = stderr.mock.calls.map(([text]) => String(text)).filter((text) => text.includes('picture'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('no fonts');
    } finally {
      stderr.mockRestore();
    }
  });

  it('gives up waiting for a final picture that takes too long', async () => {
    const images = new ChartImages(() => undefined, () => new Promise(() => undefined), 0);
    images.request(payload(1, 'completed'), true);
    const started = Date.now();
    await images.settle(50);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('NotebookDisplay', () => {
  it('shows each payload at once, then again with its picture; later updates keep the newest picture', async () => {
    const shown: Array<Record<string, unknown>> = [];
    const { calls, render } = manualRenderer();
    const display = new NotebookDisplay(() => ({ displayId: 'd', show: (data) => shown.push(data) }), render, 0);
    display.render(payload(1));
    expect(shown).toHaveLength(1);
    expect(shown[0]).not.toHaveProperty(PNG_MIME);
    calls[0]!.finish();
    await tick();
    expect(shown).toHaveLength(2);
    expect(shown[1]![PNG_MIME]).toBe(Buffer.from([1]).toString('base64'));
    display.render(payload(2, 'completed'));
    expect(shown[2]![PNG_MIME]).toBe(Buffer.from([1]).toString('base64'));
    calls[1]!.finish();
    await display.settle();
    expect(shown.at(-1)![PNG_MIME]).toBe(Buffer.from([2]).toString('base64'));
    expect(shown.every((bundle) => !('text/html' in bundle))).toBe(true);
  });

  it('shows nothing outside a kernel', () => {
    const display = new NotebookDisplay(() => null, () => Promise.reject(new Error('not drawn')));
    expect(() => display.render(payload(1, 'completed'))).not.toThrow();
  });
});
