/**
 * The SDK's side of live pushing: `init({ hub })` or `TRAINBOOK_HUB` attaches this to the run. It
 * loads the hub module in the background (never delaying `init()`), starts the hub's live syncer
 * over the run's folder, stops it when the run finishes and makes the last push in `finish()`.
 * The URL is never written into the run.
 */
import * as path from 'node:path';
import type { LiveSync } from 'trainbook/hub';
import type { RunAttachment } from './recorder.js';
import { writeOwnLine } from '../console/ownLines.js';
import { localRunSource } from '../sync/runSource.js';

/** The hub a new run pushes to: the option (false: none), else `TRAINBOOK_HUB`. */
export function liveHubUrl(option: string | false | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  if (option === false) return null;
  const url = option ?? env.TRAINBOOK_HUB;
  return url && url.trim() !== '' ? url.trim() : null;
}

export class LiveHubPush implements RunAttachment {
  private sync: LiveSync | null = null;
  private closed = false;
  private readonly starting: Promise<void>;

  constructor(url: string, runDir: string, runId: string, intervalMs?: number) {
    const source = localRunSource(path.dirname(path.dirname(runDir)), runDir, runId);
    this.starting = import('trainbook/hub')
      .then((hub) => {
        this.sync = hub.startLiveSync({ url, source, warn: writeOwnLine, ...(intervalMs ? { intervalMs } : {}) });
        if (this.closed) this.sync.close();
      })
      .catch((error: unknown) => {
        writeOwnLine(`trainbook: run ${runId} cannot push to the hub (${(error as Error).message}); it is recorded locally, \`trainbook push\` sends it later.\n`);
      });
  }

  close(): void {
    this.closed = true;
    this.sync?.close();
  }

  async settle(): Promise<void> {
    await this.starting;
    await this.sync?.settle();
  }
}
