/**
 * Reads a notebook's `parameters` cell (the papermill convention) without running it: top-level
 * `const` / `let` / `var` declarations whose value is a literal (number, string, template without
 * substitutions, boolean, null, array, object) become params. Anything else is reported and left
 * out, never evaluated. The work is linear in the source and bounded in size and depth, so a
 * hostile cell cannot hang the browser. Names are data: the params and every object value have
 * no prototype, so a variable or key called `__proto__` is read like any other. Pure: runs in
 * Node and in the browser.
 */
import { nameRecord, setName } from '../format/names.js';

/** Sources longer than this are refused whole (a parameters cell is a few lines). */
export const MAX_PARAMETERS_SOURCE = 256 * 1024;
/** Nesting of arrays and objects deeper than this is refused. */
export const MAX_LITERAL_DEPTH = 64;

export interface ParametersProblem {
  /** 1-based line and column of the token where reading stopped. */
  line: number;
  column: number;
  message: string;
}

export interface ParametersResult {
  params: Record<string, unknown>;
  problems: ParametersProblem[];
}

type TokenKind = 'ident' | 'number' | 'string' | 'template' | 'punct' | 'eof';

interface Token {
  kind: TokenKind;
  /** Identifier or punctuation text; the decoded value of a string. */
  text: string;
  value?: number;
  start: number;
  /** True when a line break separates this token from the previous one. */
  newlineBefore: boolean;
  /** Offset of a `${` in a template: such a template is code, not a literal. */
  substitution?: number;
}

class ParametersSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const PUNCTUATION = ['=>', '...', '=', ';', ',', ':', '[', ']', '{', '}', '(', ')', '-', '+', '.', '<', '>', '?', '|', '&', '!', '*', '/', '%', '^', '~', '@', '#'];

const isIdentStart = (c: string): boolean => /[A-Za-z_$\u0080-\uffff]/.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** Splits the source into tokens, skipping comments and whitespace. One pass, no backtracking. */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let newlineBefore = true;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029') {
      newlineBefore = true;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\ufeff' || c === '\u00a0') {
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      while (i < n && source[i] !== '\n' && source[i] !== '\r') i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end === -1) throw new ParametersSyntaxError('unterminated comment', i);
      if (/[\n\r\u2028\u2029]/.test(source.slice(i, end))) newlineBefore = true;
      i = end + 2;
      continue;
    }
    const start = i;
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(source[i]!)) i++;
      tokens.push({ kind: 'ident', text: source.slice(start, i), start, newlineBefore });
    } else if (isDigit(c) || (c === '.' && isDigit(source[i + 1] ?? ''))) {
      i = readNumber(source, i, tokens, newlineBefore);
    } else if (c === '"' || c === "'") {
      const [value, end] = readString(source, i, c);
      tokens.push({ kind: 'string', text: value, start, newlineBefore });
      i = end;
    } else if (c === '`') {
      const [value, end, substitution] = readTemplate(source, i);
      tokens.push({ kind: 'template', text: value, start, newlineBefore, ...(substitution === null ? {} : { substitution }) });
      i = end;
    } else {
      const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
      if (!punct) throw new ParametersSyntaxError(`unexpected character ${JSON.stringify(c)}`, i);
      tokens.push({ kind: 'punct', text: punct, start, newlineBefore });
      i += punct.length;
    }
    newlineBefore = false;
  }
  tokens.push({ kind: 'eof', text: '', start: n, newlineBefore: true });
  return tokens;
}

function readNumber(source: string, start: number, tokens: Token[], newlineBefore: boolean): number {
  let i = start;
  const rest = source.slice(start, start + 2).toLowerCase();
  let value: number;
  if (rest === '0x' || rest === '0o' || rest === '0b') {
    const radix = rest === '0x' ? 16 : rest === '0o' ? 8 : 2;
    i += 2;
    const digitsStart = i;
    while (i < source.length && /[0-9a-fA-F_]/.test(source[i]!)) i++;
    const digits = source.slice(digitsStart, i).replace(/_/g, '');
    if (digits === '' || [...digits].some((d) => Number.isNaN(parseInt(d, radix)))) throw new ParametersSyntaxError('malformed number', start);
    value = digits.length > 12 ? Number(`${rest}${digits}`) : parseInt(digits, radix);
  } else {
    while (i < source.length && /[0-9_]/.test(source[i]!)) i++;
    if (source[i] === '.') {
      i++;
      while (i < source.length && /[0-9_]/.test(source[i]!)) i++;
    }
    if (source[i] === 'e' || source[i] === 'E') {
      i++;
      if (source[i] === '+' || source[i] === '-') i++;
      const expStart = i;
      while (i < source.length && isDigit(source[i]!)) i++;
      if (i === expStart) throw new ParametersSyntaxError('malformed exponent', start);
    }
    const text = source.slice(start, i);
    if (/_(_|$|\.|e)|\._|^_/i.test(text)) throw new ParametersSyntaxError('malformed numeric separator', start);
    value = Number(text.replace(/_/g, ''));
  }
  if (source[i] === 'n') throw new ParametersSyntaxError('BigInt literals are not supported as params', start);
  if (i < source.length && isIdentPart(source[i]!)) throw new ParametersSyntaxError('malformed number', start);
  if (!Number.isFinite(value) && !Number.isNaN(value)) value = Infinity;
  tokens.push({ kind: 'number', text: source.slice(start, i), value, start, newlineBefore });
  return i;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };

