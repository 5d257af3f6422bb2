import { describe, expect, it } from 'vitest';
import { startsWith } from '../../../extension/src/renderer/liveCharts.js';
import { elapsedSeconds } from '../../../extension/src/renderer/header.js';
import { progressLabel } from '../../../extension/src/renderer/progress.js';
import type { LivePayload, LiveProgress, LiveSeries } from '../../../core/src/live/payload.js';
import { liveChartModel, chartRows } from '../../../core/src/charts/model.js';

const progress = (p: Partial<LiveProgress>): LiveProgress => ({
  epoch: null, epochs: null, batch: null, batches: null, fraction: null, elapsedSeconds: 0, etaSeconds: null, ...p,
});
const series = (name: string, value: LiveSeries['value'], last = value[value.length - 1]!): LiveSeries => ({
  name, count: value.length, last, step: value.map((_, i) => i), value,
});

/** An English bundle, as JupyterLab's null translator gives it: `%1`… replaced by the arguments. */
const english = { __: (text: string, ...args: unknown[]) => text.replace(/%(\d+)/g, (_, i: string) => String(args[Number(i) - 1])) };

describe('progressLabel()', () => {
  it('shows the epoch under way, batches done, percentage and ETA', () => {
    expect(progressLabel(progress({ epoch: 2, epochs: 10, batch: 120, batches: 469, fraction: 0.4321, etaSeconds: 65 }), english))
      .toBe('epoch 3/10 · batch 120/469 · 43% · ETA 1m 05s');
  });
  it('caps the epoch at the total once the last one is done', () => {
    expect(progressLabel(progress({ epoch: 10, epochs: 10, fraction: 1 }), english)).toBe('epoch 10/10 · 100%');
  });
  it('leaves out what is unknown', () => {
    expect(progressLabel(progress({}), english)).toBe('');
  });
});

describe('startsWith()', () => {
  const rows = (values: number[]) => chartRows(liveChartModel({ series: [series('loss', values)] }).groups[0]!);
  it('accepts a prefix, so only the new rows are streamed', () => {
    expect(startsWith(rows([1, 2, 3]), rows([1, 2]))).toBe(true);
    expect(startsWith(rows([1, 2]), [])).toBe(true);
  });
  it('rejects rows that changed (a re-downsampled series) or shrank', () => {
    expect(startsWith(rows([1, 2.5, 3]), rows([1, 2]))).toBe(false);
    expect(startsWith(rows([1]), rows([1, 2]))).toBe(false);
  });
});

describe('elapsedSeconds()', () => {
  const payload = (p: Partial<LivePayload>, run: Partial<LivePayload['run']> = {}): LivePayload => ({
    version: 1, progress: null, updatedAt: 0, series: [], ...p,
    run: { id: 'r', name: 'r', experiment: null, store: '', status: 'completed', startedAt: '', endedAt: null, error: null, ...run },
  });
  it('prefers the progress', () => {
    expect(elapsedSeconds(payload({ progress: progress({ elapsedSeconds: 12 }) }))).toBe(12);
  });
  it('falls back on the timestamps', () => {
    expect(elapsedSeconds(payload({}, { startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:01:30Z' }))).toBe(90);
    expect(elapsedSeconds(payload({}, { startedAt: 'garbage' }))).toBeNull();
  });
});
