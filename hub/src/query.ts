/**
 * The runs panel's query language (`loss < 0.3 and optimizer.name = "adam"`), compiled to a SQL
 * condition over `trainbook.runs r` with bound parameters: every name and value goes in as a
 * parameter ($1, $2, …), never into the SQL text, so a name such as `'; DROP TABLE runs; --` is
 * only ever compared. The meaning follows the local matcher (sdk/src/experiments/query.ts,
 * `runField`): built-in fields, `params.<key>`, `metrics.<name>[.last|.min|.max|.count]`, else a
 * param with that key, else a metric's last value; `tag`/`tags` match any tag, `tags.<key>` a key-value tag; numbers compare as
 * numbers (a numeric text too), `NaN = NaN` holds and NaN is neither above nor below anything; `~`
 * is a case-insensitive substring test. Names and text values are mapped as the columns store them
 * (NUL as ␀, see text.ts). Pure.
 */
import { HubQueryError } from './errors.js';
import { SCHEMA } from './schema.js';
import type { Comparator, QueryNode, QueryValue } from 'trainbook/core';
import { columnText } from './text.js';

/** The query language's parsed form, from the core: the hub compiles what the panel and `--runs` parse. */
export type HubQueryNode = QueryNode;

/** Collects bound parameters; `add` returns the placeholder. */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(first: readonly unknown[] = []) {
    this.values.push(...first);
  }
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** How long a running run may go without a heartbeat before it shows as crashed (the store's rule). */
export const STALE_AFTER_SECONDS = 60;

/** SQL for the status a reader shows (running with a stale heartbeat reads as crashed). */
export const EFFECTIVE_STATUS_SQL = `(CASE WHEN r.status = 'running' AND (r.heartbeat_at IS NULL OR r.heartbeat_at < now() - interval '${STALE_AFTER_SECONDS} seconds') THEN 'crashed' ELSE r.status END)`;
const ISO_STARTED_SQL = `to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const DURATION_SQL = `EXTRACT(EPOCH FROM (COALESCE(r.ended_at, CASE WHEN r.status = 'running' THEN now() ELSE r.heartbeat_at END) - r.started_at))::float8`;

/** A field's SQL, by how its value compares. */
type Operand =
  | { kind: 'text'; sql: string; exists: string } // a text column (never a number)
  | { kind: 'number'; sql: string; exists: string } // a float8 expression
  | { kind: 'json'; sql: string; exists: string } // a jsonb value
  | { kind: 'param'; key: string } // params -> key
  | { kind: 'tags' }
  | { kind: 'tag-value'; key: string } // tags.<key>: a key-value tag (run.json's tagValues)
  | { kind: 'metric'; name: string; stat: 'last' | 'min' | 'max' | 'count' }
  | { kind: 'param-or-metric'; key: string };

function builtin(field: string): Operand | null {
  switch (field) {
    case 'status':
      return { kind: 'text', sql: EFFECTIVE_STATUS_SQL, exists: 'TRUE' };
    case 'name':
    case 'id':
    case 'store':
    case 'host':
    case 'notebook':
      return { kind: 'text', sql: `r.${field}`, exists: `r.${field} IS NOT NULL` };
    case 'machine':
      return { kind: 'text', sql: 'r.host', exists: 'TRUE' };
    case 'user':
      return { kind: 'text', sql: 'r.username', exists: 'TRUE' };
    case 'experiment':
      return { kind: 'text', sql: 'r.experiment', exists: 'r.experiment IS NOT NULL' };
    case 'group':
      return { kind: 'text', sql: 'r."group"', exists: 'r."group" IS NOT NULL' };
    case 'started':
      return { kind: 'text', sql: ISO_STARTED_SQL, exists: 'TRUE' };
    case 'duration':
      return { kind: 'number', sql: DURATION_SQL, exists: `${DURATION_SQL} IS NOT NULL` };
    case 'cell': {
      const sql = `(r.record::json -> 'cell' -> 'executionCount')::jsonb`;
      return { kind: 'json', sql, exists: `(${sql}) IS NOT NULL AND ${sql} <> 'null'::jsonb` };
    }
    case 'error': {
      const sql = `(r.record::json -> 'error' ->> 'message')`;
      return { kind: 'text', sql, exists: `${sql} IS NOT NULL` };
    }
    case 'tag':
    case 'tags':
      return { kind: 'tags' };
  }
  return null;
}

function operand(field: string): Operand {
  const known = builtin(field);
  if (known) return known;
  if (field.startsWith('tags.')) return { kind: 'tag-value', key: field.slice('tags.'.length) };
  if (field.startsWith('params.')) {
    return { kind: 'param', key: field.slice('params.'.length) };
  }
  if (field.startsWith('metrics.')) {
    const rest = field.slice('metrics.'.length);
    return { kind: 'metric', name: rest, stat: 'last' };
  }
  return { kind: 'param-or-metric', key: field };
}

const STATS = ['last', 'min', 'max', 'count'] as const;

/** Compiles a query to a SQL condition on `r` (a row of trainbook.runs); `TRUE` for no query. */
export function compileQuery(node: HubQueryNode | null, params: SqlParams): string {
  if (node === null) return 'TRUE';
  switch (node.kind) {
    case 'and':
      return `(${compileQuery(node.left, params)} AND ${compileQuery(node.right, params)})`;
    case 'or':
      return `(${compileQuery(node.left, params)} OR ${compileQuery(node.right, params)})`;
    case 'not':
      return `(NOT ${compileQuery(node.operand, params)})`;
    case 'exists':
      return fieldCondition(node.field, null, params);
    case 'compare':
      return fieldCondition(node.field, { op: node.op, value: node.value }, params);
  }
}

interface Test {
  op: Comparator;
  value: QueryValue;
}

function fieldCondition(field: string, test: Test | null, params: SqlParams): string {
  if (typeof field !== 'string') throw new HubQueryError('A query field must be text.');
  const target = operand(field);
  switch (target.kind) {
    case 'text':
    case 'number':
      return test ? `(${target.exists} AND ${compare(target.kind, target.sql, test, params)})` : `(${target.exists})`;
    case 'json':
      return test ? `(${target.exists} AND ${compare('json', target.sql, test, params)})` : `(${target.exists})`;
    case 'param': {
      const key = params.add(columnText(target.key));
      return test ? `(r.params ? ${key} AND ${compare('json', `(r.params -> ${key})`, test, params)})` : `(r.params ? ${key})`;
    }
    case 'tags': {
      if (!test) return `(cardinality(r.tags) > 0)`;
      if (test.op === '!=') return `(NOT EXISTS (SELECT 1 FROM unnest(r.tags) AS t(tag) WHERE ${compare('text', 't.tag', { op: '=', value: test.value }, params)}))`;
      return `(EXISTS (SELECT 1 FROM unnest(r.tags) AS t(tag) WHERE ${compare('text', 't.tag', test, params)}))`;
    }
    case 'tag-value': {
      // run.json as json (not jsonb, which refuses a \u0000 anywhere in the record), its one value as jsonb.
      const sql = `((r.record::json -> 'tagValues' -> ${params.add(columnText(target.key))})::jsonb)`;
      return test ? `(${sql} IS NOT NULL AND ${compare('json', sql, test, params)})` : `(${sql} IS NOT NULL)`;
    }
    case 'metric':
      return metricCondition(target.name, test, params);
    case 'param-or-metric': {
      const key = params.add(columnText(target.key));
      const asParam = test ? compare('json', `(r.params -> ${key})`, test, params) : 'TRUE';
      return `((r.params ? ${key} AND ${asParam}) OR (NOT r.params ? ${key} AND ${metricCondition(target.key, test, params)}))`;
    }
  }
}

/**
 * A metric field: `name` is a metric's last value; else `name.<stat>` of the metric before the
 * last dot. As an IN over run_metrics, so the (metric, last) index serves it.
 */
function metricCondition(field: string, test: Test | null, params: SqlParams): string {
  const runsWith = (name: string, stat: (typeof STATS)[number]): string => {
    const metric = params.add(columnText(name));
    const column = stat === 'count' ? 'm.count::float8' : `m.${stat}`;
    const condition = test ? ` AND ${compare('number', column, test, params)}` : '';
    return `r.id IN (SELECT m.run_id FROM ${SCHEMA}.run_metrics m WHERE m.metric = ${metric}${condition})`;
  };
  const whole = runsWith(field, 'last');
  const dot = field.lastIndexOf('.');
  const stat = dot > 0 ? (field.slice(dot + 1) as (typeof STATS)[number]) : null;
  if (stat === null || !STATS.includes(stat)) return `(${whole})`;
  const named = params.add(columnText(field));
  return `(${whole} OR (r.id NOT IN (SELECT m.run_id FROM ${SCHEMA}.run_metrics m WHERE m.metric = ${named}) AND ${runsWith(field.slice(0, dot), stat)}))`;
}

const ORDER_SQL: Record<Exclude<Comparator, '~' | '=' | '!='>, string> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/**
 * One comparison of an operand (`sql`, of kind text, number or json) with a value, following the
 * local matcher's rules. The value is always a bound parameter.
 */
function compare(kind: 'text' | 'number' | 'json', sql: string, test: Test, params: SqlParams): string {
  const { op, value } = test;
  const asText = kind === 'text' ? sql : kind === 'number' ? `(${sql})::text` : `${SCHEMA}.txt(${sql})`;
  if (op === '~') {
    const needle = value === null ? 'null' : typeof value === 'string' ? columnText(value) : String(value);
    return `(strpos(lower(${asText}), lower(${params.add(needle)})) > 0)`;
  }
  if (typeof value === 'number') {
    if (kind === 'text') {
      // A text column holding a number-looking text compares as that number.
      return numberTest(`${SCHEMA}.num(to_jsonb(${sql}))`, op, value, params);
    }
    return numberTest(kind === 'number' ? `(${sql})` : `${SCHEMA}.num(${sql})`, op, value, params);
  }
  if (typeof value === 'boolean' || value === null) {
    if (op !== '=' && op !== '!=') return 'FALSE';
    if (kind !== 'json') return op === '=' ? 'FALSE' : 'TRUE';
    const same = `(${sql} = ${params.add(JSON.stringify(value))}::jsonb)`;
    return op === '=' ? same : `(NOT ${same})`;
  }
  if (typeof value !== 'string') throw new HubQueryError(`Cannot compare with ${JSON.stringify(value)}.`);
  const text = params.add(columnText(value));
  if (op === '=') return `(${asText} = ${text})`;
  if (op === '!=') return `(${asText} IS DISTINCT FROM ${text})`;
  return `(${asText} COLLATE "C" ${ORDER_SQL[op]} ${text})`;
}

function numberTest(number: string, op: Comparator, value: number, params: SqlParams): string {
  if (Number.isNaN(value)) {
    if (op === '=') return `(${number} = 'NaN'::float8)`;
    if (op === '!=') return `(${number} IS NULL OR ${number} <> 'NaN'::float8)`;
    return 'FALSE';
  }
  const placeholder = `${params.add(value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : String(value))}::float8`;
  if (op === '=') return `(${number} = ${placeholder})`;
  if (op === '!=') return `(${number} IS NULL OR ${number} <> ${placeholder})`;
  return `(${number} <> 'NaN'::float8 AND ${number} ${ORDER_SQL[op as keyof typeof ORDER_SQL]} ${placeholder})`;
}

/** An ORDER BY for a sort column (`status`, `name`, `started`, `param:<key>`, `metric:<name>`, or a query field), missing values last. */
export function compileSort(column: string | null, descending: boolean, params: SqlParams): string {
  const direction = descending ? 'DESC' : 'ASC';
  if (!column) return `r.started_at ${direction}, r.id ${direction}`;
  if (column.startsWith('metric:') || column.startsWith('metrics.')) {
    const name = params.add(columnText(column.startsWith('metric:') ? column.slice(7) : column.slice(8)));
    return `(SELECT m.last FROM ${SCHEMA}.run_metrics m WHERE m.run_id = r.id AND m.metric = ${name}) ${direction} NULLS LAST, r.id`;
  }
  if (column.startsWith('param:') || column.startsWith('params.')) {
    const key = params.add(columnText(column.startsWith('param:') ? column.slice(6) : column.slice(7)));
    return `${SCHEMA}.num(r.params -> ${key}) ${direction} NULLS LAST, ${SCHEMA}.txt(r.params -> ${key}) COLLATE "C" ${direction} NULLS LAST, r.id`;
  }
  const known = builtin(column);
  if (known && (known.kind === 'text' || known.kind === 'number')) return `${known.sql} ${direction} NULLS LAST, r.id`;
  if (column === 'started') return `r.started_at ${direction}, r.id`;
  // A bare name: a param if any run has it, else a metric.
  const key = params.add(columnText(column));
  return `${SCHEMA}.num(r.params -> ${key}) ${direction} NULLS LAST, (SELECT m.last FROM ${SCHEMA}.run_metrics m WHERE m.run_id = r.id AND m.metric = ${key}) ${direction} NULLS LAST, r.id`;
}