/** Reads one escape after a backslash at `i`; returns the text and the index after it. */
function readEscape(source: string, i: number, inTemplate: boolean): [string, number] {
  const c = source[i + 1];
  if (c === undefined) throw new ParametersSyntaxError('unterminated string', i);
  if (c === '\r') return ['', source[i + 2] === '\n' ? i + 3 : i + 2];
  if (c === '\n' || c === '\u2028' || c === '\u2029') return ['', i + 2];
  if (c === '0' && isDigit(source[i + 2] ?? '')) throw new ParametersSyntaxError('octal escapes are not supported', i);
  if (c in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[c]!, i + 2];
  if (isDigit(c)) throw new ParametersSyntaxError(inTemplate ? 'octal escapes are not allowed in templates' : 'octal escapes are not supported', i);
  if (c === 'x') {
    const hex = source.slice(i + 2, i + 4);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new ParametersSyntaxError('malformed \\x escape', i);
    return [String.fromCharCode(parseInt(hex, 16)), i + 4];
  }
  if (c === 'u') {
    if (source[i + 2] === '{') {
      const end = source.indexOf('}', i + 3);
      const hex = end === -1 ? '' : source.slice(i + 3, end);
      if (!/^[0-9a-fA-F]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw new ParametersSyntaxError('malformed \\u{} escape', i);
      return [String.fromCodePoint(parseInt(hex, 16)), end + 1];
    }
    const hex = source.slice(i + 2, i + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ParametersSyntaxError('malformed \\u escape', i);
    return [String.fromCharCode(parseInt(hex, 16)), i + 6];
  }
  return [c, i + 2];
}

function readString(source: string, start: number, quote: string): [string, number] {
  let out = '';
  let i = start + 1;
  for (;;) {
    const c = source[i];
    if (c === undefined || c === '\n' || c === '\r') throw new ParametersSyntaxError('unterminated string', start);
    if (c === quote) return [out, i + 1];
    if (c === '\\') {
      const [text, next] = readEscape(source, i, false);
      out += text;
      i = next;
    } else {
      out += c;
      i++;
    }
  }
}

/** Reads a template string; a `${` is noted (and skipped to its `}`), never read as code. */
function readTemplate(source: string, start: number): [string, number, number | null] {
  let out = '';
  let i = start + 1;
  let substitution: number | null = null;
  for (;;) {
    const c = source[i];
    if (c === undefined) throw new ParametersSyntaxError('unterminated template string', start);
    if (c === '`') return [out, i + 1, substitution];
    if (c === '$' && source[i + 1] === '{') {
      substitution ??= i;
      const end = source.indexOf('}', i + 2);
      if (end === -1) throw new ParametersSyntaxError('unterminated template substitution', i);
      i = end + 1;
      continue;
    }
    if (c === '\\') {
      const [text, next] = readEscape(source, i, true);
      out += text;
      i = next;
    } else if (c === '\r') {
      // Template literals normalise CRLF and CR to LF.
      out += '\n';
      i += source[i + 1] === '\n' ? 2 : 1;
    } else {
      out += c;
      i++;
    }
  }
}

const DECLARATIONS = new Set(['const', 'let', 'var']);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private get token(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    const token = this.token;
    if (token.kind !== 'eof') this.pos++;
    return token;
  }

  private isPunct(text: string): boolean {
    return this.token.kind === 'punct' && this.token.text === text;
  }

  private expectPunct(text: string, what: string): void {
    if (!this.isPunct(text)) throw new ParametersSyntaxError(`expected ${what}, found ${describe(this.token)}`, this.token.start);
    this.pos++;
  }

  /** Reads every statement; a statement that is not a literal declaration becomes a problem. */
  parse(params: Record<string, unknown>, problems: Array<{ offset: number; message: string }>): void {
    while (this.token.kind !== 'eof') {
      if (this.isPunct(';')) {
        this.pos++;
        continue;
      }
      const statementStart = this.pos;
      try {
        this.statement(params);
      } catch (error) {
        if (!(error instanceof ParametersSyntaxError)) throw error;
        problems.push({ offset: error.offset, message: error.message });
        if (this.pos === statementStart) this.pos++;
        this.skipStatement();
      }
    }
  }

  /** Skips to the end of the current statement: a `;` or a new line outside brackets. */
  private skipStatement(): void {
    let depth = 0;
    while (this.token.kind !== 'eof') {
      const token = this.token;
      if (depth === 0 && token.newlineBefore) return;
      if (token.kind === 'punct') {
        if (token.text === '(' || token.text === '[' || token.text === '{') depth++;
        else if (token.text === ')' || token.text === ']' || token.text === '}') depth = Math.max(0, depth - 1);
        else if (token.text === ';' && depth === 0) {
          this.pos++;
          return;
        }
      }
      this.pos++;
    }
  }

  private statement(params: Record<string, unknown>): void {
    if (this.token.kind === 'ident' && this.token.text === 'export') this.pos++;
    const keyword = this.token;
    if (keyword.kind !== 'ident' || !DECLARATIONS.has(keyword.text)) {
      throw new ParametersSyntaxError(`only const/let declarations of literals are read, found ${describe(keyword)}`, keyword.start);
    }
    this.pos++;
    const values: Array<[string, unknown]> = [];
    for (;;) {
      const name = this.next();
      if (name.kind !== 'ident') throw new ParametersSyntaxError(`expected a variable name, found ${describe(name)}`, name.start);
      if (this.isPunct(':')) this.skipTypeAnnotation();
      this.expectPunct('=', `'=' and a literal value after ${name.text}`);
      const value = this.literal(0);
      if (this.token.kind === 'ident' && this.token.text === 'as' && !this.token.newlineBefore) {
        this.pos++;
        const what = this.next();
        if (what.kind !== 'ident' || what.text !== 'const') throw new ParametersSyntaxError("only 'as const' may follow a literal", what.start);
      }
      values.push([name.text, value]);
      if (this.isPunct(',')) {
        this.pos++;
        continue;
      }
      break;
    }
    if (this.isPunct(';')) this.pos++;
    else if (this.token.kind !== 'eof' && !this.token.newlineBefore) {
      throw new ParametersSyntaxError(`expected the end of the statement, found ${describe(this.token)}`, this.token.start);
    }
    // Only a whole statement counts: `const a = 1, b = f()` keeps neither.
    for (const [name, value] of values) setName(params, name, value);
  }

  /** Skips `: Type` up to the `=` that is not inside brackets (types are not read). */
  private skipTypeAnnotation(): void {
    this.pos++;
    let depth = 0;
    while (this.token.kind !== 'eof') {
      const token = this.token;
      if (token.kind === 'punct') {
        if (token.text === '(' || token.text === '[' || token.text === '{' || token.text === '<') depth++;
        else if (token.text === ')' || token.text === ']' || token.text === '}' || token.text === '>') depth--;
        else if (token.text === '=' && depth <= 0) return;
        else if (token.text === ';' && depth <= 0) break;
      }
      this.pos++;
    }
    throw new ParametersSyntaxError("expected '=' after the type annotation", this.token.start);
  }

  private literal(depth: number): unknown {
    if (depth > MAX_LITERAL_DEPTH) throw new ParametersSyntaxError(`literal nested deeper than ${MAX_LITERAL_DEPTH} levels`, this.token.start);
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return token.value!;
      case 'template':
        if (token.substitution !== undefined) throw new ParametersSyntaxError('template strings with ${...} substitutions are not literals', token.substitution);
        return token.text;
      case 'string':
        return token.text;
      case 'ident':
        if (token.text === 'true') return true;
        if (token.text === 'false') return false;
        if (token.text === 'null') return null;
        if (token.text === 'NaN') return NaN;
        if (token.text === 'Infinity') return Infinity;
        throw new ParametersSyntaxError(`${describe(token)} is not a literal`, token.start);
      case 'punct':
        if (token.text === '-' || token.text === '+') {
          const operand = this.next();
          const value = operand.kind === 'number' ? operand.value! : operand.kind === 'ident' && operand.text === 'Infinity' ? Infinity : operand.kind === 'ident' && operand.text === 'NaN' ? NaN : null;
          if (value === null) throw new ParametersSyntaxError(`expected a number after '${token.text}', found ${describe(operand)}`, operand.start);
          return token.text === '-' ? -value : value;
        }
        if (token.text === '[') return this.array(depth);
        if (token.text === '{') return this.object(depth);
        throw new ParametersSyntaxError(`${describe(token)} is not a literal`, token.start);
      default:
        throw new ParametersSyntaxError(`expected a literal value, found ${describe(token)}`, token.start);
    }
  }

  private array(depth: number): unknown[] {
    const items: unknown[] = [];
    for (;;) {
      if (this.isPunct(']')) {
        this.pos++;
        return items;
      }
      if (this.isPunct(',')) throw new ParametersSyntaxError('arrays with holes are not supported', this.token.start);
      if (this.isPunct('...')) throw new ParametersSyntaxError('spread is not a literal', this.token.start);
      items.push(this.literal(depth + 1));
      if (this.isPunct(',')) this.pos++;
      else if (!this.isPunct(']')) throw new ParametersSyntaxError(`expected ',' or ']' in array, found ${describe(this.token)}`, this.token.start);
    }
  }

  private object(depth: number): Record<string, unknown> {
    const object: Record<string, unknown> = nameRecord();
    for (;;) {
      if (this.isPunct('}')) {
        this.pos++;
        return object;
      }
      const key = this.next();
      let name: string;
      if (key.kind === 'ident' || key.kind === 'string') name = key.text;
      else if (key.kind === 'number') name = String(key.value);
      else throw new ParametersSyntaxError(`expected a property name, found ${describe(key)}`, key.start);
      if (!this.isPunct(':')) {
        throw new ParametersSyntaxError(`expected ':' after property ${JSON.stringify(name)} (shorthand and methods are not literals)`, this.token.start);
      }
      this.pos++;
      setName(object, name, this.literal(depth + 1));
      if (this.isPunct(',')) this.pos++;
      else if (!this.isPunct('}')) throw new ParametersSyntaxError(`expected ',' or '}' in object, found ${describe(this.token)}`, this.token.start);
    }
  }
}

