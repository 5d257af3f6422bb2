/** Cell-tag conventions: `experiment` or `experiment:<name>` marks a cell as an experiment, `parameters` its params cell. Pure. */

/** Tag conventions: `experiment` or `experiment:<name>` marks a cell, `parameters` its params. */
export const EXPERIMENT_TAG = 'experiment';
export const PARAMETERS_TAG = 'parameters';

/** The experiment a cell's tags make it: null when untagged, '' for a bare `experiment` tag. */
export function experimentFromTags(tags: readonly unknown[]): string | null {
  let found: string | null = null;
  for (const tag of tags) {
    if (typeof tag !== 'string') continue;
    if (tag === EXPERIMENT_TAG) found ??= '';
    else if (tag.startsWith(`${EXPERIMENT_TAG}:`)) {
      const name = tag.slice(EXPERIMENT_TAG.length + 1).trim();
      if (found === null || found === '') found = name;
    }
  }
  return found;
}
