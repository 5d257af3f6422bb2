import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../../core/src/errors.js';
import { assertParamKey, parseGridAxis, parseParamAssignment, parseParamValue, splitTopLevel } from '../../../sdk/src/headless/params.js';
import { expandGrid, MAX_JOBS } from '../../../sdk/src/headless/grid.js';

describe('headless params', () => {
  describe('parseParamValue()', () => {
    it('reads JSON literals and keeps anything else as text', () => {
      expect(parseParamValue('0.01')).toBe(0.01);
      expect(parseParamValue('1e-3')).toBe(0.001);
      expect(parseParamValue('true')).toBe(true);
      expect(parseParamValue('null')).toBe(null);
      expect(parseParamValue('"3"')).toBe('3');
      expect(parseParamValue('[32, 64]')).toEqual([32, 64]);
      expect(parseParamValue('{"name":"adam"}')).toEqual({ name: 'adam' });
      expect(parseParamValue('adam')).toBe('adam');
      expect(parseParamValue('0.0l')).toBe('0.0l');
      expect(parseParamValue('')).toBe('');
    });
  });

  describe('parseParamAssignment()', () => {
    it('splits at the first =, so values may contain =', () => {
      expect(parseParamAssignment('epochs=3')).toEqual({ key: 'epochs', value: 3 });
      expect(parseParamAssignment('expr=a=b')).toEqual({ key: 'expr', value: 'a=b' });
    });

    it('refuses keys that are not identifiers, with a typed error', () => {
      for (const bad of ['learning-rate=1', '1x=2', 'a.b=3', '=4', 'noequals', 'class=1', 'x y=1']) {
        expect(() => parseParamAssignment(bad)).toThrow(InvalidParameterError);
      }
      expect(() => assertParamKey('$scale_2')).not.toThrow();
    });

    it('accepts constructor and toString, and refuses __proto__, which tslab cannot declare, saying what to do', () => {
      expect(parseParamAssignment('constructor=2')).toEqual({ key: 'constructor', value: 2 });
      expect(parseParamAssignment('toString="x"')).toEqual({ key: 'toString', value: 'x' });
      expect(() => parseParamAssignment('__proto__={"polluted":1}')).toThrow(InvalidParameterError);
      expect(() => parseParamAssignment('__proto__=1')).toThrow(/cannot name a variable in the TypeScript kernel.*rename it/);
      expect(() => parseGridAxis('__proto__=1,2')).toThrow(InvalidParameterError);
    });
  });

  describe('parseGridAxis()', () => {
    it('splits values on top-level commas only', () => {
      expect(parseGridAxis('lr=0.1,0.01')).toEqual({ key: 'lr', values: [0.1, 0.01] });
      expect(parseGridAxis('layers=[1,2],[3,4]')).toEqual({ key: 'layers', values: [[1, 2], [3, 4]] });
      expect(splitTopLevel('"a,b",{"c":[1,2]},x')).toEqual(['"a,b"', '{"c":[1,2]}', 'x']);
    });

    it('refuses empty values', () => {
      expect(() => parseGridAxis('lr=0.1,,0.2')).toThrow(/empty value/);
    });
  });

  describe('expandGrid()', () => {
    it('makes the cartesian product, first axis slowest, with the fixed params', () => {
      const jobs = expandGrid({ epochs: 3 }, [
        { key: 'lr', values: [0.1, 0.01] },
        { key: 'batch', values: [32, 64] },
      ]);
      expect(jobs).toEqual([
        { epochs: 3, lr: 0.1, batch: 32 },
        { epochs: 3, lr: 0.1, batch: 64 },
        { epochs: 3, lr: 0.01, batch: 32 },
        { epochs: 3, lr: 0.01, batch: 64 },
      ]);
    });

    it('gives one job without a grid', () => {
      expect(expandGrid({ lr: 1 }, [])).toEqual([{ lr: 1 }]);
    });

    it('refuses a key given twice and absurdly large grids', () => {
      expect(() => expandGrid({ lr: 1 }, [{ key: 'lr', values: [2] }])).toThrow(InvalidParameterError);
      expect(() => expandGrid({}, [{ key: 'a', values: [1] }, { key: 'a', values: [2] }])).toThrow(/twice/);
      const many = Array.from({ length: 101 }, (_, i) => i);
      expect(() => expandGrid({}, [{ key: 'a', values: many }, { key: 'b', values: many }])).toThrow(String(MAX_JOBS));
    });

    it('keeps __proto__ as a plain key', () => {
      const [job] = expandGrid({}, [{ key: '__proto__', values: [1] }]);
      expect(Object.getPrototypeOf(job)).toBe(Object.prototype);
      expect(Object.keys(job!)).toEqual(['__proto__']);
    });
  });
});
