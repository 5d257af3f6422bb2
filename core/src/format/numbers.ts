/**
 * JSON has no NaN or ±Infinity (`JSON.stringify(NaN)` is `null`), but a diverging loss is a result
 * worth keeping. In stored JSON a non-finite number is written as one of these strings; a metric
 * value is never a string otherwise, so the encoding cannot be confused with data.
 */
export type EncodedNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export function encodeNumber(value: number): EncodedNumber {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

/** Decodes what {@link encodeNumber} wrote; anything else (null, a stray string) decodes to NaN. */
export function decodeNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return NaN;
}

/** Formats a number for people: NaN and ±Infinity by name, others with a few significant digits. */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '';
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(digits - 1);
  return String(Number(value.toPrecision(digits)));
}
