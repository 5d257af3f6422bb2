/**
 * Tags of a run: plain labels (`tags`, a list of strings) and key-value tags (`tagValues`, JSON
 * scalars by key; see {@link TagValues}). Checking what `init()` is given, reading what a store
 * holds, and the text every view shows. Pure: runs in Node and in the browser.
 */
import { InvalidValueError } from '../errors.js';
import { hasName, nameRecord } from './names.js';
import type { RunRecord, TagValue, TagValues } from './types.js';

/** Tag keys hold at most this many characters, as metric names do. */
export const MAX_TAG_KEY_LENGTH = 1024;

/** True for a value a key-value tag can hold: text, a finite number, a boolean or null. */
export function isTagValue(value: unknown): value is TagValue {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Checks the key-value tags given to `init({ tagValues })` and returns them as a record with no
 * prototype. Throws {@link InvalidValueError} naming the first tag that cannot be stored.
 *
 * @example
 * checkTagValues({ workers: 8, hpo: 'byopt' }); // { workers: 8, hpo: 'byopt' }
 * checkTagValues({ layers: [1, 2] });          // throws: put structured values in params
 */
export function checkTagValues(value: unknown): TagValues {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidValueError('tagValues must be an object of key-value tags, e.g. init({ tagValues: { workers: 8, hpo: "byopt" } }).');
  }
  const checked: TagValues = nameRecord();
  for (const [key, tag] of Object.entries(value)) {
    if (key.length === 0 || key.length > MAX_TAG_KEY_LENGTH) throw new InvalidValueError(`A tag key must hold 1 to ${MAX_TAG_KEY_LENGTH} characters; rename tag ${JSON.stringify(key.slice(0, 40))}.`);
    if (tag === undefined) continue;
    if (!isTagValue(tag)) {
      const what = typeof tag === 'number' ? String(tag) : Array.isArray(tag) ? 'an array' : typeof tag === 'object' ? 'an object' : `a ${typeof tag}`;
      throw new InvalidValueError(`Tag ${JSON.stringify(key)} is ${what}; key-value tags hold text, finite numbers, booleans or null. Put structured values in params or metadata.`);
    }
    checked[key] = tag;
  }
  return checked;
}

/**
 * The key-value tags of a record read from disk: the entries that hold a tag value, in a record
 * with no prototype; undefined when there is no such object (a run.json written without them).
 */
export function coerceTagValues(value: unknown): TagValues | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return nameRecord(Object.entries(value).filter((entry): entry is [string, TagValue] => entry[0] !== '' && isTagValue(entry[1])));
}

/** Key-value tags merged: later layers win key by key (a resumed run keeps its tags and adds new ones). */
export function mergeTagValues(...layers: ReadonlyArray<TagValues | undefined>): TagValues {
  return nameRecord(layers.flatMap((layer) => (layer ? Object.entries(layer) : [])));
}

/** A key-value tag's value as text: strings as they are, the rest as JSON (`8`, `true`, `null`). */
export function tagValueText(value: TagValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Every tag of a run as text, labels first, then `key=value`: what `ls`, `show`, the runs panel
 * and reports show.
 *
 * @example
 * tagTexts({ tags: ['mnist'], tagValues: { workers: 8 } }); // ['mnist', 'workers=8']
 */
export function tagTexts(record: Pick<RunRecord, 'tags' | 'tagValues'>): string[] {
  const values = record.tagValues ?? {};
  return [...record.tags, ...Object.keys(values).filter((key) => hasName(values, key)).map((key) => `${key}=${tagValueText(values[key]!)}`)];
}

/** True when a run has any tag, plain or key-value. */
export function hasTags(record: Pick<RunRecord, 'tags' | 'tagValues'>): boolean {
  return record.tags.length > 0 || Object.keys(record.tagValues ?? {}).length > 0;
}
