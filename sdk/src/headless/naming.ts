/**
 * Where `trainbook run` saves executed notebooks: beside the original as
 * `train.run-<yyyymmdd-hhmmss>[-<n>].ipynb`, or where `-o` says. Pure: whether a file exists is
 * asked through a function, so nothing is ever overwritten by a default name.
 */
import * as path from 'node:path';
import { InvalidParameterError } from 'trainbook/core';

/** `20260112-093005` in local time (what the person who started the run reads on their clock). */
export function runTimestamp(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}-${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`;
}

export interface OutputPlan {
  /** The notebook being run. */
  notebook: string;
  /** How many jobs (executed notebooks) to name. */
  count: number;
  now: Date;
  /** `-o`: used as is for one job; for several, `-<n>` goes before its extension. */
  explicit?: string | undefined;
  exists: (file: string) => boolean;
}

/**
 * One output path per job, absolute.
 *
 * @example
 * outputPaths({ notebook: '/w/train.ipynb', count: 2, now, exists: fs.existsSync });
 * // ['/w/train.run-20260112-093005-1.ipynb', '/w/train.run-20260112-093005-2.ipynb']
 */
export function outputPaths(plan: OutputPlan): string[] {
  const notebook = path.resolve(plan.notebook);
  if (plan.explicit !== undefined) {
    const explicit = path.resolve(plan.explicit);
    const paths = plan.count === 1 ? [explicit] : numbered(explicit, plan.count, 1);
    if (paths.some((file) => file === notebook)) throw new InvalidParameterError(`-o ${plan.explicit} is the notebook being run; choose another file so the original stays as it is.`);
    return paths;
  }
  const parsed = path.parse(notebook);
  const base = path.join(parsed.dir, `${parsed.name}.run-${runTimestamp(plan.now)}${parsed.ext || '.ipynb'}`);
  if (plan.count === 1 && !plan.exists(base)) return [base];
  // Several jobs, or a name already taken this second: number them, after any that exist.
  for (let first = 1; ; first += plan.count) {
    const paths = numbered(base, plan.count, first);
    if (paths.every((file) => !plan.exists(file))) return paths;
  }
}

function numbered(file: string, count: number, first: number): string[] {
  const parsed = path.parse(file);
  return Array.from({ length: count }, (_, i) => path.join(parsed.dir, `${parsed.name}-${first + i}${parsed.ext}`));
}
