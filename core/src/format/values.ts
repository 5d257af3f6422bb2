/**
 * The one formatter of stored values for people: params and metric values in the CLI's tables, the
 * report, the runs panel and the compare view. Pure.
 */
import { decodeNumber, formatNumber } from './numbers.js';

/** Shown where a run has no value. */
export const MISSING_VALUE = '—';

/**
 * Text for a stored value: numbers (NaN and ±Infinity included, in their stored encoding too) with
 * a few significant digits, text as is, anything else as JSON, a missing value as '—'.
 *
 * @example
 * formatValue(0.123456);    // '0.1235'
 * formatValue('Infinity');  // 'Infinity'
 * formatValue(undefined);   // '—'
 * formatValue([1, 2]);      // '[1,2]'
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return MISSING_VALUE;
  if (typeof value === 'number' || value === 'NaN' || value === 'Infinity' || value === '-Infinity') return formatNumber(decodeNumber(value));
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}
