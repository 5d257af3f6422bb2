/**
 * The team hub's side of the runs panel: is a hub configured (asked once), the team's runs that
 * match the panel's query (the newest first), and when to ask again: each read starts a CLI
 * process on the server, so never more often than every few seconds, and less often after
 * errors. Calls `onChange` whenever what it holds changed.
 */
import { HubError, type HubStatus, type ITeamRuns, type RemoteRun } from '../tokens.js';

/** Each hub read starts a CLI process on the server: never more often than this. */
export const TEAM_POLL_MIN_MS = 5_000;
/** After hub errors the polls back off, doubling up to this. */
export const TEAM_POLL_MAX_MS = 60_000;
/** Team runs fetched per read (the newest first). */
export const TEAM_LIMIT = 200;

export class TeamFeed {
  private source: ITeamRuns | null = null;
  private _status: HubStatus | null = null;
  private _shown = true;
  private _runs: RemoteRun[] = [];
  private _total = 0;
  private _error: string | null = null;
  private readAt = 0;
  private delayMs = TEAM_POLL_MIN_MS;
  private minDelayMs = TEAM_POLL_MIN_MS;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly now: () => number,
    private readonly onChange: () => void,
  ) {}

  /** What the server said of its hub (null: not asked yet, or no source). */
  get status(): HubStatus | null {
    return this._status;
  }
  /** A hub is configured on the server: the panel offers the team's runs. */
  get available(): boolean {
    return this._status?.configured === true;
  }
  /** The team's runs as last read (none while hidden). */
  get runs(): readonly RemoteRun[] {
    return this._runs;
  }
  /** How many runs matched on the hub (more than `runs` when over the limit). */
  get total(): number {
    return this._total;
  }
  get error(): string | null {
    return this._error;
  }
  get shown(): boolean {
    return this._shown;
  }

  /** The panel's own poll interval: the hub is read at most that often, and never under the minimum. */
  set pollMs(ms: number) {
    this.minDelayMs = Math.max(TEAM_POLL_MIN_MS, ms);
    if (this._error === null) this.delayMs = this.minDelayMs;
  }

  /** Shows or hides the team's runs (hidden: nothing is read or held). */
  setShown(shown: boolean, query: string): void {
    if (shown === this._shown) return;
    this._shown = shown;
    if (!shown) {
      this._runs = [];
      this._error = null;
    }
    this.onChange();
    if (shown) void this.refresh(query, { force: true });
  }

  /** Reads from this source (null: none); asks it once whether a hub is configured, then reads the runs. */
  async setSource(source: ITeamRuns | null, query: string): Promise<void> {
    this.source = source;
    this._status = null;
    this._runs = [];
    this.onChange();
    if (!source) return;
    let status: HubStatus;
    try {
      status = await source.status();
    } catch (error) {
      // The endpoint failed outright: the panel goes on without a hub.
      status = { configured: false, hub: null, reachable: false, schemaVersion: null, error: messageOf(error) };
    }
    if (this.source !== source) return;
    this._status = status;
    this._error = status.configured && !status.reachable ? (status.error ?? null) : null;
    this.onChange();
    await this.refresh(query, { force: true });
  }

  /** Reads the team's runs that match `query` when shown and due (or `force`); errors back off the next reads. */
  refresh(query: string, options: { force?: boolean } = {}): Promise<void> {
    const source = this.source;
    if (!source || !this.available || !this._shown) return Promise.resolve();
    if (this.inFlight) return this.inFlight;
    if (!options.force && this.now() - this.readAt < this.delayMs) return Promise.resolve();
    this.inFlight = (async () => {
      try {
        const list = await source.runs({ query, sort: 'started', descending: true, limit: TEAM_LIMIT });
        if (source !== this.source || !this._shown) return;
        this._runs = list.runs;
        this._total = list.total;
        this._error = null;
        this.delayMs = this.minDelayMs;
      } catch (error) {
        if (source !== this.source) return;
        this._error = messageOf(error);
        // A bad query is the user's to fix, not the hub's fault: no back-off for it.
        if (!(error instanceof HubError && error.status === 400)) this.delayMs = Math.min(TEAM_POLL_MAX_MS, this.delayMs * 2);
      } finally {
        this.readAt = this.now();
      }
      this.onChange();
    })().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** One team run's series for a comparison (empty when there is no source). */
  async series(runId: string, points: number) {
    if (!this.source) return new Map();
    return (await this.source.run(runId, points)).series;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
