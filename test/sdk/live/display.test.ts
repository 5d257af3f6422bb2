import { describe, expect, it } from 'vitest';
import { createTslabDisplay, findTslabJupyter, type DisplayContent } from '../../../sdk/src/live/tslabAdapter.js';
import { TerminalSink, progressBar, terminalLine } from '../../../sdk/src/live/terminal.js';
import { buildPayload } from '../../../sdk/src/live/liveOutput.js';
import { liveBundle, VEGA_LITE_MIME } from '../../../sdk/src/live/bundle.js';
import { parseLivePayload, RUN_MIME, summaryLine, estimateEta } from '../../../core/src/live/payload.js';
import type { RunRecord } from '../../../core/src/format/types.js';

function record(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    format: 1, id: '20260101-000000000-abcde', name: 'mlp', experiment: null, group: null, tags: [], notes: '', metadata: {}, params: {},
    notebook: null, cell: null, git: null, env: null, status: 'running', startedAt: new Date(Date.now() - 10_000).toISOString(), endedAt: null,
    heartbeatAt: new Date().toISOString(), summary: {}, chronos: {},
    progress: { epoch: 1, epochs: 4, batch: 5, batches: 10, trainStartedAt: Date.now() - 10_000, fraction: 0.375 },
    error: null, lost: { points: 0, records: 0, firstError: null }, writer: { pid: 1, host: 'h' }, ...overrides,
  };
}

describe('live/tslabAdapter', () => {
  it('finds nothing outside a tslab kernel', () => {
    expect(findTslabJupyter(import.meta.filename)).toBeNull();
    expect(createTslabDisplay(null)).toBeNull();
    expect(createTslabDisplay({ lastWriteDisplayData: null })).toBeNull();
  });
  it('sends display_data once, then updates with the same display id, through the writer captured at creation', () => {
    const sent: Array<[DisplayContent, boolean]> = [];
    const jupyter = { lastWriteDisplayData: (content: DisplayContent, update: boolean) => sent.push([content, update]) };
    const display = createTslabDisplay(jupyter)!;
    jupyter.lastWriteDisplayData = () => {
      throw new Error('a later cell’s writer must not be used');
    };
    display.show({ 'text/plain': 'a' });
    display.show({ 'text/plain': 'b' });
    expect(sent.map(([, update]) => update)).toEqual([false, true]);
    expect(new Set(sent.map(([c]) => c.transient.display_id))).toEqual(new Set([display.displayId]));
  });
});

describe('live/payload', () => {
  it('builds a payload with ETA and a one-line summary', () => {
    const payload = buildPayload(record(), [{ name: 'loss', count: 3, last: 0.25, step: [0, 1, 2], value: [1, 0.5, 0.25] }], 'nb.trainbook', Date.now());
    expect(payload.progress!.etaSeconds).toBeGreaterThan(10);
    expect(summaryLine(payload)).toMatch(/^mlp · running · epoch 2\/4 · 37% · ETA \d+s · loss 0\.25$/);
    expect(estimateEta(0.5, 10)).toBe(10);
  });
  it('rebuilds untrusted payloads field by field and drops what it does not know', () => {
    const hostile = {
      run: { id: 'x', name: '<img src=x onerror=alert(1)>', status: 'pwned', error: { message: 7 } },
      spec: { signals: [{ name: 'x', update: 'alert(1)' }] },
      embedOptions: { loader: { baseURL: 'http://evil' } },
      series: [{ name: 'loss', step: [0, 'a', 2], value: [1, 2, 'NaN'], count: 'many' }, 'junk', { name: 5 }],
      progress: { fraction: 7 },
    };
    const payload = parseLivePayload(hostile);
    expect(typeof payload).toBe('object');
    if (typeof payload === 'string') return;
    expect(Object.keys(payload).sort()).toEqual(['progress', 'run', 'series', 'updatedAt', 'version']);
    expect(payload.run.status).toBe('running');
    expect(payload.run.error).toEqual({ name: 'Error', message: '' });
    expect(payload.series).toEqual([{ name: 'loss', count: 2, last: 'NaN', step: [0, 2], value: [1, 'NaN'] }]);
    expect(payload.progress!.fraction).toBe(1);
    expect(parseLivePayload('nope')).toBe('not a trainbook run output');
  });
  it('makes a bundle with our MIME type, a Vega-Lite fallback and text', () => {
    const payload = buildPayload(record(), [{ name: 'val_loss', count: 2, last: 1, step: [0, 1], value: [2, 'Infinity'] }], 's', Date.now());
    const bundle = liveBundle(payload);
    expect(Object.keys(bundle).sort()).toEqual([RUN_MIME, VEGA_LITE_MIME, 'text/plain'].sort());
    // The fallback holds the chart model's lines as columns (unfolded by a flatten transform).
    expect((bundle[VEGA_LITE_MIME] as { data: { values: unknown[] } }).data.values).toEqual([{ group: 'loss', run: 'mlp', series: 'val_loss', x: [0], value: [2], order: 0 }]);
  });
});

describe('live/terminal', () => {
  const payload = (status: RunRecord['status'], epoch: number) => buildPayload(record({ status, progress: { ...record().progress!, epoch } }), [], 's', Date.now());
  it('draws a bar', () => {
    expect(progressBar(0.5, 10)).toBe('[#####-----]');
    expect(terminalLine(payload('running', 1))).toMatch(/^trainbook \[#{8}-{12}\] mlp · running · epoch 2\/4/);
  });
  it('redraws one line on a TTY and ends it when the run ends', () => {
    const out: string[] = [];
    const sink = new TerminalSink({ isTTY: true, columns: 80, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream);
    sink.render(payload('running', 1));
    sink.render(payload('completed', 4));
    expect(out[0]!.startsWith('\r\u001b[2K')).toBe(true);
    expect(out[1]!.endsWith('\n')).toBe(true);
  });
  it('prints one plain line per epoch when stderr is not a terminal', () => {
    const out: string[] = [];
    const sink = new TerminalSink({ isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream);
    for (const epoch of [0, 0, 0, 1, 1, 2]) sink.render(payload('running', epoch));
    sink.render(payload('completed', 3));
    expect(out).toHaveLength(4);
    expect(out.every((line) => !line.includes('\r') && line.endsWith('\n'))).toBe(true);
  });
});
