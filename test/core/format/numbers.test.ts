import { describe, expect, it } from 'vitest';
import { decodeNumber, encodeNumber, formatNumber } from '../../../core/src/format/numbers.js';

describe('format/numbers', () => {
  describe('encodeNumber / decodeNumber', () => {
    it.each([0, -0.5, 1e-300, 1.7976931348623157e308, 0.1 + 0.2, NaN, Infinity, -Infinity])('round-trips %s through JSON', (value) => {
      const back = decodeNumber(JSON.parse(JSON.stringify(encodeNumber(value))));
      expect(Object.is(back, value) || (value === 0 && back === 0)).toBe(true);
    });
    it('never produces null for a non-finite number', () => {
      expect(JSON.stringify([NaN, Infinity, -Infinity].map(encodeNumber))).toBe('["NaN","Infinity","-Infinity"]');
    });
  });
  describe('formatNumber', () => {
    it('names non-finite values', () => {
      expect([NaN, Infinity, -Infinity].map((v) => formatNumber(v))).toEqual(['NaN', 'Infinity', '-Infinity']);
    });
    it('keeps a few significant digits', () => {
      expect(formatNumber(0.123456)).toBe('0.1235');
      expect(formatNumber(12)).toBe('12');
      expect(formatNumber(0.00001234)).toBe('1.234e-5');
    });
  });
});
