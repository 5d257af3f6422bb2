/**
 * The `csv` exchange format: one row per metric point, `run,metric,step,epoch,time,value`, for
 * spreadsheets and pandas. RFC 4180 quoting (CRLF line ends, quotes doubled). Text cells that a
 * spreadsheet would run as a formula (beginning with = + - @, a tab or a carriage return) get a
 * leading `'`; numbers never do (NaN, Infinity and -Infinity are written as such). Pure.
 */
import { ImportFormatError, type RunRecord, bareRunRecord } from 'trainbook/core';
import { summarize, type PortableRun, type PortableSeries } from './portable.js';

export const CSV_HEADER = ['run', 'metric', 'step', 'epoch', 'time', 'value'] as const;

// A cell a spreadsheet would treat as a formula; `'` itself too, so that guarding can be undone.
const FORMULA_START = /^[=+\-@\t\r']/;

/** Quotes a cell as RFC 4180 asks: when it holds a comma, quote, CR or LF. */
export function quoteCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** Guards a text cell against formula injection: `=HYPERLINK(...)` is written `'=HYPERLINK(...)`. */
export function guardText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Undoes {@link guardText}: strips one `'` only where the guard put it. */
export function unguardText(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/** A number as a cell: exact (shortest round-trip form), NaN and ±Infinity by name. */
export function numberCell(value: number): string {
  return String(value);
}

/**
 * One row per metric point of a run, in arrival order, metric by metric.
 *
 * @example
 * ```ts
 * fs.writeFileSync('run.csv', toCsv(portableFromRead(store.read(id))));
 * // run,metric,step,epoch,time,value
 * // 20261122-210850123-k3f9q,loss,0,,2026-11-22T21:08:50.200Z,0.93
 * ```
 */
export function toCsv(run: PortableRun): string {
  const lines = [CSV_HEADER.join(',')];
  const runCell = quoteCell(guardText(run.record.id));
  for (const series of run.series) {
    const metricCell = quoteCell(guardText(series.name));
    for (let i = 0; i < series.value.length; i++) {
      const epoch = series.epoch[i];
      lines.push(
        [runCell, metricCell, numberCell(series.step[i]!), epoch === null || epoch === undefined ? '' : numberCell(epoch), isoTime(series.time[i]!), numberCell(series.value[i]!)].join(','),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

function isoTime(ms: number): string {
  const date = new Date(ms);
  // Sub-millisecond or out-of-range times stay numbers so nothing is rounded away.
  return Number.isInteger(ms) && !Number.isNaN(date.getTime()) ? date.toISOString() : numberCell(ms);
}

/** Splits RFC 4180 text into rows of cells; accepts LF or CRLF line ends. Throws on an unclosed quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  let cellStarted = false;
  const endCell = (): void => {
    row.push(cell);
    cell = '';
    cellStarted = false;
  };
  const endRow = (): void => {
    endCell();
    rows.push(row);
    row = [];
  };
  if (text.startsWith('\uFEFF')) i = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      cell += c;
      i++;
      continue;
    }
    if (c === '"' && !cellStarted) {
      quoted = true;
      cellStarted = true;
      i++;
    } else if (c === ',') {
      endCell();
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      endRow();
      i += 2;
    } else if (c === '\n') {
      endRow();
      i++;
    } else {
      cell += c;
      cellStarted = true;
      i++;
    }
  }
  if (quoted) throw new ImportFormatError('The CSV file ends inside a quoted cell; it is cut short or its quotes are unbalanced.');
  if (cellStarted || row.length > 0) endRow();
  return rows;
}

/**
 * Reads a CSV export back into a run: the metric points exactly; the record is made anew (named
 * after the run id in the file, status completed, times from the first and last point).
 *
 * @example
 * ```ts
 * const run = fromCsv(fs.readFileSync('run.csv', 'utf8'));
 * run.series[0].name; // 'loss'
 * ```
 */
export function fromCsv(text: string): PortableRun {
  const rows = parseCsv(text).filter((row) => !(row.length === 1 && row[0] === ''));
  const header = rows.shift();
  if (!header || header.join(',') !== CSV_HEADER.join(',')) {
    throw new ImportFormatError(`Not a trainbook CSV export: the first line must be "${CSV_HEADER.join(',')}".`);
  }
  if (rows.length === 0) throw new ImportFormatError('The CSV file has no metric rows; there is nothing to import.');
  const series = new Map<string, PortableSeries>();
  let runId: string | null = null;
  rows.forEach((row, index) => {
    const line = index + 2;
    if (row.length !== CSV_HEADER.length) throw new ImportFormatError(`CSV line ${line} has ${row.length} cells; every row needs ${CSV_HEADER.length} (${CSV_HEADER.join(', ')}).`);
    const [runCell, metricCell, stepCell, epochCell, timeCell, valueCell] = row as [string, string, string, string, string, string];
    const id = unguardText(runCell);
    if (runId === null) runId = id;
    else if (id !== runId) throw new ImportFormatError(`CSV line ${line} belongs to run ${JSON.stringify(id)}, not ${JSON.stringify(runId)}; import one run per file.`);
    const name = unguardText(metricCell);
    if (name.length === 0 || name.length > 1024) throw new ImportFormatError(`CSV line ${line} has an empty or over-long metric name.`);
    const step = parseFinite(stepCell);
    if (step === null) throw new ImportFormatError(`CSV line ${line}: step ${JSON.stringify(stepCell)} is not a number.`);
    const epoch = epochCell === '' ? null : parseFinite(epochCell);
    if (epoch === null && epochCell !== '') throw new ImportFormatError(`CSV line ${line}: epoch ${JSON.stringify(epochCell)} is not a number.`);
    const time = parseTime(timeCell);
    if (time === null) throw new ImportFormatError(`CSV line ${line}: time ${JSON.stringify(timeCell)} is neither an ISO date nor a number of ms.`);
    const value = parseValue(valueCell);
    if (value === null) throw new ImportFormatError(`CSV line ${line}: value ${JSON.stringify(valueCell)} is not a number (NaN, Infinity and -Infinity are allowed).`);
    let s = series.get(name);
    if (!s) {
      s = { name, step: [], time: [], epoch: [], value: [] };
      series.set(name, s);
    }
    s.step.push(step);
    s.time.push(time);
    s.epoch.push(epoch);
    s.value.push(value);
  });
  const list = [...series.values()];
  let first = Infinity;
  let last = -Infinity;
  for (const s of list) {
    for (const t of s.time) {
      if (t < first) first = t;
      if (t > last) last = t;
    }
  }
  const startedAt = isoOrThrow(first);
  const endedAt = isoOrThrow(last);
  const record: RunRecord = bareRunRecord({
    id: runId ?? '',
    name: runId ?? 'imported csv',
    status: 'completed',
    startedAt,
    endedAt,
    heartbeatAt: endedAt,
    summary: summarize(list),
  });
  return { record, series: list, chronos: [], events: [] };
}

function isoOrThrow(ms: number): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new ImportFormatError(`The CSV holds a time (${ms}) outside the range of dates.`);
  return date.toISOString();
}

function parseFinite(cell: string): number | null {
  const text = cell.trim();
  if (text === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function parseValue(cell: string): number | null {
  const text = unguardText(cell.trim());
  if (text === 'NaN') return NaN;
  if (text === 'Infinity' || text === '+Infinity') return Infinity;
  if (text === '-Infinity') return -Infinity;
  return parseFinite(text);
}

function parseTime(cell: string): number | null {
  const asNumber = parseFinite(cell);
  if (asNumber !== null) return asNumber;
  const parsed = Date.parse(cell);
  // Only full ISO dates with a zone: a bare "2026-11-22" would read as a local or UTC midnight depending on the form.
  return /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(cell) && Number.isFinite(parsed) ? parsed : null;
}
