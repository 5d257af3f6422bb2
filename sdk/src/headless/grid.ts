/**
 * The jobs of a `trainbook run`: the fixed `-p` params combined with every point of the
 * `--grid` axes (their cartesian product, the first axis changing slowest). Pure.
 */
import { InvalidParameterError } from 'trainbook/core';
import type { GridAxis } from './params.js';

/** More jobs than this is almost certainly a typo in a grid; refuse rather than start them. */
export const MAX_JOBS = 10_000;

/**
 * Every combination of the grid's values, each merged with the fixed params.
 *
 * @example
 * expandGrid({ epochs: 3 }, [{ key: 'lr', values: [0.1, 0.01] }, { key: 'batch', values: [32, 64] }]);
 * // [{ epochs: 3, lr: 0.1, batch: 32 }, { epochs: 3, lr: 0.1, batch: 64 },
 * //  { epochs: 3, lr: 0.01, batch: 32 }, { epochs: 3, lr: 0.01, batch: 64 }]
 */
export function expandGrid(fixed: Record<string, unknown>, axes: readonly GridAxis[]): Array<Record<string, unknown>> {
  const seen = new Set<string>();
  for (const axis of axes) {
    if (Object.prototype.hasOwnProperty.call(fixed, axis.key)) throw new InvalidParameterError(`"${axis.key}" is given both with -p and with --grid; keep one of them.`);
    if (seen.has(axis.key)) throw new InvalidParameterError(`--grid ${axis.key} is given twice; list all its values in one --grid ${axis.key}=a,b,c.`);
    seen.add(axis.key);
  }
  const total = axes.reduce((count, axis) => count * axis.values.length, 1);
  if (total > MAX_JOBS) throw new InvalidParameterError(`The grid makes ${total} jobs, more than ${MAX_JOBS}; split it into several runs.`);
  let combinations: Array<Array<[string, unknown]>> = [[]];
  for (const axis of axes) {
    combinations = combinations.flatMap((prefix) => axis.values.map((value): Array<[string, unknown]> => [...prefix, [axis.key, value]]));
  }
  // Object.fromEntries defines own properties, so a key such as __proto__ stays plain data.
  return combinations.map((entries) => Object.fromEntries([...Object.entries(fixed), ...entries]));
}
