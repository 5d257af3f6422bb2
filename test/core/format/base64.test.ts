import { describe, expect, it } from 'vitest';
import { decodeFloat64Into, encodeFloat64, float64Count } from '../../../core/src/format/base64.js';
import { eventProblem } from '../../../core/src/format/shape.js';
import { collectSeries } from '../../../core/src/format/series.js';
import { MetricBuffer, BINARY_MIN_POINTS } from '../../../sdk/src/run/metricBuffer.js';

describe('format/base64', () => {
  it('round-trips every double exactly, NaN, ±Infinity, -0 and subnormals included', () => {
    const values = [0, -0, 1.5, Math.PI, 5e-324, -1.7976931348623157e308, NaN, Infinity, -Infinity, 0.1 + 0.2];
    const text = encodeFloat64(values);
    expect(float64Count(text)).toBe(values.length);
    const back = new Float64Array(values.length + 2);
    expect(decodeFloat64Into(text, back, 2)).toBe(values.length);
    values.forEach((v, i) => expect(Object.is(back[i + 2], v)).toBe(true));
  });
  it('fills a column whose bytes do not add up with NaN instead of misreading it', () => {
    expect(float64Count('AAAAAAAA8D8=')).toBe(1); // the 8 bytes of 1.0
    const target = new Float64Array(1).fill(7);
    expect(decodeFloat64Into('AAAA!!!!AAA=', target, 0)).toBe(1); // right length, bytes that are not base64
    expect(target[0]).toBeNaN();
    expect(float64Count('abc')).toBe(-1);
    const untouched = new Float64Array(1).fill(7);
    expect(decodeFloat64Into('AAAAAAAA8D', untouched, 0)).toBe(0); // a length no column has: nothing decoded
    expect(untouched[0]).toBe(7);
  });
});

describe('MetricBuffer', () => {
  it(`writes batches of ${BINARY_MIN_POINTS}+ points as base64 float64 and smaller ones as JSON, both read back exactly`, () => {
    const buffer = new MetricBuffer();
    for (let i = 0; i < BINARY_MIN_POINTS; i++) buffer.add({ big: i === 3 ? NaN : i / 3 }, i, 1000, undefined);
    buffer.add({ small: -Infinity }, 0, 1000, undefined);
    const event = buffer.drain()!;
    expect(typeof event.series.big!.valueF64).toBe('string');
    expect(event.series.big!.value).toBeUndefined();
    expect(event.series.small!.value).toEqual(['-Infinity']);
    const parsed = JSON.parse(JSON.stringify(event));
    expect(eventProblem(parsed)).toBeNull();
    const series = collectSeries([parsed]);
    const big = series.get('big')!;
    expect(big.length).toBe(BINARY_MIN_POINTS);
    expect(big.value[3]).toBeNaN();
    expect(big.value[6]).toBe(2);
    expect(series.get('small')!.value[0]).toBe(-Infinity);
  });
  it('refuses a binary column whose length disagrees with its time column', () => {
    const event = { type: 'metrics', time: 1, series: { x: { time: [0, 0], valueF64: encodeFloat64([1]), stepStart: 0 } } };
    expect(eventProblem(event)).toBe('series "x" has columns of different lengths');
  });
});