function describe(token: Token): string {
  if (token.kind === 'eof') return 'the end of the cell';
  if (token.kind === 'string' || token.kind === 'template') return 'a string';
  const text = token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text;
  return `'${text}'`;
}

function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * The params a `parameters` cell declares, and what could not be read.
 *
 * @example
 * parseParametersCell("const lr = 0.01;\nlet optimizer = { name: 'adam', betas: [0.9, 0.999] }")
 * // → { params: { lr: 0.01, optimizer: { name: 'adam', betas: [0.9, 0.999] } }, problems: [] }
 */
export function parseParametersCell(source: string): ParametersResult {
  const params: Record<string, unknown> = nameRecord();
  if (source.length > MAX_PARAMETERS_SOURCE) {
    return { params, problems: [{ line: 1, column: 1, message: `the parameters cell is longer than ${MAX_PARAMETERS_SOURCE} characters; it was not read` }] };
  }
  const raw: Array<{ offset: number; message: string }> = [];
  let tokens: Token[];
  try {
    tokens = tokenize(source);
  } catch (error) {
    if (!(error instanceof ParametersSyntaxError)) throw error;
    // Whatever came before the bad character is still read.
    raw.push({ offset: error.offset, message: error.message });
    try {
      tokens = tokenize(source.slice(0, error.offset));
    } catch {
      tokens = [{ kind: 'eof', text: '', start: 0, newlineBefore: true }];
    }
    // The statement cut short by the bad character is not kept.
    tokens = dropLastStatement(tokens);
  }
  new Parser(tokens).parse(params, raw);
  return { params, problems: raw.map((p) => ({ ...lineAndColumn(source, p.offset), message: p.message })) };
}

/** Tokens up to the start of the last statement (the one a tokenizer error interrupted). */
function dropLastStatement(tokens: Token[]): Token[] {
  let cut = 0;
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i]!;
    if ((token.newlineBefore && token.kind === 'ident' && DECLARATIONS.has(token.text)) || (i > 0 && tokens[i - 1]!.kind === 'punct' && tokens[i - 1]!.text === ';')) cut = i;
  }
  const eof = tokens[tokens.length - 1]!;
  return [...tokens.slice(0, cut), { ...eof, start: tokens[cut]?.start ?? eof.start }];
}
