/**
 * The `track` exchange format: the trial report of the Python 'track' library (Delaunay/track, used
 * by Mila's olympus): `revision, name, description, version, tags, parameters, metadata,
 * metrics {name: {step: value}}, chronos {name: {avg, min, max, sd, count, unit}}, errors,
 * status {value, name}`. A 'track' report keeps one value per step and no times, so whatever it
 * cannot hold (ids, times, git, env, epochs, every point with its time, cell, group, the exact
 * status...) rides along under `metadata.trainbook`; importing reads it back. A report from
 * 'track' itself (without it) imports with defaults, its tags as key-value tags, and keeps in
 * `record.origin` whatever trainbook's fields cannot say exactly (`uid`, `version`, `revision`,
 * a status code, chronos as plain numbers...), so exporting it gives the report back. Pure.
 */
import { ImportFormatError, TrainbookError, decodeNumber, encodeNumber, type EncodedNumber, flattenParams, type FlatParams, copyNames, hasName, nameRecord, nameValue, coerceRunRecord, isObject, isTagValue, type ChronoSummary, type EffectiveStatus, type RunEvent, type RunOrigin, type RunRecord, type RunStatus, type TagValue, type TagValues } from 'trainbook/core';
import { refuseDuplicates } from './json.js';
import { checkEvents, decodeChrono, decodeSeries, encodeSeries, recordProblem, summarize, type EncodedSeries, type PortableChrono, type PortableRun, type PortableSeries } from './portable.js';

/** The key under `metadata` that holds what a 'track' report has no field for. */
export const TRACK_NAMESPACE = 'trainbook';
const NAMESPACE_KIND = 'trainbook-track-extension';
const NAMESPACE_VERSION = 1;
/** What the import of a report notes in the run's metadata (sdk/src/exchange/io.ts); not part of the report. */
const IMPORTED_FROM = 'importedFrom';

export interface TrackStatus {
  value: number;
  name: string;
}

/**
 * A 'track' report as trainbook writes it for a run. A run imported from a report written by
 * 'track' gives back that report's own fields (and their order), whatever they held: `uid`,
 * `project_id`, a `version`, chronos as plain numbers... (see {@link RunOrigin}).
 */
export interface TrackReport {
  revision: number;
  name: string;
  description: string;
  version: string | null;
  tags: Record<string, unknown>;
  parameters: FlatParams;
  metadata: Record<string, unknown>;
  metrics: Record<string, Record<string, EncodedNumber>>;
  chronos: Record<string, ChronoSummary | number>;
  errors: string[];
  status: TrackStatus;
  [field: string]: unknown;
}

/** What `metadata.trainbook` holds: the record fields a report has no place for, and every point. */
interface TrackNamespace {
  kind: typeof NAMESPACE_KIND;
  version: typeof NAMESPACE_VERSION;
  /** The record but for what the report's own fields hold (chronos are kept here too, exactly). */
  record: Omit<RunRecord, 'name' | 'notes' | 'params' | 'metadata'>;
  series: EncodedSeries[];
  chronos: PortableChrono[];
  events: RunEvent[];
  /** The run's own `metadata.trainbook`, when it had one (the namespace takes its place). */
  metadataTrainbook?: unknown;
}

/** 'track' status codes (track/structure.py `Status`). */
const TRACK_STATUS: Record<EffectiveStatus, TrackStatus> = {
  running: { value: 101, name: 'Running' },
  failed: { value: 202, name: 'Exception' },
  crashed: { value: 203, name: 'Broken' },
  interrupted: { value: 201, name: 'Interrupted' },
  completed: { value: 302, name: 'Completed' },
};

/**
 * The 'track' report of a run, with trainbook's own fields under `metadata.trainbook`. For a run
 * imported from a report written by 'track', every field of that report comes back as it was
 * (`metadata` gains only the `trainbook` key).
 *
 * @example
 * ```ts
 * const report = toTrackReport(portableFromRead(store.read(id)));
 * report.metrics.loss; // { "0": 0.9, "1": 0.5, ... }
 * ```
 */
export function toTrackReport(run: PortableRun): TrackReport {
  const { name, notes, params, metadata, ...rest } = run.record;
  const namespace: TrackNamespace = {
    kind: NAMESPACE_KIND,
    version: NAMESPACE_VERSION,
    record: rest,
    series: run.series.map(encodeSeries),
    chronos: run.chronos,
    events: run.events,
  };
  if (hasName(metadata, TRACK_NAMESPACE)) namespace.metadataTrainbook = metadata[TRACK_NAMESPACE];
  const report = withOrigin(trackFields(run), run.record.origin);
  const reportMetadata = isObject(report.metadata) ? copyNames(report.metadata) : nameRecord<unknown>();
  delete reportMetadata[TRACK_NAMESPACE];
  reportMetadata[TRACK_NAMESPACE] = namespace;
  report.metadata = reportMetadata;
  return report;
}

