import { describe, expect, it } from 'vitest';
import { InvalidValueError, ParamCollisionError } from '../../../core/src/errors.js';
import { flattenParams, mergeParams } from '../../../core/src/format/params.js';

describe('format/params', () => {
  describe('flattenParams()', () => {
    it('flattens nested objects to dotted keys and keeps arrays as values', () => {
      expect(flattenParams({ lr: 1e-3, optimizer: { name: 'adam', beta: { b1: 0.9 } }, layers: [64, 32], on: true, none: null })).toEqual({
        lr: 1e-3,
        'optimizer.name': 'adam',
        'optimizer.beta.b1': 0.9,
        layers: [64, 32],
        on: true,
        none: null,
      });
    });
    it('refuses keys that collide once flattened, naming the key', () => {
      expect(() => flattenParams({ 'a.b': 1, a: { b: 2 } })).toThrow(ParamCollisionError);
      expect(() => flattenParams({ 'a.b': 1, a: { b: 2 } })).toThrow(/"a\.b"/);
    });
    it('encodes NaN and Infinity instead of losing them', () => {
      expect(JSON.parse(JSON.stringify(flattenParams({ x: NaN, y: -Infinity })))).toEqual({ x: 'NaN', y: '-Infinity' });
    });
    it('refuses functions and symbols with a typed error naming the param', () => {
      expect(() => flattenParams({ f: () => 1 })).toThrow(InvalidValueError);
      expect(() => flattenParams({ deep: { s: Symbol('x') } })).toThrow(/deep\.s/);
    });
    it('refuses BigInt beyond 2^53 and keeps small ones as numbers', () => {
      expect(flattenParams({ n: 5n })).toEqual({ n: 5 });
      expect(() => flattenParams({ n: 2n ** 60n })).toThrow(InvalidValueError);
    });
    it('does not modify its input', () => {
      const input = { a: { b: [1, 2] }, c: 'x' };
      const copy = structuredClone(input);
      flattenParams(input);
      expect(input).toEqual(copy);
    });
    it('refuses cycles', () => {
      const a: Record<string, unknown> = {};
      a.self = a;
      expect(() => flattenParams(a)).toThrow(InvalidValueError);
    });
    it('keeps a "__proto__" key as data, never as the prototype', () => {
      const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "lr": 0.1}') as Record<string, unknown>;
      const flat = flattenParams(hostile);
      expect(Object.keys(flat).sort()).toEqual(['__proto__.polluted', 'lr']);
      const direct = flattenParams(JSON.parse('{"a": {"__proto__": 5}}') as Record<string, unknown>);
      expect(Object.getPrototypeOf(direct)).toBeNull();
      expect(Object.keys(direct)).toEqual(['a.__proto__']);
      const top = mergeParams({}, JSON.parse('{"__proto__": 7}') as Record<string, never>);
      expect(Object.keys(top)).toEqual(['__proto__']);
      expect(Object.getPrototypeOf(top)).toBeNull();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
    it('keeps __proto__, constructor and toString keys of objects inside arrays, and inherits nothing', () => {
      const flat = flattenParams(JSON.parse('{"layers": [{"__proto__": {"units": 8}, "constructor": 1, "toString": "x"}]}') as Record<string, unknown>);
      expect(JSON.stringify(flat)).toBe('{"layers":[{"__proto__":{"units":8},"constructor":1,"toString":"x"}]}');
      // Only what the params hold: no inherited toString or constructor.
      expect(flat.toString).toBeUndefined();
      expect(flattenParams({ lr: 1 }).constructor).toBeUndefined();
      expect(({} as Record<string, unknown>).units).toBeUndefined();
    });
  });
  describe('mergeParams()', () => {
    it('lets later layers win', () => {
      expect(mergeParams({ a: 1, b: 2 }, { b: 3 })).toEqual({ a: 1, b: 3 });
    });
  });
});
