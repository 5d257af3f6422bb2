/**
 * Text for the hub's query columns. PostgreSQL text (and jsonb) cannot hold U+0000 or unpaired
 * surrogates; names and values are data and may contain anything. In the columns the hub filters
 * and sorts on, NUL becomes U+2400 (␀, "symbol for null") and an unpaired surrogate U+FFFD; the
 * verbatim JSON of the record and the events (where NUL is the escape `\u0000`) keeps the original,
 * so a pull loses nothing. Queries map their names and values the same way, so they still match.
 * Pure.
 */
export const NUL_STAND_IN = '\u2400';

const NEEDS_CLEANING = /[\u0000\ud800-\udfff]/;
const UNPAIRED = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` as a query column holds it. */
export function columnText(text: string): string {
  if (!NEEDS_CLEANING.test(text)) return text;
  return text.replace(/\u0000/g, NUL_STAND_IN).replace(UNPAIRED, '\ufffd');
}

/** A JSON value with every string (keys too) made storable in jsonb. */
export function columnJson(value: unknown): unknown {
  if (typeof value === 'string') return columnText(value);
  if (Array.isArray(value)) return value.map(columnJson);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[columnText(key)] = columnJson(inner);
    return out;
  }
  return value;
}