/** The fields 'track' defines, from trainbook's own fields (no namespace, no origin). */
function trackFields(run: PortableRun): TrackReport {
  const { record } = run;
  const chronos: Record<string, ChronoSummary | number> = copyNames(record.chronos);
  const runtimeMs = record.endedAt ? Date.parse(record.endedAt) - Date.parse(record.startedAt) : NaN;
  // 'track' reports the trial's wall time as a plain number named runtime; an imported run's
  // times are the import's, not the trial's.
  if (!record.origin && !hasName(chronos, 'runtime') && Number.isFinite(runtimeMs)) chronos.runtime = runtimeMs / 1000;
  const metadata = copyNames(record.metadata);
  // An imported run's note of where it came from is the import's, not the report's.
  if (record.origin) delete metadata[IMPORTED_FROM];
  return {
    revision: 0,
    name: record.name,
    description: record.notes,
    version: record.git?.commit ?? null,
    tags: nameRecord<unknown>([...record.tags.map((tag): [string, unknown] => [tag, true]), ...Object.entries(record.tagValues ?? {})]),
    parameters: record.params,
    metadata,
    metrics: nameRecord(run.series.map((s) => [s.name, nameRecord(s.step.map((step, i) => [String(step), encodeNumber(s.value[i]!)]))])),
    chronos,
    errors: record.error ? [`${record.error.name}: ${record.error.message}`] : [],
    status: TRACK_STATUS[run.effectiveStatus ?? record.status],
  };
}

/** The report a run imported from 'track' came from: its keys in order, its own values where trainbook's differ. */
function withOrigin(fields: TrackReport, origin: RunOrigin | undefined): TrackReport {
  if (origin?.format !== 'track') return fields;
  const keys = origin.keys.includes('metadata') ? origin.keys : [...origin.keys, 'metadata'];
  return nameRecord(keys.map((key) => [key, hasName(origin.verbatim, key) ? origin.verbatim[key] : nameValue(fields, key)])) as TrackReport;
}

/** What a run imported from `report` needs to give it back: the values trainbook's own fields do not reproduce. */
function originOf(report: Record<string, unknown>, run: PortableRun): RunOrigin {
  const keys = Object.keys(report);
  const placeholder: RunOrigin = { format: 'track', keys, verbatim: nameRecord() };
  const rebuilt = trackFields({ ...run, record: { ...run.record, origin: placeholder } });
  const same = (a: unknown, b: unknown): boolean => b !== undefined && JSON.stringify(a) === JSON.stringify(b);
  return { format: 'track', keys, verbatim: nameRecord(keys.filter((key) => !same(report[key], nameValue(rebuilt, key))).map((key) => [key, report[key]])) };
}

/** True when a parsed JSON value looks like a 'track' trial report. */
export function isTrackReport(value: unknown): boolean {
  return isObject(value) && isObject(value.metrics) && (isObject(value.status) || 'parameters' in value || 'revision' in value);
}

/**
 * Reads a 'track' report from an untrusted file. Reports made by trainbook come back whole; reports
 * made by 'track' get a fresh record (times `now`, status from the report's). Throws
 * {@link ImportFormatError} naming what is wrong.
 *
 * @example
 * ```ts
 * const run = fromTrackReport(parseTrackJson(fs.readFileSync('report.json', 'utf8')), new Date());
 * ```
 */
export function fromTrackReport(value: unknown, now: Date): PortableRun {
  if (!isTrackReport(value)) throw new ImportFormatError('Not a \'track\' report: it needs a "metrics" object and a "status" (or "parameters").');
  const report = value as Record<string, unknown>;
  const name = optionalText(report.name, 'name');
  const description = optionalText(report.description, 'description');
  const metadata = report.metadata === undefined || report.metadata === null ? {} : report.metadata;
  if (!isObject(metadata)) throw new ImportFormatError('The report\'s "metadata" must be an object.');
  const parameters = report.parameters === undefined || report.parameters === null ? {} : report.parameters;
  if (!isObject(parameters)) throw new ImportFormatError('The report\'s "parameters" must be an object.');
  const chronos = report.chronos === undefined || report.chronos === null ? {} : report.chronos;
  if (!isObject(chronos)) throw new ImportFormatError('The report\'s "chronos" must be an object.');

  const namespace = metadata[TRACK_NAMESPACE];
  if (isObject(namespace) && namespace.kind === NAMESPACE_KIND) {
    const ownMetadata = copyNames(metadata);
    delete ownMetadata[TRACK_NAMESPACE];
    return fromNamespace(namespace, { name, description, parameters, metadata: ownMetadata, chronos });
  }
  // A report from 'track' itself: its metadata is the run's, a "trainbook" key included.
  return fromForeignReport(report, { name, description, parameters, metadata: copyNames(metadata), chronos }, now);
}

