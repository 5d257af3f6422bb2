import { describe, expect, it } from 'vitest';
import { emaSmooth } from '../../../core/src/charts/smoothing.js';

describe('emaSmooth()', () => {
  it('gives the debiased moving average (hand-computed at weight 0.5)', () => {
    // last: 0.5, 1.25, 2.125; debias: 0.5, 0.75, 0.875.
    const smoothed = emaSmooth([1, 2, 3], 0.5);
    expect(smoothed[0]).toBe(1);
    expect(smoothed[1]).toBeCloseTo(5 / 3, 12);
    expect(smoothed[2]).toBeCloseTo(17 / 7, 12);
  });

  it('starts every curve at its first value, whatever the weight (no pull towards 0)', () => {
    for (const weight of [0.1, 0.6, 0.99]) expect(emaSmooth([42, 0, 0], weight)[0]).toBeCloseTo(42, 10);
    // Weight 0.9: last 1, 0.9 + 0.1*11 = 2.0; debias 0.1, 0.19.
    expect(emaSmooth([10, 11], 0.9)[1]).toBeCloseTo(2 / 0.19, 10);
  });

  it('gives the values back at weight 0', () => {
    expect([...emaSmooth([3, -1, NaN, 7], 0)]).toEqual([3, -1, NaN, 7]);
  });

  it('passes NaN and ±Infinity through without moving the average', () => {
    const smoothed = emaSmooth([Infinity, 4, NaN, 2, -Infinity], 0.5);
    expect(smoothed[0]).toBe(Infinity);
    expect(smoothed[1]).toBe(4);
    expect(smoothed[2]).toBeNaN();
    // As if the non-finite points were not there: [4, 2] smoothed is 8/3.
    expect(smoothed[3]).toBeCloseTo(8 / 3, 12);
    expect(smoothed[4]).toBe(-Infinity);
  });

  it('keeps a flat curve exactly flat', () => {
    expect([...emaSmooth([0.1, 0.1, NaN, 0.1, 0.1], 0.95)]).toEqual([0.1, 0.1, NaN, 0.1, 0.1]);
  });

  it('does not change its input, and reads typed arrays', () => {
    const input = new Float32Array([1, 2, 3]);
    const smoothed = emaSmooth(input, 0.5);
    expect([...input]).toEqual([1, 2, 3]);
    expect(smoothed).toBeInstanceOf(Float64Array);
    expect(emaSmooth([], 0.5)).toHaveLength(0);
  });

  it('refuses a weight outside [0, 1)', () => {
    for (const weight of [1, -0.1, NaN, 2]) expect(() => emaSmooth([1], weight)).toThrow(RangeError);
  });
});
