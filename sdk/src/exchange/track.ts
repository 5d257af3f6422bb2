/**
 * The `track` exchange format: the trial report of the Python 'track' library (Delaunay/track, used
 * by Mila's olympus): `revision, name, description, version, tags, parameters, metadata,
 * metrics {name: {step: value}}, chronos {name: {avg, min, max, sd, count, unit}}, errors,
 * status {value, name}`. A 'track' report keeps one value per step and no times, so whatever it
 * cannot hold (ids, times, git, env, epochs, every point with its time, cell, group, the exact
 * status...) rides along under `metadata.trainbook`; importing reads it back, and a report from
 * 'track' itself (without it) imports with defaults. Pure.
 */
import { ImportFormatError, TrainbookError } from '../errors.js';
import { decodeNumber, encodeNumber, type EncodedNumber } from '../format/numbers.js';
import { flattenParams, type FlatParams } from '../format/params.js';
import { coerceRunRecord, isObject } from '../format/shape.js';
import type { ChronoSummary, EffectiveStatus, RunEvent, RunRecord, RunStatus } from '../format/types.js';
import { refuseDuplicates } from './json.js';
import { checkEvents, decodeChrono, decodeSeries, encodeSeries, recordProblem, summarize, type EncodedSeries, type PortableChrono, type PortableRun, type PortableSeries } from './portable.js';

/** The key under `metadata` that holds what a 'track' report has no field for. */
export const TRACK_NAMESPACE = 'trainbook';
const NAMESPACE_KIND = 'trainbook-track-extension';
const NAMESPACE_VERSION = 1;

export interface TrackStatus {
  value: number;
  name: string;
}

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
}

/** What `metadata.trainbook` holds: the record fields a report has no place for, and every point. */
interface TrackNamespace {
  kind: typeof NAMESPACE_KIND;
  version: typeof NAMESPACE_VERSION;
  record: Omit<RunRecord, 'name' | 'notes' | 'params' | 'metadata' | 'chronos'>;
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
 * The 'track' report of a run, with trainbook's own fields under `metadata.trainbook`.
 *
 * @example
 * ```ts
 * const report = toTrackReport(portableFromRead(store.read(id)));
 * report.metrics.loss; // { "0": 0.9, "1": 0.5, ... }
 * ```
 */
export function toTrackReport(run: PortableRun): TrackReport {
  const { name, notes, params, metadata, chronos, ...rest } = run.record;
  const namespace: TrackNamespace = {
    kind: NAMESPACE_KIND,
    version: NAMESPACE_VERSION,
    record: rest,
    series: run.series.map(encodeSeries),
    chronos: run.chronos,
    events: run.events,
  };
  const ownMetadata = { ...metadata };
  if (Object.prototype.hasOwnProperty.call(ownMetadata, TRACK_NAMESPACE)) {
    namespace.metadataTrainbook = ownMetadata[TRACK_NAMESPACE];
    delete ownMetadata[TRACK_NAMESPACE];
  }
  const trackChronos: Record<string, ChronoSummary | number> = { ...chronos };
  const runtimeMs = run.record.endedAt ? Date.parse(run.record.endedAt) - Date.parse(run.record.startedAt) : NaN;
  // 'track' reports the trial's wall time as a plain number named runtime.
  if (!('runtime' in trackChronos) && Number.isFinite(runtimeMs)) trackChronos.runtime = runtimeMs / 1000;
  return {
    revision: 0,
    name,
    description: notes,
    version: run.record.git?.commit ?? null,
    tags: Object.fromEntries(run.record.tags.map((tag) => [tag, true])),
    parameters: params,
    metadata: { ...ownMetadata, [TRACK_NAMESPACE]: namespace },
    metrics: Object.fromEntries(run.series.map((s) => [s.name, Object.fromEntries(s.step.map((step, i) => [String(step), encodeNumber(s.value[i]!)]))])),
    chronos: trackChronos,
    errors: run.record.error ? [`${run.record.error.name}: ${run.record.error.message}`] : [],
    status: TRACK_STATUS[run.effectiveStatus ?? run.record.status],
  };
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
  const ownMetadata = { ...metadata };
  delete ownMetadata[TRACK_NAMESPACE];
  if (isObject(namespace) && namespace.kind === NAMESPACE_KIND) {
    return fromNamespace(namespace, { name, description, parameters, metadata: ownMetadata, chronos });
  }
  return fromForeignReport(report, { name, description, parameters, metadata: ownMetadata, chronos }, now);
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
  const metadata = { ...top.metadata };
  if ('metadataTrainbook' in namespace) metadata[TRACK_NAMESPACE] = namespace.metadataTrainbook;
  // The report's own fields win: someone may have edited the name or params in Python.
  const chronos = Object.fromEntries(Object.entries(top.chronos).filter(([key, c]) => !(key === 'runtime' && typeof c === 'number')));
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
  const chronos: Record<string, ChronoSummary> = {};
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
  const record: RunRecord = {
    format: 1,
    id: typeof report.uid === 'string' ? report.uid : '',
    name: top.name ?? 'imported track trial',
    experiment: null,
    group: null,
    tags: tagsFromTrack(report.tags),
    notes: top.description ?? '',
    metadata: { ...top.metadata, ...(typeof report.version === 'string' ? { trackVersion: report.version } : {}) },
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
  return { record, series, chronos: [], events: [] };
}

function statusFromTrack(value: unknown): RunStatus {
  const name = isObject(value) ? value.name : value;
  const code = isObject(value) ? value.value : null;
  switch (name) {
    case 'Running':
    case 'RunningGroup':
      return 'running';
    case 'Completed':
    case 'FinishedGroup':
      return 'completed';
    case 'Exception':
    case 'Broken':
    case 'ErrorGroup':
      return 'failed';
    case 'Interrupted':
    case 'Suspended':
    case 'CreatedGroup':
      return 'interrupted';
    default:
      if (typeof code === 'number' && code >= 100 && code < 200) return 'running';
      if (typeof code === 'number' && code >= 200 && code < 300) return 'failed';
      if (typeof code === 'number' && code >= 300 && code < 400) return 'completed';
      return 'interrupted';
  }
}

/** 'track' tags are a dict; trainbook's are strings: `{hpo: 'byopt', fast: true}` becomes `['hpo=byopt', 'fast']`. */
function tagsFromTrack(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((t) => (typeof t === 'string' ? t : JSON.stringify(t)));
  if (!isObject(value)) return [];
  return Object.entries(value).map(([key, v]) => (v === true || v === null ? key : `${key}=${typeof v === 'string' ? v : JSON.stringify(v)}`));
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