interface TopLevel {
  name: string | null;
  description: string | null;
  parameters: Record<string, unknown>;
  metadata: Record<string, unknown>;
  chronos: Record<string, unknown>;
}

function fromNamespace(namespace: Record<string, unknown>, top: TopLevel): PortableRun {
  if (namespace.version !== NAMESPACE_VERSION) {
    throw new ImportFormatError(`metadata.${TRACK_NAMESPACE} has version ${JSON.stringify(namespace.version)}; this trainbook reads version ${NAMESPACE_VERSION}. Upgrade trainbook to import it.`);
  }
  if (!isObject(namespace.record)) throw new ImportFormatError(`metadata.${TRACK_NAMESPACE}.record must be an object.`);
  const metadata = copyNames(top.metadata);
  if (hasName(namespace, 'metadataTrainbook')) metadata[TRACK_NAMESPACE] = namespace.metadataTrainbook;
  // The namespace keeps the timers exactly; reports written before it did have only the top level,
  // where a plain-number runtime is the one trainbook added.
  const chronos = isObject(namespace.record.chronos) ? namespace.record.chronos : nameRecord(Object.entries(top.chronos).filter(([key, c]) => !(key === 'runtime' && typeof c === 'number')));
  // The report's own fields win: someone may have edited the name or params in Python.
  const record = coerceRunRecord({
    ...namespace.record,
    name: top.name ?? namespace.record.id,
    notes: top.description ?? '',
    params: toParams(top.parameters),
    metadata,
    chronos,
  });
  if (typeof record === 'string') throw new ImportFormatError(`metadata.${TRACK_NAMESPACE}.record is not a run record: ${record}.`);
  const problem = recordProblem(record);
  if (problem) throw new ImportFormatError(`The report is not a run trainbook can store: ${problem}.`);
  if (!Array.isArray(namespace.series) || !Array.isArray(namespace.chronos)) throw new ImportFormatError(`metadata.${TRACK_NAMESPACE} needs "series" and "chronos" arrays.`);
  const series = namespace.series.map((s, i) => decodeSeries(s, `metadata.${TRACK_NAMESPACE}.series[${i}]`));
  refuseDuplicates(series.map((s) => s.name), 'series');
  const timers = namespace.chronos.map((c, i) => decodeChrono(c, `metadata.${TRACK_NAMESPACE}.chronos[${i}]`));
  refuseDuplicates(timers.map((c) => c.name), 'chronos');
  return { record, series, chronos: timers, events: checkEvents(namespace.events, `metadata.${TRACK_NAMESPACE}.events`) };
}

/**
 * A run from a report written by 'track': points at the import's time, the status from the
 * report's, tags as key-value tags, and, in `record.origin`, what an export needs to give the
 * report back as it was.
 */
