/**
 * Pure text helpers for the terminal. Names and values come from runs, which may come from
 * anyone: control characters and bidi overrides are shown escaped, never sent to the terminal.
 */
import { formatValue as formatStoredValue } from 'trainbook/core';

// C0/C1 controls, DEL, and the Unicode bidi controls that can reorder what a terminal shows.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export function safeText(value: string): string {
  return value.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function truncate(value: string, width: number): string {
  const chars = [...value];
  return chars.length <= width ? value : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

export { formatDuration } from 'trainbook/core';

/** `2026-11-22 21:17` in UTC, short enough for a table. */
export function formatTime(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/** A param or metric value for the terminal: the core's one formatter, made safe to print. */
export function formatValue(value: unknown): string {
  return safeText(formatStoredValue(value));
}

/** Lays rows out in columns, each as wide as its widest cell (counted in code points). */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max([...title].length, ...rows.map((row) => [...(row[column] ?? '')].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - [...cell].length)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
