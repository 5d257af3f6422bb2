import { describe, expect, it } from 'vitest';
import { MAX_LITERAL_DEPTH, MAX_PARAMETERS_SOURCE, parseParametersCell } from '../../../core/src/experiments/parameters.js';

describe('parseParametersCell()', () => {
  it('reads top-level const/let/var literals', () => {
    const { params, problems } = parseParametersCell(`const lr = 0.01;\nlet epochs = 3\nvar name = "mlp"; const on = true, off = false;\nconst none = null`);
    expect(problems).toEqual([]);
    expect(params).toEqual({ lr: 0.01, epochs: 3, name: 'mlp', on: true, off: false, none: null });
  });

  it('reads nested objects and arrays with trailing commas, negative numbers and comments', () => {
    const source = `
      // the optimizer
      const optimizer = {
        name: 'adam', /* beta */ "beta1": 0.9,
        betas: [0.9, -0.999, -1e-3, +2,],
        nested: { deep: [[1, 2], { x: .5 }], },
      };
      const layers = [64, 32,] // widths
    `;
    const { params, problems } = parseParametersCell(source);
    expect(problems).toEqual([]);
    expect(params).toEqual({
      optimizer: { name: 'adam', beta1: 0.9, betas: [0.9, -0.999, -0.001, 2], nested: { deep: [[1, 2], { x: 0.5 }] } },
      layers: [64, 32],
    });
  });

  it('reads template strings without substitutions, escapes, hex, separators, NaN and Infinity', () => {
    const { params, problems } = parseParametersCell("const a = `multi\nline`\nconst b = 'it\\'s \\u00e9\\x41\\u{1F600}'\nconst c = 0xff\nconst d = 1_000\nconst e = -Infinity\nconst f = NaN");
    expect(problems).toEqual([]);
    expect(params).toEqual({ a: 'multi\nline', b: "it's éA😀", c: 255, d: 1000, e: -Infinity, f: NaN });
  });

  it('skips type annotations and `as const`', () => {
    const { params, problems } = parseParametersCell(`const lr: number = 0.1\nconst opt: { name: string; list: Array<number> } = { name: 'sgd', list: [1] } as const;`);
    expect(problems).toEqual([]);
    expect(params).toEqual({ lr: 0.1, opt: { name: 'sgd', list: [1] } });
  });

  it('rejects anything that is not a literal, with its position, and keeps reading', () => {
    const { params, problems } = parseParametersCell(`const a = 1\nconst b = a * 2\nconst c = Math.random()\nconst d = { e }\nconst f = \`x\${a}\`\nconsole.log(a)\nconst g = 'ok'`);
    expect(params).toEqual({ a: 1, g: 'ok' });
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6]);
    expect(problems[0]!.message).toMatch(/'a' is not a literal/);
    expect(problems[2]!.message).toMatch(/shorthand/);
    expect(problems[3]!.message).toMatch(/substitutions/);
    expect(problems[4]).toMatchObject({ line: 6, column: 1 });
  });

  it('keeps no part of a declaration list with a non-literal', () => {
    expect(parseParametersCell('const a = 1, b = f()').params).toEqual({});
  });

  it('never evaluates: calls, getters, functions and spreads are refused', () => {
    const { params, problems } = parseParametersCell(`const x = (() => { throw 1 })()\nconst y = { get z() { return 1 } }\nconst s = [...[1]]\nconst fn = function () {}`);
    expect(params).toEqual({});
    expect(problems).toHaveLength(4);
  });

  it('keeps __proto__ as an own key, never a prototype', () => {
    const { params } = parseParametersCell('const o = { "__proto__": { polluted: true }, __proto__: 1 }');
    const o = params.o as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBeNull();
    expect(Object.prototype.hasOwnProperty.call(o, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports an unterminated string or comment and keeps what came before', () => {
    const result = parseParametersCell("const a = 1\nconst b = 'open\nconst c = 2");
    expect(result.params).toMatchObject({ a: 1 });
    expect(result.problems[0]).toMatchObject({ line: 2, message: 'unterminated string' });
    expect(parseParametersCell('const a = 1 /* never closed').problems[0]!.message).toBe('unterminated comment');
  });

  it('refuses BigInt and octal escapes', () => {
    expect(parseParametersCell('const a = 10n').problems[0]!.message).toMatch(/BigInt/);
    expect(parseParametersCell("const a = '\\01'").problems[0]!.message).toMatch(/octal/);
  });

  describe('hostile input', () => {
    it('refuses nesting beyond the bound without a stack overflow', () => {
      const deep = `const a = ${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const { params, problems } = parseParametersCell(deep);
      expect(params).toEqual({});
      expect(problems[0]!.message).toMatch(new RegExp(`deeper than ${MAX_LITERAL_DEPTH}`));
    });

    it('refuses a source beyond the size bound at once', () => {
      const started = Date.now();
      const { problems } = parseParametersCell('x'.repeat(MAX_PARAMETERS_SOURCE + 1));
      expect(problems[0]!.message).toMatch(/longer than/);
      expect(Date.now() - started).toBeLessThan(100);
    });

    it('reads large inputs just under the bound in linear time', () => {
      const many = Array.from({ length: 8000 }, (_, i) => `const v${i} = [${i}, "s${i}", { k: -${i}.5 }]`).join('\n').slice(0, MAX_PARAMETERS_SOURCE);
      const garbage = '((((((((({{{{{{{[[[[[[ ' .repeat(10_000).slice(0, MAX_PARAMETERS_SOURCE);
      const unclosed = `const a = ${'{a:'.repeat(30)}`.repeat(5000).slice(0, MAX_PARAMETERS_SOURCE);
      const started = Date.now();
      expect(Object.keys(parseParametersCell(many).params).length).toBeGreaterThan(1000);
      expect(parseParametersCell(garbage).problems.length).toBeGreaterThan(0);
      expect(parseParametersCell(unclosed).problems.length).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('treats odd characters as problems, not crashes', () => {
      for (const source of ['\u0000', 'const = 1', 'const a =', 'const a = -', 'const a = {1: }', '}}}', 'let', '`', 'const a = 0x', 'const a = 1e', 'const a = 1__0']) {
        const result = parseParametersCell(source);
        expect(result.problems.length, source).toBeGreaterThan(0);
      }
    });
  });
});
