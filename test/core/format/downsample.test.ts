import { describe, expect, it } from 'vitest';
import { m4, StreamingM4 } from '../../../core/src/format/downsample.js';

function noisy(length: number, spikeAt: number): Float64Array {
  const y = new Float64Array(length);
  for (let i = 0; i < length; i++) y[i] = Math.sin(i / 50) + (i === spikeAt ? 100 : 0);
  return y;
}

describe('format/downsample', () => {
  describe('m4()', () => {
    it('keeps at most 4 points per bucket, in order, with first, last and a one-step spike', () => {
      const length = 100_000;
      const x = Float64Array.from({ length }, (_, i) => i);
      const y = noisy(length, 31_337);
      const out = m4(x, y, length, 200);
      expect(out.x.length).toBeLessThanOrEqual(800);
      expect(out.x[0]).toBe(0);
      expect(out.x.at(-1)).toBe(length - 1);
      expect(out.x.every((v, i) => i === 0 || v > out.x[i - 1]!)).toBe(true);
      expect(Math.max(...out.y)).toBe(y[31_337]);
      expect(out.x).toContain(31_337);
    });
    it('returns short series unchanged', () => {
      expect(m4([1, 2, 3], [4, 5, 6], 3, 10)).toEqual({ x: [1, 2, 3], y: [4, 5, 6] });
    });
  });

  describe('StreamingM4', () => {
    it('stays bounded however many points arrive and never hides a spike', () => {
      for (const length of [10, 1_000, 100_000]) {
        const y = noisy(length, Math.floor(length * 0.77));
        const stream = new StreamingM4(64);
        for (let i = 0; i < length; i++) stream.push(i, y[i]!);
        const out = stream.points();
        expect(out.x.length).toBeLessThanOrEqual(4 * 2 * 64 + 4);
        expect(out.x[0]).toBe(0);
        expect(out.x.at(-1)).toBe(length - 1);
        expect(Math.max(...out.y)).toBe(Math.max(...y));
        expect(Math.min(...out.y)).toBe(Math.min(...y));
        expect(out.x.every((v, i) => i === 0 || v > out.x[i - 1]!)).toBe(true);
        expect(stream.count).toBe(length);
      }
    });
    it('keeps NaN and Infinity points visible as values without letting NaN win min or max', () => {
      const stream = new StreamingM4(2);
      [NaN, 1, 2, Infinity, 0, 5, 6, 7, 8, 9].forEach((v, i) => stream.push(i, v));
      const out = stream.points();
      expect(out.y).toContain(Infinity);
      expect(out.y).toContain(0);
    });
  });
});
