import { InvalidValueError, ParamCollisionError } from '../errors.js';
import { encodeNumber, type EncodedNumber } from './numbers.js';
import { hasName, nameRecord, setName } from './names.js';

/** A stored param value: JSON, with non-finite numbers encoded. */
export type ParamValue = string | EncodedNumber | boolean | null | ParamValue[] | { [key: string]: ParamValue };
export type FlatParams = Record<string, ParamValue>;

/**
 * Flattens nested params to dotted keys: `{ optimizer: { name: 'adam' } }` becomes
 * `{ 'optimizer.name': 'adam' }`. Arrays are values, not nested. Two inputs that would land on the
 * same key are refused with a {@link ParamCollisionError}; values that cannot be stored
 * (functions, symbols, BigInt beyond 2^53-1) with an {@link InvalidValueError}. `undefined` is left out, as JSON
 * does. The input is never modified. Keys are data: the result (and each nested object value) has
 * no prototype, so `__proto__`, `constructor` or `toString` are kept as params like any other.
 */
export function flattenParams(params: Record<string, unknown>): FlatParams {
  const flat: FlatParams = nameRecord();
  const seen = new Set<object>();
  const visit = (value: unknown, prefix: string): void => {
    if (value === undefined) return;
    if (isPlainObject(value)) {
      if (seen.has(value)) throw new InvalidValueError(`Param "${prefix}" refers to itself; params must be a tree.`);
      seen.add(value);
      const entries = Object.entries(value);
      if (entries.length === 0 && prefix !== '') put(prefix, null);
      for (const [key, child] of entries) visit(child, prefix === '' ? key : `${prefix}.${key}`);
      seen.delete(value);
      return;
    }
    if (prefix === '') throw new InvalidValueError('Params must be an object, e.g. { lr: 0.01 }.');
    put(prefix, toParamValue(value, prefix));
  };
  const put = (key: string, value: ParamValue): void => {
    if (hasName(flat, key)) throw new ParamCollisionError(key);
    setName(flat, key, value);
  };
  visit(params, '');
  return flat;
}

/** Merges flat param layers: later layers win key by key (explicit `init({ params })` beats defaults). */
export function mergeParams(...layers: FlatParams[]): FlatParams {
  return nameRecord(layers.flatMap((layer) => Object.entries(layer)));
}

function toParamValue(value: unknown, key: string): ParamValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return encodeNumber(value);
    case 'bigint':
      if (Number.isSafeInteger(Number(value))) return Number(value);
      throw new InvalidValueError(`Param "${key}" is a BigInt beyond 2^53-1; pass it as a string to keep it exactly.`);
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return value.toISOString();
      if (Array.isArray(value)) return value.map((item, i) => (item === undefined ? null : toParamValue(item, `${key}[${i}]`)));
      if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, (n) => encodeNumber(Number(n)));
      if (isPlainObject(value)) {
        const nested: { [key: string]: ParamValue } = nameRecord();
        for (const [k, v] of Object.entries(value)) if (v !== undefined) setName(nested, k, toParamValue(v, `${key}.${k}`));
        return nested;
      }
      return String(value);
    default:
      throw new InvalidValueError(
        `Param "${key}" is a ${typeof value}; params hold strings, numbers, booleans, null, arrays and nested objects.`,
      );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
