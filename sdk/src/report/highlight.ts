/**
 * A small syntax highlighter for the TypeScript/JavaScript of experiment cells. It splits the
 * source into tokens and escapes each token's text on its own, so the output can never contain
 * markup that was not written here: the only tags are `<span class="tok-KIND">` with KIND from a
 * fixed list. Pure.
 */
import { escapeHtml } from './escape.js';

export type TokenKind = 'comment' | 'string' | 'number' | 'keyword' | 'literal' | 'function' | 'plain';

export interface Token {
  kind: TokenKind;
  text: string;
}

const KEYWORDS = new Set(
  (
    'as async await break case catch class const continue debugger default delete do else enum export extends finally for from function ' +
    'if implements import in instanceof interface let new of private protected public readonly return static super switch this throw try ' +
    'type typeof var void while with yield'
  ).split(' '),
);
const LITERALS = new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity']);

// One alternation, tried at each position; the first group that matches names the token's kind.
const TOKEN = new RegExp(
  [
    String.raw`(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))`, // 1 comment
    String.raw`("(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|\`(?:[^\`\\]|\\[\s\S])*\`?)`, // 2 string
    String.raw`(\b(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?n?)\b)`, // 3 number
    String.raw`([A-Za-z_$][\w$]*)`, // 4 word
  ].join('|'),
  'g',
);

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  const push = (kind: TokenKind, text: string) => {
    if (text === '') return;
    const previous = tokens[tokens.length - 1];
    if (previous && previous.kind === kind && kind === 'plain') previous.text += text;
    else tokens.push({ kind, text });
  };
  for (const match of source.matchAll(TOKEN)) {
    const index = match.index!;
    push('plain', source.slice(last, index));
    const [text, comment, string, number, word] = match;
    if (comment !== undefined) push('comment', text);
    else if (string !== undefined) push('string', text);
    else if (number !== undefined) push('number', text);
    else if (word !== undefined) {
      const next = source.slice(index + text.length).match(/^\s*\(/);
      push(KEYWORDS.has(word) ? 'keyword' : LITERALS.has(word) ? 'literal' : next ? 'function' : 'plain', text);
    }
    last = index + text.length;
  }
  push('plain', source.slice(last));
  return tokens;
}

/** Highlighted HTML for a `<pre><code>`: every token's text escaped, plain text unwrapped. */
export function highlight(source: string): string {
  return tokenize(source)
    .map((token) => (token.kind === 'plain' ? escapeHtml(token.text) : `<span class="tok-${token.kind}">${escapeHtml(token.text)}</span>`))
    .join('');
}
