/**
 * The runs panel's filter language: `loss < 0.3 and optimizer.name = "adam"`.
 *
 *   query      := or
 *   or         := and ('or' and)*
 *   and        := not ('and' not)*
 *   not        := 'not' not | '(' or ')' | comparison
 *   comparison := field op value | field            (a bare field: the run has it)
 *   op         := = | == | != | < | <= | > | >= | ~  (~: contains, case-insensitive)
 *   field      := name ('.' name)* with letters, digits, _ / - ; or "quoted" / `quoted`
 *   value      := number | NaN | Infinity | "string" | 'string' | true | false | null | word
 *
 * Fields are looked up by the caller (see `runField` in ./runs.ts): built-in columns, params,
 * metrics, `tag` (a run's labels: `tag = "mnist"` holds when one of them is "mnist") and
 * `tags.<key>` (a key-value tag: `tags.workers = 8`). Keywords are case-insensitive. A bad query is a {@link QueryError} with the offset where
 * reading stopped and what was expected there. Nothing is evaluated as code; the work is linear
 * in the query, whose length and nesting are bounded. Pure.
 */

export const MAX_QUERY_LENGTH = 2000;
export const MAX_QUERY_DEPTH = 32;

export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~';
export type QueryValue = number | string | boolean | null;

export type QueryNode =
  | { kind: 'and' | 'or'; left: QueryNode; right: QueryNode }
  | { kind: 'not'; operand: QueryNode }
  | { kind: 'compare'; field: string; op: Comparator; value: QueryValue }
  | { kind: 'exists'; field: string };

export class QueryError extends Error {
  constructor(
    /** 0-based offset in the query where reading stopped. */
    readonly position: number,
    /** What would have been valid there. */
    readonly expected: string,
    /** What was found there instead. */
    readonly found: string,
  ) {
    super(`column ${position + 1}: expected ${expected}, found ${found}`);
    this.name = 'QueryError';
  }
}

type TokenKind = 'word' | 'quoted-field' | 'string' | 'number' | 'op' | '(' | ')' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  value?: QueryValue;
  start: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '=', '<', '>', '~'];
const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_./\-]/;

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')') {
      tokens.push({ kind: c, text: c, start });
      i++;
    } else if (c === '"' || c === "'" || c === '`') {
      let text = '';
      i++;
      for (;;) {
        if (i >= query.length) throw new QueryError(start, `a closing ${c}`, 'the end of the query');
        const d = query[i]!;
        if (d === c) break;
        if (d === '\\' && i + 1 < query.length) {
          text += query[i + 1];
          i += 2;
        } else {
          text += d;
          i++;
        }
      }
      i++;
      tokens.push({ kind: c === '`' ? 'quoted-field' : 'string', text, value: text, start });
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '+' || c === '.') && /[0-9.]/.test(query[i + 1] ?? ''))) {
      const match = /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?/.exec(query.slice(i, i + 64));
      const text = match?.[0] ?? '';
      const value = Number(text.replace(/_/g, ''));
      if (!text || Number.isNaN(value) || WORD_START.test(query[i + text.length] ?? '')) throw new QueryError(start, 'a number', quote(query.slice(i, i + 12)));
      tokens.push({ kind: 'number', text, value, start });
      i += text.length;
    } else if (WORD_START.test(c)) {
      while (i < query.length && WORD_PART.test(query[i]!)) i++;
      tokens.push({ kind: 'word', text: query.slice(start, i), start });
    } else {
      const op = OPERATORS.find((o) => query.startsWith(o, i));
      if (!op) throw new QueryError(start, 'a field, a value, an operator or a parenthesis', quote(c));
      tokens.push({ kind: 'op', text: op === '==' ? '=' : op, start });
      i += op.length;
    }
  }
  tokens.push({ kind: 'eof', text: '', start: query.length });
  return tokens;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 20 ? `${text.slice(0, 20)}…` : text);
}

function describe(token: Token): string {
  if (token.kind === 'eof') return 'the end of the query';
  if (token.kind === 'string') return `the string ${quote(token.text)}`;
  return quote(token.text);
}

