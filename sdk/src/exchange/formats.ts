/**
 * The exchange formats by name: write a run in one, and read a file in whichever it is (told or
 * recognised from its content). Pure.
 */
import { ImportFormatError } from 'trainbook/core';
import { CSV_HEADER, fromCsv, toCsv } from './csv.js';
import { fromJsonExport, isJsonExport, toJsonExport } from './json.js';
import type { PortableRun } from './portable.js';
import { fromTrackReport, isTrackReport, parseTrackJson, toTrackReport } from './track.js';

export const EXCHANGE_FORMATS = ['json', 'csv', 'track'] as const;
export type ExchangeFormat = (typeof EXCHANGE_FORMATS)[number];

export function isExchangeFormat(value: string): value is ExchangeFormat {
  return (EXCHANGE_FORMATS as readonly string[]).includes(value);
}

/**
 * A run written in an exchange format, as the text of a file.
 *
 * @example
 * ```ts
 * fs.writeFileSync('run.track.json', formatRun(portableFromRead(store.read(id)), 'track'));
 * ```
 */
export function formatRun(run: PortableRun, format: ExchangeFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(toJsonExport(run), null, 1)}\n`;
    case 'track':
      return `${JSON.stringify(toTrackReport(run), null, 1)}\n`;
    case 'csv':
      return toCsv(run);
  }
}

/**
 * Reads the text of an exported file. Without `format`, a file whose first line is the CSV header
 * is CSV, and a JSON file is a trainbook export or a 'track' report by its content. Throws
 * {@link ImportFormatError} saying what is wrong.
 *
 * @example
 * ```ts
 * const run = parseRunFile(fs.readFileSync('report.json', 'utf8'), { now: new Date() });
 * ```
 */
export function parseRunFile(text: string, options: { format?: ExchangeFormat; now: Date }): PortableRun {
  const format = options.format ?? detectFormat(text);
  if (format === 'csv') return fromCsv(text);
  let value: unknown;
  try {
    value = format === 'track' ? parseTrackJson(text) : JSON.parse(text);
  } catch (error) {
    throw new ImportFormatError(`The file is not valid JSON (${(error as Error).message}); export it again with \`trainbook export --format ${format}\`.`);
  }
  return format === 'track' ? fromTrackReport(value, options.now) : fromJsonExport(value);
}

/** Which format a file's text is in; throws when it is none of them. */
export function detectFormat(text: string): ExchangeFormat {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith(CSV_HEADER.join(','))) return 'csv';
  if (!start.startsWith('{')) {
    throw new ImportFormatError(`Cannot tell the file's format: it is neither JSON nor a trainbook CSV export. Pass --format ${EXCHANGE_FORMATS.join('|')}.`);
  }
  let value: unknown;
  try {
    value = parseTrackJson(text);
  } catch (error) {
    throw new ImportFormatError(`The file is not valid JSON (${(error as Error).message}).`);
  }
  if (isJsonExport(value)) return 'json';
  if (isTrackReport(value)) return 'track';
  throw new ImportFormatError('The file is JSON but neither a trainbook run export ("kind": "trainbook-run") nor a \'track\' report (with "metrics" and "status").');
}
