import { describe, expect, it } from 'vitest';
import { injectedSource, injectParameters, INJECTED_TAG, valueSource } from '../../../sdk/src/headless/inject.js';
import { parseNotebook, runnableCells, type NotebookJson } from '../../../sdk/src/headless/notebook.js';
import { InvalidParameterError, NotebookFormatError } from '../../../core/src/errors.js';
import { parseParametersCell } from '../../../core/src/experiments/parameters.js';

const code = (source: string, tags: string[] = [], id?: string) => ({ cell_type: 'code', ...(id ? { id } : {}), metadata: { tags }, source, outputs: [], execution_count: null });
const notebook = (cells: ReturnType<typeof code>[]): NotebookJson => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });

describe('injectParameters()', () => {
  it('puts the injected cell right after the parameters cell and merges the params', () => {
    const nb = notebook([code('import x', [], 'a'), code('const lr = 0.1;\nconst epochs = 2;', ['parameters'], 'p'), code('train()', [], 'b')]);
    const result = injectParameters(nb, { lr: 0.01 });
    expect(result.notebook.cells.map((c) => c.id)).toEqual(['a', 'p', 'trainbook-injected-parameters', 'b']);
    expect(result.injectedIndex).toBe(2);
    expect(result.notebook.cells[2]!.metadata!.tags).toEqual([INJECTED_TAG]);
    expect(result.declared).toEqual({ lr: 0.1, epochs: 2 });
    expect(result.effective).toEqual({ lr: 0.01, epochs: 2 });
    expect(result.undeclared).toEqual([]);
    expect(nb.cells).toHaveLength(3); // the input is not changed
  });

  it('keeps parameters named __proto__, constructor and toString, declared and injected, as data', () => {
    const nb = notebook([code('const __proto__ = { a: 1 };\nconst constructor = 2;\nconst lr = 0.1;', ['parameters'], 'p'), code('train()', [], 'b')]);
    const given = JSON.parse('{"cfg": {"__proto__": {"polluted": 1}}, "toString": "x"}') as Record<string, unknown>;
    const result = injectParameters(nb, given);
    expect(Object.keys(result.declared)).toEqual(['__proto__', 'constructor', 'lr']);
    expect(Object.keys(result.effective)).toEqual(['__proto__', 'constructor', 'lr', 'cfg', 'toString']);
    expect(result.effective.__proto__).toEqual({ a: 1 });
    expect(Object.keys(result.effective.cfg as object)).toEqual(['__proto__']);
    expect(result.undeclared).toEqual(['cfg', 'toString']);
    expect(result.notebook.cells[1]!.source).toBe('// Parameters injected by `trainbook run`.\nconst cfg = {["__proto__"]: {"polluted": 1}};\nconst toString = "x";');
    // tslab cannot declare a variable named __proto__: refused, not injected.
    expect(() => injectParameters(nb, JSON.parse('{"__proto__": 1}'))).toThrow(InvalidParameterError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('puts it first when there is no parameters cell, and lists undeclared keys', () => {
    const result = injectParameters(notebook([code('train()')]), { lr: 0.01 });
    expect(result.injectedIndex).toBe(0);
    expect(result.parametersIndex).toBeNull();
    expect(result.undeclared).toEqual(['lr']);
  });

  it('replaces a previously injected cell instead of stacking', () => {
    const nb = notebook([code('const lr = 0.1;', ['parameters'], 'p'), code('const lr = 0.5;', [INJECTED_TAG], 'old'), code('train()', [], 'b')]);
    const once = injectParameters(nb, { lr: 0.01 }).notebook;
    const twice = injectParameters(once, { lr: 0.02 }).notebook;
    expect(twice.cells.map((c) => c.id)).toEqual(['p', 'old', 'b']);
    expect(twice.cells[1]!.source).toContain('const lr = 0.02;');
    expect(twice.cells.filter((c) => (c.metadata?.tags as string[]).includes(INJECTED_TAG))).toHaveLength(1);
  });

  it('clears the outputs and counts an earlier execution left in the notebook (they may name old runs)', () => {
    const old = { output_type: 'display_data', data: { 'application/vnd.trainbook.run+json': { run: { id: '20260101-000000000-aaaaa' } } }, metadata: {} };
    const nb: NotebookJson = { ...notebook([]), cells: [{ ...code('train()', [], 'b'), outputs: [old], execution_count: 7 }] };
    const cells = injectParameters(nb, {}).notebook.cells;
    expect(cells.map((c) => [c.outputs, c.execution_count])).toEqual([
      [[], null],
      [[], null],
    ]);
    expect(nb.cells[0]!.outputs).toEqual([old]); // the input is not changed
  });
});

describe('injectedSource()', () => {
  it('declares each param with const, the values as literals the parameters parser reads back', () => {
    const params = { lr: 0.01, name: 'adam', layers: [64, 32], opt: { beta: 0.9, 'we-ird': true }, none: null };
    const source = injectedSource(params);
    expect(source).toMatch(/^\/\/ Parameters injected/);
    expect(parseParametersCell(source)).toEqual({ params, problems: [] });
  });

  it('cannot be broken out of by a value', () => {
    const hostile = '"; process.exit(1); const x = "\u2028</script>`${1}`';
    const source = injectedSource({ s: hostile });
    expect(source.split('\n')).toHaveLength(2);
    expect(parseParametersCell(source).params).toEqual({ s: hostile });
    expect(valueSource({ __proto__x: 1 })).toBe('{"__proto__x": 1}');
    expect(valueSource(JSON.parse('{"__proto__": 1}'))).toBe('{["__proto__"]: 1}');
  });

  it('writes non-finite numbers by name', () => {
    expect(valueSource([NaN, Infinity, -Infinity, -0])).toBe('[NaN, Infinity, -Infinity, -0]');
  });
});

describe('parseNotebook()', () => {
  it('refuses what is not an nbformat 4 notebook', () => {
    expect(() => parseNotebook('not json', 'a.ipynb')).toThrow(NotebookFormatError);
    expect(() => parseNotebook('{}', 'a.ipynb')).toThrow(/not a Jupyter notebook/);
    expect(() => parseNotebook('{"nbformat":3,"cells":[]}', 'a.ipynb')).toThrow(/nbformat 3/);
  });

  it('lists the cells the kernel runs: code that is not blank', () => {
    const nb = parseNotebook(JSON.stringify(notebook([code('a'), code('  \n'), { ...code('b'), cell_type: 'markdown' }, code(['x', 'y'] as unknown as string)])), 'a.ipynb');
    expect(runnableCells(nb)).toEqual([0, 3]);
  });
});
