/**
 * A training run that pushes itself to the hub while it trains: every couple of seconds, in the
 * background, the same push as `trainbook push` (ask the hub where it stands for this run, read the
 * local events after that, send them in one transaction). It never blocks `log()` and never throws
 * into the training loop: all work is asynchronous and every failure is caught. When the hub is
 * down the run goes on recording locally, says so once, and catches up when the hub is back (each
 * push sends everything the hub lacks); `settle()` makes a last push when the run finishes.
 */
import { openHub, type Hub } from './connect.js';
import { HubError } from './errors.js';
import { pushRun } from './push.js';
import type { LocalRunSource } from './types.js';

export interface LiveSyncOptions {
  url: string;
  source: LocalRunSource;
  /** How often to push, ms (default 3000: a few seconds behind, few enough pushes that the training process hardly notices). */
  intervalMs?: number;
  /** How long to wait for a connection, ms (default 3000). */
  connectTimeoutMs?: number;
  /** Where trainbook's own one-line notices go (default: stderr). */
  warn?: (line: string) => void;
}

export interface LiveSync {
  /** Stops pushing on the timer (the run is finishing); `settle()` makes the last push. */
  close(): void;
  /** The last push, waited for at most `timeoutMs` (default 10 s). Never throws; says whether the hub has everything. */
  settle(timeoutMs?: number): Promise<{ synced: boolean }>;
  /** Whether the last push reached the hub (null before the first). */
  readonly reachable: boolean | null;
}

/**
 * The most event bytes one live batch reads and commits: a catch-up after a long outage goes in
 * several transactions, each read and parsed in a few tens of ms, so the training loop (on the
 * same thread) never stalls on one large read (`trainbook push` keeps 64 MiB batches).
 */
export const LIVE_BATCH_BYTES = 4 * 1024 * 1024;

/** Errors that the next push cannot fix by itself: stop pushing, say why once. */
const FATAL = new Set(['hub-permission', 'hub-schema-missing', 'hub-schema-newer', 'hub-conflict', 'hub-url', 'hub-auth', 'hub-encoding', 'hub-data']);

export function startLiveSync(options: LiveSyncOptions): LiveSync {
  const intervalMs = options.intervalMs ?? 3000;
  const warn = options.warn ?? ((line: string) => process.stderr.write(line));
  const { source } = options;
  let hub: Hub | null = null;
  let stopped = false;
  let gaveUp = false;
  let reachable: boolean | null = null;
  let saidDown = false;
  let inFlight: Promise<boolean> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;

  const getHub = (): Hub => (hub ??= openHub(options.url, { max: 1, connectTimeoutMs: options.connectTimeoutMs ?? 3000 }));

  const pushNow = (): Promise<boolean> => {
    if (inFlight) return inFlight;
    inFlight = (async () => {
      try {
        await pushRun(getHub(), source, { batchBytes: LIVE_BATCH_BYTES });
        if (saidDown) warn(`trainbook: the hub ${getHub().label} is reachable again; run ${source.id} caught up.\n`);
        saidDown = false;
        reachable = true;
        failures = 0;
        return true;
      } catch (error) {
        reachable = false;
        failures++;
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof HubError && FATAL.has(error.code)) {
          gaveUp = true;
          warn(`trainbook: run ${source.id} stops pushing to the hub: ${message} It goes on recording locally; \`trainbook push\` sends it later.\n`);
        } else if (!saidDown) {
          saidDown = true;
          warn(`trainbook: cannot push run ${source.id} to the hub (${message}). Training goes on and is recorded locally; the run catches up when the hub is back (or at \`trainbook push\`).\n`);
        }
        return false;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };

  const schedule = (): void => {
    if (stopped || gaveUp) return;
    // While the hub is down, try less often (up to 5 intervals apart).
    const delay = intervalMs * Math.min(5, 1 + Math.floor(failures / 3));
    timer = setTimeout(() => {
      void pushNow().finally(schedule);
    }, delay);
    timer.unref();
  };
  schedule();

  return {
    get reachable() {
      return reachable;
    },
    close() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    async settle(timeoutMs = 10_000) {
      stopped = true;
      if (timer) clearTimeout(timer);
      let synced = false;
      if (!gaveUp) {
        let timeout: NodeJS.Timeout | undefined;
        const limit = new Promise<boolean>((resolve) => {
          timeout = setTimeout(() => resolve(false), timeoutMs);
          timeout.unref();
        });
        try {
          if (inFlight) await Promise.race([inFlight, limit]);
          synced = await Promise.race([pushNow(), limit]);
        } finally {
          clearTimeout(timeout);
        }
        if (!synced && !saidDown) warn(`trainbook: run ${source.id} is not fully on the hub yet; \`trainbook push\` sends the rest.\n`);
      }
      const closing = hub?.close();
      hub = null;
      if (closing) await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      return { synced };
    },
  };
}
