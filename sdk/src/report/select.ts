/**
 * `--runs`: which runs a report shows. A comma-separated list of terms; a term with an operator
 * (`status=completed`, `lr>0.01`, `tag=mnist`, `tags.workers=8`, `metrics.loss<0.5`) is a filter and all filters
 * must hold; any other term names a run (id, unique id prefix, name or archive name: the core's
 * one lookup) and named runs are taken as well as those the filters keep. Filters are evaluated by
 * the core's query language (`matchesQuery` over `runField`), as the runs panel and the hub do. Pure.
 */
import { findRun, matchesQuery, runField, type Referable, type ArchiveMarker, type Comparator, type EffectiveStatus, type QueryNode, type QueryValue, type RunRecord, type RunRow } from 'trainbook/core';

export interface Selectable {
  record: RunRecord;
  status: EffectiveStatus;
  /** Lets a reference name the run by its archive name. */
  archive?: Pick<ArchiveMarker, 'name'> | null;
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

/** A filter's value as the query language reads it: a number, NaN/±Infinity, true/false/null, else text (quotes taken off). */
function queryValue(text: string): QueryValue {
  if (text === 'NaN') return NaN;
  if (text === 'Infinity' || text === '+Infinity') return Infinity;
  if (text === '-Infinity') return -Infinity;
  if (text !== '' && Number.isFinite(Number(text))) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  const quoted = /^(["'])(.*)\1$/s.exec(text);
  return quoted ? quoted[2]! : text;
}

/** A filter as a node of the core's query language. */
export function filterNode(filter: Filter): QueryNode {
  return { kind: 'compare', field: filter.key, op: filter.op as Comparator, value: queryValue(filter.value) };
}

function rowOf(run: Selectable): RunRow {
  const start = Date.parse(run.record.startedAt);
  const end = Date.parse(run.record.endedAt ?? run.record.heartbeatAt);
  return { record: run.record, status: run.status, durationMs: Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null };
}

export function matchesFilter(run: Selectable, filter: Filter): boolean {
  const row = rowOf(run);
  return matchesQuery(filterNode(filter), (field) => runField(row, field));
}

/** Finds one run by id, unique id prefix, unique name or archive name, as `trainbook show` does. */
export function findByReference<T extends Referable>(runs: readonly T[], reference: string): T {
  return findRun(runs, reference, 'the selected stores');
}

/** The runs a query selects, in the order of `runs`. Throws RunNotFoundError for an unknown reference. */
export function selectRuns<T extends Selectable>(runs: readonly T[], query: RunQuery): T[] {
  if (query.references.length === 0 && query.filters.length === 0) return [...runs];
  const chosen = new Set<T>();
  for (const reference of query.references) chosen.add(findByReference(runs, reference));
  if (query.filters.length > 0) {
    const nodes = query.filters.map(filterNode);
    for (const run of runs) {
      const row = rowOf(run);
      if (nodes.every((node) => matchesQuery(node, (field) => runField(row, field)))) chosen.add(run);
    }
  }
  return runs.filter((run) => chosen.has(run));
}
