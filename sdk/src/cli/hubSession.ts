/**
 * What the hub commands share: the hub URL from `--hub` or `TRAINBOOK_HUB`, the hub module loaded
 * only when a command uses it (so `pg` never slows other commands), and hub runs made readable by
 * the local views (`show --hub`, `report --hub`): fetched whole into a temporary store that the
 * usual reader opens, removed when the process ends.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Hub } from 'trainbook/hub';
import { openStore, type Store } from '../store/reader.js';
import { writePulledRun } from '../store/pulledRuns.js';
import { UsageError } from './errors.js';

export type HubModule = typeof import('trainbook/hub');

export const loadHub = (): Promise<HubModule> => import('trainbook/hub');

/** `--hub <url>` or a bare `--hub` (then `TRAINBOOK_HUB`). */
export function hubUrl(option: string | boolean | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const url = typeof option === 'string' ? option : env.TRAINBOOK_HUB;
  if (!url || url.trim() === '') throw new UsageError('No hub given: pass --hub <postgres://user@host/db> or set TRAINBOOK_HUB.');
  return url.trim();
}

/** Opens the hub, runs `work`, closes it. */
export async function withHub<T>(url: string, work: (hub: Hub, module: HubModule) => Promise<T>): Promise<T> {
  const module = await loadHub();
  const hub = module.openHub(url);
  try {
    return await work(hub, module);
  } finally {
    await hub.close();
  }
}

const temporary: string[] = [];
let cleanupHooked = false;

/** A store holding the hub runs `ids`, fetched whole; removed at exit. */
export async function storeOfHubRuns(hub: Hub, module: HubModule, ids: readonly string[]): Promise<Store> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-hub-'));
  temporary.push(dir);
  if (!cleanupHooked) {
    cleanupHooked = true;
    process.once('exit', () => {
      for (const made of temporary) fs.rmSync(made, { recursive: true, force: true });
    });
  }
  const store = path.join(dir, 'hub.trainbook');
  for (const run of await module.fetchRuns(hub, ids)) writePulledRun(store, run, hub.label);
  fs.mkdirSync(path.join(store, 'runs'), { recursive: true });
  return openStore(store);
}
