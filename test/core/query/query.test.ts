import { describe, expect, it } from 'vitest';
import { AnyOf, matchesQuery, MAX_QUERY_DEPTH, MAX_QUERY_LENGTH, parseQuery, QueryError } from '../../../core/src/query/query.js';

const run = (fields: Record<string, unknown>) => (field: string) => fields[field];
const matches = (query: string, fields: Record<string, unknown>) => matchesQuery(parseQuery(query), run(fields));

function errorOf(query: string): QueryError {
  try {
    parseQuery(query);
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error(`no error for ${query}`);
}

describe('parseQuery()', () => {
  it('parses the example from the issue', () => {
    expect(parseQuery('loss < 0.3 and optimizer.name = "adam"')).toEqual({
      kind: 'and',
      left: { kind: 'compare', field: 'loss', op: '<', value: 0.3 },
      right: { kind: 'compare', field: 'optimizer.name', op: '=', value: 'adam' },
    });
  });

  it('treats an empty query as match-all', () => {
    expect(parseQuery('   ')).toBeNull();
    expect(matchesQuery(null, run({}))).toBe(true);
  });

  it('binds and tighter than or, and honours parentheses and not', () => {
    expect(matches('a = 1 or a = 2 and b = 3', { a: 1, b: 0 })).toBe(true);
    expect(matches('(a = 1 or a = 2) and b = 3', { a: 1, b: 0 })).toBe(false);
    expect(matches('not a = 1', { a: 2 })).toBe(true);
    expect(matches('NOT (a = 1 OR a = 2)', { a: 2 })).toBe(false);
  });

  it('reads negative and exponent numbers, metric names with / and -, quoted fields', () => {
    expect(matches('delta > -1e-3', { delta: 0 })).toBe(true);
    expect(matches('batch/loss <= 0.5', { 'batch/loss': 0.5 })).toBe(true);
    expect(matches('`weird name` = x', { 'weird name': 'x' })).toBe(true);
    expect(matches('lr == 0.01', { lr: 0.01 })).toBe(true);
  });
});

describe('matchesQuery()', () => {
  it('compares numbers as numbers, text exactly, ~ as a case-insensitive substring', () => {
    expect(matches('epochs >= 10', { epochs: 9 })).toBe(false);
    expect(matches('epochs >= 10', { epochs: '10' })).toBe(true);
    expect(matches('name = adam', { name: 'adam' })).toBe(true);
    expect(matches('name = Adam', { name: 'adam' })).toBe(false);
    expect(matches('name ~ ADA', { name: 'adam' })).toBe(true);
    expect(matches('status != failed', { status: 'completed' })).toBe(true);
  });

  it('is false for a comparison with a missing field, and a bare field tests presence', () => {
    expect(matches('loss < 1', {})).toBe(false);
    expect(matches('not loss < 1', {})).toBe(true);
    expect(matches('loss', { loss: 0 })).toBe(true);
    expect(matches('loss and acc', { loss: 0 })).toBe(false);
  });

  it('finds diverged runs: NaN equals NaN, never orders', () => {
    expect(matches('loss = NaN', { loss: NaN })).toBe(true);
    expect(matches('loss < 1', { loss: NaN })).toBe(false);
    expect(matches('loss > 1', { loss: 'Infinity' })).toBe(true);
  });

  it('compares booleans and null by equality only', () => {
    expect(matches('shuffle = true', { shuffle: true })).toBe(true);
    expect(matches('shuffle = false', { shuffle: true })).toBe(false);
    expect(matches('seed = null', { seed: null })).toBe(true);
    expect(matches('shuffle < true', { shuffle: true })).toBe(false);
  });
});

describe('matchesQuery() with several values (AnyOf)', () => {
  const labels = (values: string[]) => ({ tag: new AnyOf(values) });
  it('holds when one value matches, != when none is equal, and the bare field when there is one', () => {
    expect(matches('tag = "hpo"', labels(['mnist', 'hpo']))).toBe(true);
    expect(matches('tag = "hpo"', labels(['mnist']))).toBe(false);
    expect(matches('tag != "hpo"', labels(['mnist', 'hpo']))).toBe(false);
    expect(matches('tag != "hpo"', labels([]))).toBe(true);
    expect(matches('tag ~ "HP"', labels(['mnist', 'hpo']))).toBe(true);
    expect(matches('not tag ~ "debug"', labels(['debug-run']))).toBe(false);
    expect(matches('tag', labels([]))).toBe(false);
    expect(matches('tag', labels(['x']))).toBe(true);
    expect(matches('tag > "m"', labels(['a', 'n']))).toBe(true);
  });
  it('reads a key-value tag field with a dot as one field', () => {
    expect(parseQuery('tags.workers = 8')).toEqual({ kind: 'compare', field: 'tags.workers', op: '=', value: 8 });
    expect(matches('tags.workers = 8 and tags.hpo = "byopt"', { 'tags.workers': 8, 'tags.hpo': 'byopt' })).toBe(true);
  });
});

describe('QueryError', () => {
  it('says where and what was expected', () => {
    const error = errorOf('loss <');
    expect(error.position).toBe(6);
    expect(error.expected).toMatch(/a value after '<'/);
    expect(error.message).toBe(`column 7: ${error.message.slice('column 7: '.length)}`);
    expect(error.message).toMatch(/found the end of the query/);
  });

  it.each([
    ['loss 0.3', 5, /an operator/],
    ['loss < 0.3 and', 14, /a field name/],
    ['(loss < 1', 9, /'\)'/],
    ['loss < 1)', 8, /has no '\('/],
    ['name = "open', 7, /a closing "/],
    ['loss ! 1', 5, /a field, a value, an operator/],
    ['and = 1', 0, /a field name/],
    ['loss < and', 7, /a value/],
    ['a = 1 b = 2', 6, /'and', 'or'/],
    ['x = 12abc', 4, /a number/],
  ])('%s → column %d', (query, position, expected) => {
    const error = errorOf(query);
    expect(error.position).toBe(position);
    expect(error.expected).toMatch(expected);
  });

  describe('hostile input', () => {
    it('bounds length and nesting', () => {
      expect(errorOf('a'.repeat(MAX_QUERY_LENGTH + 1)).expected).toMatch(/at most/);
      expect(errorOf(`${'('.repeat(MAX_QUERY_DEPTH + 5)}a${')'.repeat(MAX_QUERY_DEPTH + 5)}`).expected).toMatch(/nested/);
      expect(errorOf(`${'not '.repeat(400)}a`).expected).toMatch(/nested/);
    });

    it('runs long flat queries in linear time and never evaluates', () => {
      const long = Array.from({ length: 150 }, (_, i) => `m${i} < ${i}`).join(' or ').slice(0, MAX_QUERY_LENGTH);
      const started = Date.now();
      const node = parseQuery(long.replace(/ or [^<]*<?\s*$/, ''));
      expect(matchesQuery(node, run({}))).toBe(false);
      expect(Date.now() - started).toBeLessThan(500);
      expect(matches('constructor = 1', {})).toBe(false);
      expect(() => parseQuery('a = `${alert(1)}`')).toThrow(QueryError);
    });
  });
});