const isKeyword = (token: Token, word: string): boolean => token.kind === 'word' && token.text.toLowerCase() === word;
const KEYWORDS = new Set(['and', 'or', 'not']);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private get token(): Token {
    return this.tokens[this.pos]!;
  }

  parse(): QueryNode {
    const node = this.or(0);
    if (this.token.kind !== 'eof') {
      throw new QueryError(this.token.start, this.token.kind === ')' ? "'and', 'or' or the end of the query (this ')' has no '(')" : "'and', 'or' or the end of the query", describe(this.token));
    }
    return node;
  }

  private or(depth: number): QueryNode {
    let left = this.and(depth);
    while (isKeyword(this.token, 'or')) {
      this.pos++;
      left = { kind: 'or', left, right: this.and(depth) };
    }
    return left;
  }

  private and(depth: number): QueryNode {
    let left = this.not(depth);
    while (isKeyword(this.token, 'and')) {
      this.pos++;
      left = { kind: 'and', left, right: this.not(depth) };
    }
    return left;
  }

  private not(depth: number): QueryNode {
    if (depth > MAX_QUERY_DEPTH) throw new QueryError(this.token.start, `at most ${MAX_QUERY_DEPTH} nested 'not' or parentheses`, 'more');
    if (isKeyword(this.token, 'not')) {
      this.pos++;
      return { kind: 'not', operand: this.not(depth + 1) };
    }
    if (this.token.kind === '(') {
      this.pos++;
      const inner = this.or(depth + 1);
      const close: Token = this.token;
      if (close.kind !== ')') throw new QueryError(close.start, "')' or 'and'/'or'", describe(close));
      this.pos++;
      return inner;
    }
    return this.comparison();
  }

  private comparison(): QueryNode {
    const fieldToken = this.token;
    const isField = (fieldToken.kind === 'word' && !KEYWORDS.has(fieldToken.text.toLowerCase())) || fieldToken.kind === 'quoted-field' || fieldToken.kind === 'string';
    if (!isField) throw new QueryError(fieldToken.start, "a field name (such as loss or optimizer.name), 'not' or '('", describe(fieldToken));
    this.pos++;
    const field = fieldToken.text;
    const opToken = this.token;
    if (opToken.kind !== 'op') {
      // A bare field: the run has it. Only where the query or a sub-expression ends.
      if (opToken.kind === 'eof' || opToken.kind === ')' || isKeyword(opToken, 'and') || isKeyword(opToken, 'or')) return { kind: 'exists', field };
      throw new QueryError(opToken.start, 'an operator (=, !=, <, <=, >, >=, ~)', describe(opToken));
    }
    this.pos++;
    const valueToken = this.token;
    let value: QueryValue;
    if (valueToken.kind === 'number' || valueToken.kind === 'string') value = valueToken.value!;
    else if (valueToken.kind === 'word' && !KEYWORDS.has(valueToken.text.toLowerCase())) {
      const word = valueToken.text;
      const lower = word.toLowerCase();
      value = lower === 'true' ? true : lower === 'false' ? false : lower === 'null' ? null : word === 'NaN' ? NaN : word === 'Infinity' ? Infinity : word;
    } else {
      throw new QueryError(valueToken.start, `a value after '${opToken.text}' (a number, "text", true, false or null)`, describe(valueToken));
    }
    this.pos++;
    return { kind: 'compare', field, op: opToken.text as Comparator, value };
  }
}

/**
 * Parses a filter query. An empty query (only spaces) is `null`: every run matches.
 *
 * @example
 * parseQuery('loss < 0.3 and optimizer.name = "adam"')
 */
export function parseQuery(query: string): QueryNode | null {
  if (query.length > MAX_QUERY_LENGTH) throw new QueryError(MAX_QUERY_LENGTH, `a query of at most ${MAX_QUERY_LENGTH} characters`, `${query.length} characters`);
  const tokens = tokenize(query);
  if (tokens.length === 1) return null;
  return new Parser(tokens).parse();
}

/**
 * A field that holds several values, such as a run's labels: a comparison holds when it holds for
 * one of them, `!=` when it holds for all (`tag != "debug"`: no label is "debug"), and the bare
 * field when there is at least one.
 */
export class AnyOf {
  constructor(readonly values: readonly unknown[]) {}
}

/** What a field holds for one run ({@link AnyOf} for several values), or undefined when the run does not have it. */
export type FieldLookup = (field: string) => unknown;

/**
 * True when the run whose fields `lookup` resolves matches. A comparison with a field the run
 * lacks is false (`not` of it is true). Numbers compare as numbers (a numeric string field too);
 * `NaN = NaN` holds, so diverged runs can be found. Text compares exactly; `~` is a
 * case-insensitive substring test on the text form of any value.
 */
export function matchesQuery(node: QueryNode | null, lookup: FieldLookup): boolean {
  if (node === null) return true;
  switch (node.kind) {
    case 'and':
      return matchesQuery(node.left, lookup) && matchesQuery(node.right, lookup);
    case 'or':
      return matchesQuery(node.left, lookup) || matchesQuery(node.right, lookup);
    case 'not':
      return !matchesQuery(node.operand, lookup);
    case 'exists': {
      const actual = lookup(node.field);
      return actual instanceof AnyOf ? actual.values.length > 0 : actual !== undefined;
    }
    case 'compare': {
      const actual = lookup(node.field);
      if (!(actual instanceof AnyOf)) return compare(actual, node.op, node.value);
      return node.op === '!=' ? actual.values.every((value) => compare(value, '!=', node.value)) : actual.values.some((value) => compare(value, node.op, node.value));
    }
  }
}

function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value) ?? '';
}

function compare(actual: unknown, op: Comparator, expected: QueryValue): boolean {
  if (actual === undefined) return false;
  if (op === '~') return textOf(actual).toLowerCase().includes(textOf(expected).toLowerCase());
  if (typeof expected === 'number') {
    const a = asNumber(actual);
    if (a === null) return op === '!=';
    if (Number.isNaN(expected) || Number.isNaN(a)) {
      const same = Number.isNaN(expected) && Number.isNaN(a);
      return op === '=' ? same : op === '!=' ? !same : false;
    }
    return order(a, expected, op);
  }
  if (typeof expected === 'boolean' || expected === null) {
    const same = actual === expected;
    return op === '=' ? same : op === '!=' ? !same : false;
  }
  // Text: a number-looking stored text still compares as text against a text value.
  const a = textOf(actual);
  if (op === '=' || op === '!=') return (a === expected) === (op === '=');
  return order(a, expected, op);
}

function order<T extends number | string>(a: T, b: T, op: Comparator): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return false;
  }
}
