/**
 * The `json` exchange format: the whole run, lossless. The record as stored, each metric as
 * columns (values encoded as the store encodes them, so NaN and ±Infinity survive JSON), each
 * timer's measurements, and the other events. Pure.
 */
import { ImportFormatError, coerceRunRecord, isObject, type RunEvent, type RunRecord } from 'trainbook/core';
import { checkEvents, decodeChrono, decodeSeries, encodeSeries, recordProblem, type EncodedSeries, type PortableChrono, type PortableRun } from './portable.js';

/** The marker a trainbook run export carries at its top. */
export const JSON_EXPORT_KIND = 'trainbook-run';
export const JSON_EXPORT_VERSION = 1;

export interface JsonRunExport {
  kind: typeof JSON_EXPORT_KIND;
  version: typeof JSON_EXPORT_VERSION;
  record: RunRecord;
  series: EncodedSeries[];
  chronos: PortableChrono[];
  events: RunEvent[];
}

/**
 * The JSON export of a run.
 *
 * @example
 * ```ts
 * const text = JSON.stringify(toJsonExport(portableFromRead(store.read(id))), null, 1);
 * ```
 */
export function toJsonExport(run: PortableRun): JsonRunExport {
  return {
    kind: JSON_EXPORT_KIND,
    version: JSON_EXPORT_VERSION,
    record: run.record,
    series: run.series.map(encodeSeries),
    chronos: run.chronos,
    events: run.events,
  };
}

/** True when a parsed JSON value says it is a trainbook run export (of any version). */
export function isJsonExport(value: unknown): boolean {
  return isObject(value) && value.kind === JSON_EXPORT_KIND;
}

/**
 * Reads a JSON export from an untrusted file; throws {@link ImportFormatError} naming the first
 * thing that is wrong.
 *
 * @example
 * ```ts
 * const run = fromJsonExport(JSON.parse(fs.readFileSync('run.json', 'utf8')));
 * ```
 */
function isRunError(value: unknown): boolean {
  return isObject(value) && typeof value.name === 'string' && typeof value.message === 'string' && (value.stack === null || value.stack === undefined || typeof value.stack === 'string');
}

export function fromJsonExport(value: unknown): PortableRun {
  if (!isObject(value) || value.kind !== JSON_EXPORT_KIND) throw new ImportFormatError(`Not a trainbook run export: the top-level "kind" must be "${JSON_EXPORT_KIND}".`);
  if (value.version !== JSON_EXPORT_VERSION) {
    throw new ImportFormatError(`This export has version ${JSON.stringify(value.version)}; this trainbook reads version ${JSON_EXPORT_VERSION}. Upgrade trainbook to import it.`);
  }
  // Checked as written: reading a record turns an odd error (a name that is not text) into text
  // for the views; an import refuses it instead.
  const writtenError = isObject(value.record) ? value.record.error : null;
  if (writtenError !== undefined && writtenError !== null && !isRunError(writtenError)) {
    throw new ImportFormatError('The export\'s "record" is not a run record: "error" must be { name, message, stack }.');
  }
  const record = coerceRunRecord(value.record);
  if (typeof record === 'string') throw new ImportFormatError(`The export's "record" is not a run record: ${record}.`);
  const problem = recordProblem(record);
  if (problem) throw new ImportFormatError(`The export's "record" is not a run record: ${problem}.`);
  if (!Array.isArray(value.series)) throw new ImportFormatError('The export\'s "series" must be an array.');
  const series = value.series.map((s, i) => decodeSeries(s, `series[${i}]`));
  refuseDuplicates(series.map((s) => s.name), 'series');
  if (!Array.isArray(value.chronos)) throw new ImportFormatError('The export\'s "chronos" must be an array.');
  const chronos = value.chronos.map((c, i) => decodeChrono(c, `chronos[${i}]`));
  refuseDuplicates(chronos.map((c) => c.name), 'chronos');
  const events = checkEvents(value.events, 'events');
  return { record, series, chronos, events };
}

export function refuseDuplicates(names: readonly string[], where: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new ImportFormatError(`"${where}" holds ${JSON.stringify(name)} twice; each name may appear once.`);
    seen.add(name);
  }
}
