/**
 * `trainbook run` parameters from the command line: `-p key=value` and `--grid key=v1,v2`.
 * A value is a JSON literal when it reads as one (numbers, true/false, null, quoted strings,
 * arrays, objects), else the text itself. Keys become variable names in the notebook, so they
 * must be plain identifiers. Pure: no I/O.
 */
import { InvalidParameterError } from 'trainbook/core';

/** Words that cannot name a `const` in TypeScript (strict mode), so cannot be parameters. */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in ' +
    'instanceof new null return super switch this throw true try typeof var void while with implements interface let package private ' +
    'protected public static yield await arguments eval undefined NaN Infinity'
  ).split(' '),
);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Identifiers the TypeScript kernel cannot declare: tslab keeps a cell's variables for later cells
 * under their escaped names, and `const __proto__` fails there ("Cannot find name '___proto__'").
 * As data (params from `init()`, a parameters cell read by the extension, exports) such names are
 * kept like any other; only a variable cannot have them.
 */
const KERNEL_UNDECLARABLE = new Set(['__proto__']);

/**
 * Throws unless `key` can be declared as a variable (`const key = ...`) in the TypeScript kernel.
 *
 * @example
 * assertParamKey('learning_rate'); // ok
 * assertParamKey('learning-rate'); // throws InvalidParameterError
 */
export function assertParamKey(key: string): void {
  if (!IDENTIFIER.test(key)) {
    throw new InvalidParameterError(
      `Parameter name ${JSON.stringify(key)} is not an identifier: use letters, digits, _ and $ (not starting with a digit), as in the notebook's parameters cell, e.g. -p learning_rate=0.01.`,
    );
  }
  if (RESERVED.has(key)) throw new InvalidParameterError(`Parameter name "${key}" is a reserved word and cannot name a variable; rename it in the parameters cell and on the command line.`);
  if (KERNEL_UNDECLARABLE.has(key)) {
    throw new InvalidParameterError(`Parameter name "${key}" cannot name a variable in the TypeScript kernel (tslab fails to declare it); rename it in the parameters cell and on the command line.`);
  }
}

/**
 * Reads a command-line value: a JSON literal when it is one, else the text as a string.
 *
 * @example
 * parseParamValue('0.01'); // 0.01
 * parseParamValue('[32, 64]'); // [32, 64]
 * parseParamValue('adam'); // 'adam'
 */
export function parseParamValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return text;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

function splitAssignment(text: string, option: string): [string, string] {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new InvalidParameterError(`${option} expects key=value, got ${JSON.stringify(text)}: e.g. ${option} lr=0.01`);
  const key = text.slice(0, equals).trim();
  assertParamKey(key);
  return [key, text.slice(equals + 1)];
}

/**
 * Reads one `-p key=value`.
 *
 * @example
 * parseParamAssignment('epochs=3'); // { key: 'epochs', value: 3 }
 */
export function parseParamAssignment(text: string): { key: string; value: unknown } {
  const [key, value] = splitAssignment(text, '-p');
  return { key, value: parseParamValue(value) };
}

/**
 * Splits on commas that are outside brackets, braces and double-quoted strings, so that
 * `[1,2],[3,4]` gives two arrays.
 *
 * @example
 * splitTopLevel('0.1,"a,b",[1,2]'); // ['0.1', '"a,b"', '[1,2]']
 */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

export interface GridAxis {
  key: string;
  values: unknown[];
}

/**
 * Reads one `--grid key=v1,v2,...`.
 *
 * @example
 * parseGridAxis('lr=0.1,0.01'); // { key: 'lr', values: [0.1, 0.01] }
 */
export function parseGridAxis(text: string): GridAxis {
  const [key, list] = splitAssignment(text, '--grid');
  const parts = splitTopLevel(list);
  if (parts.some((part) => part.trim() === '')) {
    throw new InvalidParameterError(`--grid ${key} has an empty value in ${JSON.stringify(list)}: list the values separated by commas, e.g. --grid ${key}=0.1,0.01`);
  }
  return { key, values: parts.map(parseParamValue) };
}
