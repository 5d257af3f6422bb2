/** The parameter diff of several runs: the union of their params, each row saying whether they disagree. Pure. */
import { hasName } from '../format/names.js';
import type { ParamValue } from '../format/params.js';
import type { RunRecord } from '../format/types.js';

export interface ParamDiffRow {
  key: string;
  /** One value per run, undefined where the run lacks the param. */
  values: Array<ParamValue | undefined>;
  differs: boolean;
}

/** The union of the runs' params, each row saying whether the runs disagree. Differing rows first. */
export function paramDiff(records: readonly RunRecord[]): ParamDiffRow[] {
  const keys = new Set<string>();
  for (const record of records) for (const key of Object.keys(record.params)) keys.add(key);
  const rows = [...keys].sort().map((key) => {
    const values = records.map((r) => (hasName(r.params, key) ? r.params[key] : undefined));
    const texts = values.map((v) => (v === undefined ? '\u0000missing' : JSON.stringify(v)));
    return { key, values, differs: new Set(texts).size > 1 };
  });
  return [...rows.filter((r) => r.differs), ...rows.filter((r) => !r.differs)];
}
