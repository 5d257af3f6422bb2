/**
 * `ls`, `show` and `report` with `--hub`: the same views over the hub's runs. `ls --hub` lists
 * straight from the hub's columns and records (filtered and sorted in SQL); `show` and `report`
 * fetch the runs they need whole into a temporary store and read it as any store.
 */
import type { CliIo } from './context.js';
import { ExitCode, UsageError } from './errors.js';
import { hubUrl, storeOfHubRuns, withHub } from './hubSession.js';
import { safeText } from './text.js';
import { renderRunList } from './views.js';
import { parseQuery, QueryError, coerceRunRecord, type EffectiveStatus, type RemoteOrigin } from 'trainbook/core';
import { parseRunQuery, selectRuns } from '../report/select.js';
import type { RunSummary, Store } from '../store/reader.js';

export interface HubListOptions {
  hub?: string | boolean;
  runs?: string;
  sort?: string;
  desc?: boolean;
  limit?: string;
  json?: boolean;
}

/** Where a run on the hub came from: the contract the runs panel reads too. */
export type HubRunOrigin = RemoteOrigin;

function parseWhere(text: string | undefined) {
  try {
    return text ? parseQuery(text) : null;
  } catch (error) {
    if (error instanceof QueryError) throw new UsageError(`--runs: ${error.message}`);
    throw error;
  }
}

/** `trainbook ls --hub`: the hub's runs, filtered and sorted by the hub; returns the exit code. */
export async function listHubRuns(io: CliIo, options: HubListOptions): Promise<number> {
  const limit = options.limit === undefined ? 200 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit takes a whole number (0 for all), not "${safeText(String(options.limit))}".`);
  const where = parseWhere(options.runs);
  return withHub(hubUrl(options.hub), async (hub, module) => {
    const { total, runs } = await module.listRuns(hub, { where, sort: options.sort ?? null, descending: options.desc ?? false, limit: limit || null, withRecords: true });
    const summaries: Array<RunSummary & { remote: HubRunOrigin }> = [];
    for (const run of runs) {
      let record;
      try {
        record = coerceRunRecord(JSON.parse(run.record ?? 'null'));
      } catch {
        record = 'not JSON';
      }
      if (typeof record === 'string') {
        io.err(`trainbook: skipped ${run.id} on the hub: its record is unreadable (${record})\n`);
        continue;
      }
      const remote = { store: run.store, notebook: record.notebook, host: run.host, user: run.username, points: run.pointCount, updatedAt: run.updatedAt };
      summaries.push({ record, status: run.status as EffectiveStatus, dir: `${hub.label}#${run.id}`, archive: null, remote });
    }
    if (options.json) {
      io.out(`${JSON.stringify({ hub: hub.label, total, runs: summaries.map((s) => ({ ...s.record, status: s.status, recordedStatus: s.record.status, remote: s.remote })) }, null, 2)}\n`);
    } else if (summaries.length === 0) {
      io.out(`No runs on the hub ${hub.label}${where ? ' match that query' : ' yet: `trainbook push` sends some'}.\n`);
    } else {
      io.out(`${renderRunList(summaries, io.now())}\n`);
      io.out(`${summaries.length < total ? `${summaries.length} of ${total}` : total} runs on ${hub.label}${summaries.length < total ? ' (--limit 0 lists all)' : ''}\n`);
    }
    return ExitCode.ok;
  });
}

/** `show --hub <run>`: the one run, fetched into a temporary store. */
export async function hubStoresForRun(option: string | boolean | undefined, reference: string): Promise<Store[]> {
  return withHub(hubUrl(option), async (hub, module) => [await storeOfHubRuns(hub, module, [await module.findRunId(hub, reference)])]);
}

/** `report --hub [--runs ...]`: the runs the report's `--runs` picks (ids, names, filters), fetched into a temporary store. */
export async function hubStoresForReport(option: string | boolean | undefined, runs: string | null): Promise<Store[]> {
  return withHub(hubUrl(option), async (hub, module) => {
    const listed = await module.listRuns(hub, { withRecords: true });
    const candidates = listed.runs.flatMap((run) => {
      const record = coerceRunRecord(JSON.parse(run.record ?? 'null'));
      return typeof record === 'string' ? [] : [{ record, status: run.status as EffectiveStatus }];
    });
    const chosen = runs ? selectRuns(candidates, parseRunQuery(runs)) : candidates;
    return [await storeOfHubRuns(hub, module, chosen.map((run) => run.record.id))];
  });
}
