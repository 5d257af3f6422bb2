/**
 * Pure text helpers for the CLI's tables. Names and values come from runs, which may come from
 * anyone: control characters and bidi overrides are shown escaped, never sent to the terminal.
 */
import { formatValue as formatStoredValue } from 'trainbook/core';
import { safeText } from '../console/text.js';

// The terminal text helpers live in console/ (the CLI and `trainbook run` share them).
export { renderTable, safeText, truncate } from '../console/text.js';

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
