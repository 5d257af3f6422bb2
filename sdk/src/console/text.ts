/**
 * Pure text helpers for the terminal, shared by the CLI and `trainbook run`. Names and values come
 * from runs, which may come from anyone: control characters and bidi overrides are shown escaped,
 * never sent to the terminal.
 */

// C0/C1 controls, DEL, and the Unicode bidi controls that can reorder what a terminal shows.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * `text` with every control character written as a `\uXXXX` escape.
 *
 * @example
 * safeText('a\u001b[2Jb'); // 'a\\u001b[2Jb'
 */
export function safeText(value: string): string {
  return value.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * At most `width` code points of `value`, an ellipsis marking a cut.
 *
 * @example
 * truncate('learning_rate', 6); // 'learn…'
 */
export function truncate(value: string, width: number): string {
  const chars = [...value];
  return chars.length <= width ? value : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/**
 * Lays rows out in columns, each as wide as its widest cell (counted in code points).
 *
 * @example
 * renderTable(['ID', 'NAME'], [['1', 'mlp']]); // 'ID  NAME\n1   mlp'
 */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max([...title].length, ...rows.map((row) => [...(row[column] ?? '')].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - [...cell].length)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
