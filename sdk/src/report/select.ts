/**
 * `--runs`: which runs a report shows. A comma-separated list of terms; a term with an operator
 * (`status=completed`, `lr>0.01`, `tag=mnist`, `tags.workers=8`, `metrics.loss<0.5`) is a filter and all filters
 * must hold; any other term names a run (id, unique id prefix, or name) and named runs are
 * taken as well as those the filters keep. Pure.
 */
import { RunNotFoundError, decodeNumber, hasName, nameValue, type RunRecord, type EffectiveStatus } from 'trainbook/core';

export interface Selectable {
  record: RunRecord;
  status: EffectiveStatus;
}

export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export interface Filter {
  key: string;
  op: Operator;
  value: string;
}
export interface RunQuery {
  references: string[];
  filters: Filter[];
}

const FILTER = /^([^=!<>]+?)\s*(!=|<=|>=|=|<|>)\s*(.*)$/s;

export function parseRunQuery(text: string): RunQuery {
  const query: RunQuery = { references: [], filters: [] };
  for (const raw of text.split(',')) {
    const term = raw.trim();
    if (term === '') continue;
    const match = FILTER.exec(term);
    if (match) query.filters.push({ key: match[1]!.trim(), op: match[2] as Operator, value: match[3]!.trim() });
    else query.references.push(term);
  }
  return query;
}

/** The value a filter key reads from a run: built-in fields, `tag` (labels), `tags.<key>` (a key-value tag), `metrics.<m>` (last value), else a param. */
function fieldValues(run: Selectable, key: string): unknown[] {
  const record = run.record;
  switch (key) {
    case 'status':
      return [run.status];
    case 'name':
    case 'id':
    case 'group':
    case 'experiment':
      return [record[key]];
    case 'tag':
    case 'tags':
      return record.tags;
  }
  if (key.startsWith('tags.')) {
    const tags = record.tagValues ?? {};
    return hasName(tags, key.slice('tags.'.length)) ? [tags[key.slice('tags.'.length)]] : [];
  }
  if (key.startsWith('metrics.')) {
    const summary = nameValue(record.summary, key.slice('metrics.'.length));
    return summary ? [decodeNumber(summary.last)] : [];
  }
  const param = key.startsWith('params.') ? key.slice('params.'.length) : key;
  return hasName(record.params, param) ? [record.params[param]] : [];
}

function compare(actual: unknown, op: Operator, expected: string): boolean {
  const wanted = Number(expected);
  const numeric = typeof actual === 'number' || actual === 'NaN' || actual === 'Infinity' || actual === '-Infinity';
  if (numeric && expected !== '' && !Number.isNaN(wanted)) {
    const a = decodeNumber(actual);
    switch (op) {
      case '=': return a === wanted;
      case '!=': return a !== wanted;
      case '<': return a < wanted;
      case '<=': return a <= wanted;
      case '>': return a > wanted;
      case '>=': return a >= wanted;
    }
  }
  const text = typeof actual === 'string' ? actual : JSON.stringify(actual);
  switch (op) {
    case '=': return text === expected;
    case '!=': return text !== expected;
    case '<': return text < expected;
    case '<=': return text <= expected;
    case '>': return text > expected;
    case '>=': return text >= expected;
  }
}

export function matchesFilter(run: Selectable, filter: Filter): boolean {
  const values = fieldValues(run, filter.key);
  if (filter.op === '!=') return values.every((value) => compare(value, '!=', filter.value));
  return values.some((value) => compare(value, filter.op, filter.value));
}

/** Finds one run by id, unique id prefix or unique name, as `trainbook show` does. */
export function findByReference<T extends { record: Pick<RunRecord, 'id' | 'name'> }>(runs: readonly T[], reference: string): T {
  const exact = runs.find((run) => run.record.id === reference);
  if (exact) return exact;
  const byPrefix = runs.filter((run) => run.record.id.startsWith(reference));
  const matches = byPrefix.length > 0 ? byPrefix : runs.filter((run) => run.record.name === reference);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new RunNotFoundError(`No run "${reference}" in the selected stores. \`trainbook ls\` lists the runs.`);
  throw new RunNotFoundError(`"${reference}" matches ${matches.length} runs (${matches.slice(0, 5).map((run) => run.record.id).join(', ')}); give more of the id.`);
}

/** The runs a query selects, in the order of `runs`. Throws RunNotFoundError for an unknown reference. */
export function selectRuns<T extends Selectable>(runs: readonly T[], query: RunQuery): T[] {
  if (query.references.length === 0 && query.filters.length === 0) return [...runs];
  const chosen = new Set<T>();
  for (const reference of query.references) chosen.add(findByReference(runs, reference));
  if (query.filters.length > 0) {
    for (const run of runs) if (query.filters.every((filter) => matchesFilter(run, filter))) chosen.add(run);
  }
  return runs.filter((run) => chosen.has(run));
}
