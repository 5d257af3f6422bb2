import { type ChronoEvent, type ChronoSummary, nameRecord } from 'trainbook/core';

/** A running timer from `run.chrono(name)`: `stop()` records the elapsed seconds once. */
export interface Chrono {
  readonly name: string;
  /** Records the time since the timer started and returns it in seconds; later calls return the same. */
  stop(): number;
}

/** A timer's running statistics (Welford's method: `m2` is the sum of squared deviations, for a stable sd). */
export interface ChronoStats {
  count: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

/** Adds one measurement to running statistics, in place. */
export function addToStats(stats: ChronoStats, value: number): void {
  stats.count++;
  const delta = value - stats.mean;
  stats.mean += delta / stats.count;
  stats.m2 += delta * (value - stats.mean);
  if (value < stats.min) stats.min = value;
  if (value > stats.max) stats.max = value;
}

interface ChronoState extends ChronoStats {
  times: number[];
  values: number[];
}

/** Timer measurements waiting to be written, and their running statistics. Pure. */
export class ChronoBuffer {
  private readonly chronos = new Map<string, ChronoState>();
  pending = 0;

  add(name: string, seconds: number, time: number): void {
    let state = this.chronos.get(name);
    if (!state) {
      state = { times: [], values: [], count: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity };
      this.chronos.set(name, state);
    }
    state.times.push(time);
    state.values.push(seconds);
    addToStats(state, seconds);
    this.pending++;
  }

  /** Continues a stored timer's statistics (a resumed run); `m2` is Welford's sum of squared deviations. */
  seed(name: string, stored: ChronoStats): void {
    this.chronos.set(name, { times: [], values: [], ...stored });
  }

  drain(): ChronoEvent | null {
    if (this.pending === 0) return null;
    let base = Infinity;
    for (const state of this.chronos.values()) if (state.times.length > 0 && state.times[0]! < base) base = state.times[0]!;
    // Keyed by timer names, so no prototype: a timer called __proto__ is kept like any other.
    const series: ChronoEvent['series'] = nameRecord();
    for (const [name, state] of this.chronos) {
      if (state.values.length === 0) continue;
      series[name] = { time: state.times.map((t) => t - base), value: state.values };
      state.times = [];
      state.values = [];
    }
    this.pending = 0;
    return { type: 'chrono', time: base, series };
  }

  /** avg/min/max/sd (population) /count in seconds, as the 'track' library reports chronos. */
  summaries(): Record<string, ChronoSummary> {
    const result: Record<string, ChronoSummary> = nameRecord();
    for (const [name, s] of this.chronos) {
      result[name] = { avg: s.mean, min: s.min, max: s.max, sd: Math.sqrt(s.m2 / s.count), count: s.count, unit: 's' };
    }
    return result;
  }
}
