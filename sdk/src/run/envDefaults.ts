/**
 * What the environment says every run of this process belongs to: `TRAINBOOK_GROUP` (a group) and
 * `TRAINBOOK_TAG_VALUES` (key-value tags as a JSON object). `trainbook worker` sets them for the
 * kernels of a sweep's jobs (`sweep`, `job`, `attempt`), so the runs a notebook starts are found
 * with `tags.sweep = "<id>"` without the notebook knowing about sweeps. What `init()` is given wins.
 */
import { checkTagValues, type TagValues } from 'trainbook/core';
import { writeOwnLine } from '../console/ownLines.js';

export const GROUP_ENV = 'TRAINBOOK_GROUP';
export const TAG_VALUES_ENV = 'TRAINBOOK_TAG_VALUES';

let warned = false;

/** The group and tag values the environment gives new runs (null and {} when it gives none). */
export function runDefaultsFromEnv(env: NodeJS.ProcessEnv = process.env): { group: string | null; tagValues: TagValues } {
  const group = env[GROUP_ENV] && env[GROUP_ENV]!.trim() !== '' ? env[GROUP_ENV]! : null;
  const text = env[TAG_VALUES_ENV];
  if (!text || text.trim() === '') return { group, tagValues: {} };
  try {
    return { group, tagValues: checkTagValues(JSON.parse(text)) };
  } catch (error) {
    // A bad variable must not stop training: said once, then ignored.
    if (!warned) writeOwnLine(`trainbook: warning: ${TAG_VALUES_ENV} is not a JSON object of key-value tags (${(error as Error).message}); ignored.\n`);
    warned = true;
    return { group, tagValues: {} };
  }
}
