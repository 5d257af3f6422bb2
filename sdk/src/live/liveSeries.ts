import { StreamingM4, encodeNumber, type ChartXAxis, type LiveSeries } from 'trainbook/core';

/** Buckets per series in live output: at most 4 × 2 × this many points each. */
export const LIVE_BUCKETS = 48;

/** Rounds for display: 6 significant digits are plenty for a chart and keep the output small. */
function roundForDisplay(value: number): number {
  return Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(6)) : value;
}

/**
 * Every metric of a run downsampled as it arrives (streaming M4), so a live display holds a
 * bounded number of points per metric however long training runs, and no spike is hidden.
 */
export class LiveSeriesTracker {
  private readonly streams = new Map<string, { m4: StreamingM4; last: number; xAxis: ChartXAxis }>();

  /** `x` is the step, or on an `elapsed` axis the seconds since the run started (system metrics). */
  add(values: Record<string, number>, x: number, xAxis: ChartXAxis = 'step'): void {
    for (const name in values) {
      let entry = this.streams.get(name);
      if (!entry) {
        entry = { m4: new StreamingM4(LIVE_BUCKETS), last: NaN, xAxis };
        this.streams.set(name, entry);
      }
      const value = values[name]!;
      entry.m4.push(x, value);
      entry.last = value;
    }
  }

  /** Every series, downsampled; `lastOnly`: name, count and last value without points (a progress line). */
  snapshot(options: { lastOnly?: boolean } = {}): LiveSeries[] {
    const result: LiveSeries[] = [];
    for (const [name, { m4, last, xAxis }] of this.streams) {
      const { x, y } = options.lastOnly ? { x: [], y: [] } : m4.points();
      const series: LiveSeries = { name, count: m4.count, last: encodeNumber(last), step: x, value: y.map((v) => encodeNumber(roundForDisplay(v))) };
      if (xAxis === 'elapsed') series.xAxis = 'elapsed';
      result.push(series);
    }
    return result;
  }
}
