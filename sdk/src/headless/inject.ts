/**
 * Injects `trainbook run` parameters into a notebook, the papermill way: a code cell tagged
 * `injected-parameters` right after the cell tagged `parameters` (or first, when there is none),
 * replacing any injected cell a previous run left. Pure.
 *
 * The injected cell redeclares each parameter with `const`: tslab accepts a later cell declaring
 * a `const` or `let` again (the new declaration wins, even with another type), but refuses an
 * assignment to a `const` ("Cannot assign to 'lr' because it is a constant"). So the parameters
 * cell may use `const` or `let`, and the injected cell always declares.
 */
import { parseParametersCell, type ParametersProblem, PARAMETERS_TAG, hasName, nameRecord } from 'trainbook/core';
import { assertParamKey } from './params.js';
import { cellSource, cellTags, type NotebookCell, type NotebookJson } from './notebook.js';

export const INJECTED_TAG = 'injected-parameters';
const INJECTED_ID = 'trainbook-injected-parameters';

/**
 * TypeScript (and JavaScript) source for a JSON-like value; NaN and ±Infinity by name, strings
 * and keys quoted by JSON.stringify, so no value can close the literal and run code.
 *
 * @example
 * valueSource({ name: 'adam', betas: [0.9, 0.999] }); // '{"name": "adam", "betas": [0.9, 0.999]}'
 */
export function valueSource(value: unknown, depth = 0): string {
  if (depth > 64) throw new RangeError('parameter value nested deeper than 64 levels');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      if (Number.isNaN(value)) return 'NaN';
      if (value === Infinity) return 'Infinity';
      if (value === -Infinity) return '-Infinity';
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
      return String(value);
    case 'string':
      return quote(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => valueSource(item, depth + 1)).join(', ')}]`;
      const entries = Object.entries(value as Record<string, unknown>).map(
        // A quoted "__proto__" key in a literal would set the prototype; a computed one is a plain key.
        ([key, item]) => `${key === '__proto__' ? `[${quote(key)}]` : quote(key)}: ${valueSource(item, depth + 1)}`,
      );
      return `{${entries.join(', ')}}`;
    }
    default:
      throw new TypeError(`a parameter value cannot be a ${typeof value}`);
  }
}

function quote(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * The source of the injected cell.
 *
 * @example
 * injectedSource({ lr: 0.01, epochs: 3 });
 * // '// Parameters injected by `trainbook run`.\nconst lr = 0.01;\nconst epochs = 3;\n'
 */
export function injectedSource(params: Record<string, unknown>): string {
  const lines = Object.entries(params).map(([key, value]) => {
    assertParamKey(key);
    return `const ${key} = ${valueSource(value)};`;
  });
  return ['// Parameters injected by `trainbook run`.', ...lines].join('\n');
}

export interface Injection {
  /** A copy of the notebook with the injected cell; the input is not changed. */
  notebook: NotebookJson;
  /** Index of the `parameters` cell in the new notebook, or null when there is none. */
  parametersIndex: number | null;
  injectedIndex: number;
  /** What the parameters cell declares (read, never run). */
  declared: Record<string, unknown>;
  /** Problems reading the parameters cell. */
  problems: ParametersProblem[];
  /** Injected keys the parameters cell does not declare (worth a warning). */
  undeclared: string[];
  /** The params the notebook runs with: the declared ones overridden by the injected ones. */
  effective: Record<string, unknown>;
}

/**
 * Adds (or replaces) the injected-parameters cell, and clears the code cells' saved outputs.
 *
 * @example
 * const { notebook, undeclared } = injectParameters(nb, { lr: 0.01 });
 */
export function injectParameters(input: NotebookJson, params: Record<string, unknown>): Injection {
  // Outputs saved in the notebook belong to an earlier execution (and may name its runs): the
  // executed copy starts clean, as papermill's does, so a cell that never runs shows nothing old.
  const cells = input.cells
    .filter((cell) => !(cell.cell_type === 'code' && cellTags(cell).includes(INJECTED_TAG)))
    .map((cell) => (cell.cell_type === 'code' ? { ...cell, outputs: [], execution_count: null } : cell));
  const previous = input.cells.find((cell) => cell.cell_type === 'code' && cellTags(cell).includes(INJECTED_TAG));
  const parametersIndex = cells.findIndex((cell) => cell.cell_type === 'code' && cellTags(cell).includes(PARAMETERS_TAG));
  const { params: declared, problems } = parametersIndex === -1 ? { params: nameRecord<unknown>(), problems: [] } : parseParametersCell(cellSource(cells[parametersIndex]!));
  const withIds = cells.some((cell) => typeof cell.id === 'string') || input.nbformat > 4 || input.nbformat_minor >= 5;
  const injected: NotebookCell = {
    cell_type: 'code',
    ...(withIds ? { id: uniqueId(previous?.id ?? INJECTED_ID, cells) } : {}),
    metadata: { tags: [INJECTED_TAG] },
    source: injectedSource(params),
    outputs: [],
    execution_count: null,
  };
  const injectedIndex = parametersIndex === -1 ? 0 : parametersIndex + 1;
  const newCells = [...cells.slice(0, injectedIndex), injected, ...cells.slice(injectedIndex)];
  return {
    notebook: { ...input, cells: newCells },
    parametersIndex: parametersIndex === -1 ? null : parametersIndex,
    injectedIndex,
    declared,
    problems,
    undeclared: Object.keys(params).filter((key) => !hasName(declared, key)),
    // A record with no prototype: a parameter called __proto__ or toString is one like any other.
    effective: nameRecord([...Object.entries(declared), ...Object.entries(params)]),
  };
}

function uniqueId(wanted: unknown, cells: readonly NotebookCell[]): string {
  const taken = new Set(cells.map((cell) => cell.id));
  const base = typeof wanted === 'string' && /^[a-zA-Z0-9-_]{1,64}$/.test(wanted) ? wanted : INJECTED_ID;
  let id = base;
  for (let n = 1; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}
