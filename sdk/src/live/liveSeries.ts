import { StreamingM4, encodeNumber, type ChartXAxis, type LiveSeries } from 'trainbook/core';

/** Buckets per series in live output: at most 4 × 2 × this many points each. */
export const LIVE_BUCKETS = 48;

/** Rounds for display: 6 significant digits are plenty for a chart and keep the output small. */
function roundForDisplay(value: number): number {
  return Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(6)) : value;
}

interface LiveStream {
  /** Null when only last values are shown (a progress line): no points are kept. */
  m4: StreamingM4 | null;
  count: number;
  last: number;
  xAxis: ChartXAxis;
}

/**
 * Every metric of a run downsampled as it arrives (streaming M4), so a live display holds a
 * bounded number of points per metric however long training runs, and no spike is hidden.
 * `keepPoints: false` keeps each series' count and last value only (a progress line).
 */
export class LiveSeriesTracker {
  private readonly streams = new Map<string, LiveStream>();

  constructor(private readonly keepPoints = true) {}

  /** `x` is the step, or on an `elapsed` axis the seconds since the run started (system metrics). */
  add(values: Readonly<Record<string, number>>, x: number, xAxis: ChartXAxis = 'step'): void {
    for (const name in values) this.addPoint(name, x, values[name]!, xAxis);
  }

  /** One point of one series. */
  addPoint(name: string, x: number, value: number, xAxis: ChartXAxis = 'step'): void {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = { m4: this.keepPoints ? new StreamingM4(LIVE_BUCKETS) : null, count: 0, last: NaN, xAxis };
      this.streams.set(name, stream);
    }
    stream.m4?.push(x, value);
    stream.count++;
    stream.last = value;
  }

  /** Every series, downsampled; `lastOnly` (or a tracker without points): name, count and last value, no points. */
  snapshot(options: { lastOnly?: boolean } = {}): LiveSeries[] {
    const result: LiveSeries[] = [];
    for (const [name, { m4, count, last, xAxis }] of this.streams) {
      const { x, y } = options.lastOnly || !m4 ? { x: [], y: [] } : m4.points();
      const series: LiveSeries = { name, count, last: encodeNumber(last), step: x, value: y.map((v) => encodeNumber(roundForDisplay(v))) };
      if (xAxis === 'elapsed') series.xAxis = 'elapsed';
      result.push(series);
    }
    return result;
  }
}
