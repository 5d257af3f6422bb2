/**
 * The team hub's runs, read through trainbook's Jupyter server extension
 * (`trainbook/api/hub/{status,runs,runs/<ref>}`): the one module that talks to those endpoints.
 * The transport is given (`HubFetch`: the user's Jupyter session in the lab, a fake in tests);
 * replies are checked and turned into the core's shapes (records, `Series` with NaN/±Infinity
 * decoded). The browser only ever sees the hub's URL without its password.
 */
import { coerceRunRecord, decodeNumber, type EffectiveStatus, type RunRecord, type RunStatus, type Series } from 'trainbook/core';
import { HubError, type HubStatus, type ITeamRuns, type RemoteOrigin, type RemoteRun, type RemoteRunList, type TeamRunsRequest } from '../tokens.js';

/** GETs `path` (relative to `trainbook/api/hub/`, with its query string) as the signed-in user. */
export type HubFetch = (path: string) => Promise<Response>;

/** Points per series the compare view asks for (the server reduces with M4). */
export const COMPARE_POINTS = 1_000;

const STATUSES: ReadonlySet<string> = new Set<EffectiveStatus>(['running', 'completed', 'failed', 'interrupted', 'crashed']);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export class HubSource implements ITeamRuns {
  constructor(private readonly fetchHub: HubFetch) {}

  /** Whether a hub is configured and reachable; a server without the extension reads as not configured. */
  async status(): Promise<HubStatus> {
    let body: Json;
    try {
      body = await this.get('status');
    } catch (error) {
      // No server extension (404), or an old one: there is no hub to show.
      if (error instanceof HubError && error.status === 404) return { configured: false, hub: null, reachable: false, schemaVersion: null };
      throw error;
    }
    return {
      configured: body.configured === true,
      hub: typeof body.hub === 'string' ? body.hub : null,
      reachable: body.reachable === true,
      schemaVersion: typeof body.schemaVersion === 'number' ? body.schemaVersion : null,
      ...(typeof body.runs === 'number' ? { runs: body.runs } : {}),
      ...(typeof body.error === 'string' ? { error: body.error } : {}),
      ...(typeof body.code === 'string' ? { code: body.code } : {}),
    };
  }

  /** The team's runs that match `query` (the panel's language; the server compiles it to SQL). */
  async runs(request: TeamRunsRequest = {}): Promise<RemoteRunList> {
    const params = new URLSearchParams();
    if (request.query?.trim()) params.set('query', request.query);
    if (request.sort) params.set('sort', request.sort);
    if (request.descending) params.set('desc', 'true');
    if (request.limit !== undefined) params.set('limit', String(request.limit));
    const text = params.toString();
    const body = await this.get(text ? `runs?${text}` : 'runs');
    const runs = Array.isArray(body.runs) ? body.runs.flatMap((raw) => remoteRunOf(raw) ?? []) : [];
    return { hub: typeof body.hub === 'string' ? body.hub : null, total: typeof body.total === 'number' ? body.total : runs.length, runs };
  }

  /** One run with its series, each reduced to about `points` points by the server. */
  async run(reference: string, points = COMPARE_POINTS): Promise<{ record: RunRecord; series: Map<string, Series> }> {
    const body = await this.get(`runs/${encodeURIComponent(reference)}?points=${points}`);
    const raw = isObject(body.run) ? body.run : null;
    const record = raw ? recordOf(raw) : null;
    if (!raw || !record) throw new HubError('The hub sent a run that is not a trainbook run.', 'bad-reply', 200);
    return { record, series: seriesFromHub(raw.series) };
  }

  private async get(path: string): Promise<Json> {
    let response: Response;
    try {
      response = await this.fetchHub(path);
    } catch (error) {
      throw new HubError(`The Jupyter server did not answer: ${error instanceof Error ? error.message : String(error)}`, 'network', 0);
    }
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      // Not JSON: reported below by status, or as a bad reply.
    }
    if (!response.ok) {
      const reply = isObject(body) ? body : {};
      throw new HubError(typeof reply.error === 'string' ? reply.error : `The hub endpoint answered ${response.status}.`, typeof reply.code === 'string' ? reply.code : 'http', response.status);
    }
    if (!isObject(body)) throw new HubError('The hub endpoint answered something that is not a JSON object.', 'bad-reply', response.status);
    return body;
  }
}

/** The run record inside a hub reply, without the reply's own fields (`status` is the recorded one). */
function recordOf(raw: Json): RunRecord | null {
  const { remote: _remote, series: _series, points: _points, recordedStatus, dir: _dir, archived: _archived, ...rest } = raw;
  const recorded = typeof recordedStatus === 'string' ? recordedStatus : rest.status;
  const record = coerceRunRecord({ ...rest, status: recorded });
  return typeof record === 'string' ? null : { ...record, status: record.status as RunStatus };
}

/** One entry of `runs`: the record, the status the hub shows, and where it came from; null when malformed. */
export function remoteRunOf(raw: unknown): RemoteRun | null {
  if (!isObject(raw) || !isObject(raw.remote)) return null;
  const record = recordOf(raw);
  if (!record) return null;
  const remote = raw.remote;
  const origin: RemoteOrigin = {
    store: typeof remote.store === 'string' ? remote.store : '',
    notebook: typeof remote.notebook === 'string' ? remote.notebook : null,
    host: typeof remote.host === 'string' ? remote.host : '',
    user: typeof remote.user === 'string' ? remote.user : '',
    points: typeof remote.points === 'number' ? remote.points : 0,
    updatedAt: typeof remote.updatedAt === 'string' ? remote.updatedAt : '',
  };
  const status = typeof raw.status === 'string' && STATUSES.has(raw.status) ? (raw.status as EffectiveStatus) : record.status;
  return { record, status, remote: origin };
}

/** `series: [{name, count, step[], time[], epoch[], value[]}]` as the core's `Series` (encoded numbers decoded, missing epochs NaN). */
export function seriesFromHub(raw: unknown): Map<string, Series> {
  const out = new Map<string, Series>();
  if (!Array.isArray(raw)) return out;
  for (const entry of raw) {
    if (!isObject(entry) || typeof entry.name !== 'string' || !Array.isArray(entry.value)) continue;
    const length = entry.value.length;
    const column = (values: unknown): Float64Array => {
      const list = Array.isArray(values) ? values : [];
      const array = new Float64Array(length);
      for (let i = 0; i < length; i++) array[i] = list[i] === null || list[i] === undefined ? NaN : decodeNumber(list[i]);
      return array;
    };
    out.set(entry.name, { name: entry.name, length, step: column(entry.step), time: column(entry.time), epoch: column(entry.epoch), value: column(entry.value) });
  }
  return out;
}
