/** The code the extension sends a kernel before a tagged cell runs: it sets the run context that `trainbook.init()` picks up. Pure. */
import type { CellInfo } from '../format/types.js';

/**
 * The code that sets the run context in the kernel (see sdk/src/run/cellContext.ts): the context
 * as JSON, parsed there by `JSON.parse`, so every name (a parameter called `__proto__` too) is
 * plain data, never an object literal's prototype.
 */
export function runContextCode(context: {
  notebook: string | null;
  cell: CellInfo;
  experiment: string | null;
  params: Record<string, unknown>;
}): string {
  const json = JSON.stringify(context, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value));
  // A string literal of the JSON: `<` and the line separators are escaped so the text is inert anywhere.
  const literal = JSON.stringify(json).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  // `void`: the statement's value is undefined, so tslab prints nothing (a run active in the
  // kernel would otherwise capture the printed context as the program's output).
  return `void (globalThis.__trainbook_context = JSON.parse(${literal}));`;
}
export const CLEAR_CONTEXT_CODE = 'void delete globalThis.__trainbook_context;';