function fromForeignReport(report: Record<string, unknown>, top: TopLevel, now: Date): PortableRun {
  if (!isObject(report.metrics)) throw new ImportFormatError('The report\'s "metrics" must be an object of {step: value} objects.');
  const time = now.getTime();
  const series: PortableSeries[] = Object.entries(report.metrics).map(([name, points]) => {
    if (name.length === 0 || name.length > 1024) throw new ImportFormatError('The report has a metric with an empty or over-long name (1 to 1024 characters).');
    if (!isObject(points)) throw new ImportFormatError(`metrics[${JSON.stringify(name)}] must be an object of {step: value}.`);
    const rows = Object.entries(points).map(([key, v]) => {
      const step = Number(key);
      if (key.trim() === '' || !Number.isFinite(step)) throw new ImportFormatError(`metrics[${JSON.stringify(name)}] has a step ${JSON.stringify(key)} that is not a number.`);
      if (!(typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity')) {
        throw new ImportFormatError(`metrics[${JSON.stringify(name)}][${JSON.stringify(key)}] is not a number.`);
      }
      return { step, value: decodeNumber(v) };
    });
    rows.sort((a, b) => a.step - b.step);
    return { name, step: rows.map((r) => r.step), time: rows.map(() => time), epoch: rows.map(() => null), value: rows.map((r) => r.value) };
  });
  const chronos: Record<string, ChronoSummary> = nameRecord();
  for (const [name, c] of Object.entries(top.chronos)) {
    if (typeof c === 'number' && Number.isFinite(c)) chronos[name] = { avg: c, min: c, max: c, sd: 0, count: 1, unit: 's' };
    else if (isObject(c) && ['avg', 'min', 'max', 'sd', 'count'].every((k) => typeof c[k] === 'number')) {
      chronos[name] = { avg: c.avg as number, min: c.min as number, max: c.max as number, sd: c.sd as number, count: c.count as number, unit: 's' };
    } else throw new ImportFormatError(`chronos[${JSON.stringify(name)}] must be a number of seconds or {avg, min, max, sd, count}.`);
  }
  const errors = Array.isArray(report.errors) ? report.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))) : [];
  const status = statusFromTrack(report.status);
  const iso = now.toISOString();
  const lastError = errors[errors.length - 1];
  const { tags, tagValues } = tagsFromTrack(report.tags);
  const record: RunRecord = {
    format: 1,
    id: typeof report.uid === 'string' ? report.uid : '',
    name: top.name ?? 'imported track trial',
    experiment: null,
    group: null,
    tags,
    ...(Object.keys(tagValues).length > 0 ? { tagValues } : {}),
    notes: top.description ?? '',
    metadata: top.metadata,
    params: toParams(top.parameters),
    notebook: null,
    cell: null,
    git: null,
    env: null,
    status,
    startedAt: iso,
    endedAt: status === 'running' ? null : iso,
    heartbeatAt: iso,
    summary: summarize(series),
    chronos,
    progress: null,
    error: lastError !== undefined ? { name: 'Error', message: lastError, stack: null } : null,
    lost: { points: 0, records: 0, firstError: null },
    writer: { pid: -1, host: '' },
  };
  const run: PortableRun = { record, series, chronos: [], events: [] };
  record.origin = originOf(report, run);
  return run;
}

const STATUS_NAMES: Record<string, RunStatus> = {
  running: 'running',
  runninggroup: 'running',
  completed: 'completed',
  finishedgroup: 'completed',
  exception: 'failed',
  broken: 'failed',
  errorgroup: 'failed',
  interrupted: 'interrupted',
  suspended: 'interrupted',
  createdgroup: 'interrupted',
};

/** A 'track' status by its name (any case), else by its code's hundreds (1xx running, 2xx failed, 3xx completed). */
function statusFromTrack(value: unknown): RunStatus {
  const name = isObject(value) ? value.name : value;
  const code = isObject(value) ? value.value : null;
  const byName = typeof name === 'string' ? nameValue(STATUS_NAMES, name.toLowerCase()) : undefined;
  if (byName) return byName;
  if (typeof code === 'number' && code >= 100 && code < 200) return 'running';
  if (typeof code === 'number' && code >= 200 && code < 300) return 'failed';
  if (typeof code === 'number' && code >= 300 && code < 400) return 'completed';
  return 'interrupted';
}

/**
 * 'track' tags are a dict of values: they become key-value tags (`{workers: 8, hpo: 'byopt'}`),
 * a list or object value as its JSON text (the report's own tags then ride along verbatim). A
 * list of tags (older reports) gives plain labels.
 */
function tagsFromTrack(value: unknown): { tags: string[]; tagValues: TagValues } {
  if (Array.isArray(value)) return { tags: [...new Set(value.map((t) => (typeof t === 'string' ? t : JSON.stringify(t))))], tagValues: nameRecord() };
  if (!isObject(value)) return { tags: [], tagValues: nameRecord() };
  const entries = Object.entries(value).filter(([key]) => key !== '');
  return { tags: [], tagValues: nameRecord(entries.map(([key, v]): [string, TagValue] => [key, isTagValue(v) ? v : JSON.stringify(v)])) };
}

function toParams(parameters: Record<string, unknown>): FlatParams {
  try {
    return flattenParams(parameters);
  } catch (error) {
    if (error instanceof TrainbookError) throw new ImportFormatError(`The report's "parameters" cannot be stored: ${error.message}`);
    throw error;
  }
}

function optionalText(value: unknown, key: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ImportFormatError(`The report's "${key}" must be a string.`);
  return value;
}

/**
 * Parses a report as Python's `json` module writes it: like JSON, but NaN, Infinity and -Infinity
 * may appear bare. Those become the strings the store uses ("NaN"); the rest is `JSON.parse`.
 */
export function parseTrackJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
  }
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const bare = ['-Infinity', 'Infinity', 'NaN'].find((word) => text.startsWith(word, i));
    if (bare) {
      out += JSON.stringify(bare);
      i += bare.length - 1;
      continue;
    }
    out += c;
  }
  return JSON.parse(out);
}
