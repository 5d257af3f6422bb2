import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../../../core/src/errors.js';
import { copyNames, hasName, nameRecord, nameValue, setName } from '../../../core/src/format/names.js';
import { coerceRunRecord } from '../../../core/src/format/shape.js';
import { checkTagValues, coerceTagValues, hasTags, mergeTagValues, tagTexts, tagValueText } from '../../../core/src/format/tags.js';
import type { RunRecord } from '../../../core/src/format/types.js';

const record = (fields: Record<string, unknown>): RunRecord => {
  const coerced = coerceRunRecord({ id: 'r1', status: 'completed', startedAt: '2026-01-01T00:00:00Z', ...fields });
  if (typeof coerced === 'string') throw new Error(coerced);
  return coerced;
};

describe('names', () => {
  it('builds records with no prototype whose keys are data, __proto__ included', () => {
    const r = nameRecord([['__proto__', 1], ['constructor', 2], ['toString', 3], ['a', 4], ['a', 5]]);
    expect(Object.getPrototypeOf(r)).toBeNull();
    expect(Object.keys(r)).toEqual(['__proto__', 'constructor', 'toString', 'a']);
    expect(r.a).toBe(5);
    expect(JSON.stringify(r)).toBe('{"__proto__":1,"constructor":2,"toString":3,"a":5}');
    setName(r, '__proto__', 9);
    expect(nameValue(r, '__proto__')).toBe(9);
    const plain: Record<string, number> = {};
    setName(plain, '__proto__', 1);
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(hasName(plain, '__proto__')).toBe(true);
    expect(nameValue({}, 'toString')).toBeUndefined();
    expect(hasName({}, 'constructor')).toBe(false);
    expect(Object.keys(copyNames(JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>))).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('tags', () => {
  describe('checkTagValues()', () => {
    it('keeps text, finite numbers, booleans and null by key, in a record with no prototype', () => {
      const tags = checkTagValues(JSON.parse('{"workers": 8, "hpo": "byopt", "fast": true, "slow": false, "owner": null, "__proto__": "p", "toString": 1}'));
      expect(tags).toEqual(JSON.parse('{"workers": 8, "hpo": "byopt", "fast": true, "slow": false, "owner": null, "__proto__": "p", "toString": 1}'));
      expect(Object.getPrototypeOf(tags)).toBeNull();
      expect(checkTagValues({ a: undefined, b: 1 })).toEqual({ b: 1 });
    });
    it('refuses what is not a scalar, a non-finite number, an empty key or a non-object, saying what to do', () => {
      const refuse = (value: unknown, message: RegExp): void => {
        expect(() => checkTagValues(value)).toThrow(InvalidValueError);
        expect(() => checkTagValues(value)).toThrow(message);
      };
      refuse({ layers: [1, 2] }, /Tag "layers" is an array; .*params or metadata/);
      refuse({ cfg: { a: 1 } }, /Tag "cfg" is an object/);
      refuse({ lr: NaN }, /Tag "lr" is NaN/);
      refuse({ lr: Infinity }, /Tag "lr" is Infinity/);
      refuse({ f: () => 1 }, /Tag "f" is a function/);
      refuse({ '': 1 }, /1 to 1024 characters/);
      refuse(['a'], /must be an object of key-value tags/);
      refuse('a', /must be an object of key-value tags/);
    });
  });

  it('reads key-value tags from disk, dropping what no tag can hold; absent stays absent', () => {
    expect(coerceTagValues({ a: 1, b: [1], c: { x: 1 }, d: 'x', e: null, '': 1 })).toEqual({ a: 1, d: 'x', e: null });
    expect(coerceTagValues('nope')).toBeUndefined();
    expect(record({}).tagValues).toBeUndefined();
    expect('tagValues' in record({})).toBe(false);
    expect(record({ tagValues: { workers: 8 } }).tagValues).toEqual({ workers: 8 });
  });

  it('shows labels, then key=value, and merges layers key by key', () => {
    const r = record({ tags: ['mnist'], tagValues: { workers: 8, hpo: 'byopt', fast: true, owner: null } });
    expect(tagTexts(r)).toEqual(['mnist', 'workers=8', 'hpo=byopt', 'fast=true', 'owner=null']);
    expect(tagValueText('8')).toBe('8');
    expect(hasTags(r)).toBe(true);
    expect(hasTags(record({}))).toBe(false);
    expect(hasTags(record({ tagValues: { a: 1 } }))).toBe(true);
    expect(mergeTagValues({ a: 1, b: 2 }, undefined, { b: 3 })).toEqual({ a: 1, b: 3 });
  });
});

describe('coerceRunRecord()', () => {
  it('gives records keyed by names no prototype, so a missing toString is missing', () => {
    const r = record({ params: { lr: 1 }, summary: { loss: { last: 1, min: 1, max: 1, count: 1, step: 0 } }, chronos: {}, metadata: {} });
    for (const field of [r.params, r.summary, r.chronos, r.metadata]) {
      expect(Object.getPrototypeOf(field)).toBeNull();
      expect((field as Record<string, unknown>).toString).toBeUndefined();
    }
    const named = record(JSON.parse('{"summary": {"__proto__": {"last": 1, "min": 1, "max": 1, "count": 1, "step": 0}}, "params": {"constructor": 2}}'));
    expect(Object.keys(named.summary)).toEqual(['__proto__']);
    expect(named.params.constructor).toBe(2);
  });

  it("keeps an import's origin when it has the expected shape", () => {
    expect(record({ origin: { format: 'track', keys: ['a'], verbatim: { a: 1 } } }).origin).toEqual({ format: 'track', keys: ['a'], verbatim: { a: 1 } });
    expect('origin' in record({ origin: { format: 'other', keys: [], verbatim: {} } })).toBe(false);
    expect('origin' in record({ origin: { format: 'track', keys: [1], verbatim: {} } })).toBe(false);
  });
});
