/**
 * A run's metric series as `show --json --series` prints them: columns in arrival order, values
 * encoded as the store encodes them (NaN and ±Infinity as text, so they survive JSON), optionally
 * M4-reduced to a bounded number of points per series for charts (a spike always survives).
 */
import { encodeNumber, m4, type EncodedNumber, type Series } from 'trainbook/core';

export interface SeriesJson {
  name: string;
  /** Points the run logged for this metric (the columns may hold fewer when reduced). */
  count: number;
  step: number[];
  /** Wall-clock ms since the Unix epoch. */
  time: number[];
  /** null where a point had no epoch. */
  epoch: Array<number | null>;
  value: EncodedNumber[];
}

/**
 * Each series as JSON columns; with `maxPoints`, at most that many points per series (M4 over the
 * points' order, so step, time, epoch and value stay those of real points).
 */
export function seriesToJson(series: Iterable<Series>, maxPoints: number | null = null): SeriesJson[] {
  return [...series].map((s) => {
    const indices = keptIndices(s, maxPoints);
    return {
      name: s.name,
      count: s.length,
      step: indices.map((i) => s.step[i]!),
      time: indices.map((i) => s.time[i]!),
      epoch: indices.map((i) => (Number.isNaN(s.epoch[i]!) ? null : s.epoch[i]!)),
      value: indices.map((i) => encodeNumber(s.value[i]!)),
    };
  });
}

function keptIndices(s: Series, maxPoints: number | null): number[] {
  const all = Array.from({ length: s.length }, (_, i) => i);
  if (maxPoints === null || s.length <= maxPoints) return all;
  return m4(all, s.value, s.length, Math.max(1, Math.floor(maxPoints / 4))).x;
}
