import { describe, expect, it } from 'vitest';
import { formatValue } from 'trainbook/core';

describe('formatValue', () => {
  it('shows numbers with a few significant digits wherever a value is shown (compare view and report alike)', () => {
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(32)).toBe('32');
  });

  it('names non-finite values, stored encoded or not', () => {
    expect([NaN, 'NaN', Infinity, '-Infinity'].map(formatValue)).toEqual(['NaN', 'NaN', 'Infinity', '-Infinity']);
  });

  it('keeps text, writes other values as JSON, and a missing value as a dash', () => {
    expect(formatValue('adam')).toBe('adam');
    expect(formatValue([1, 2])).toBe('[1,2]');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(undefined)).toBe('—');
  });
});
