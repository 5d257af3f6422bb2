/**
 * trainbook's public JupyterLab surface: command ids, the tokens other plugins require, the
 * interfaces behind them, the team hub's reply shapes and the extension's error types. Every
 * other folder may import this module; it imports none of them.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { EffectiveStatus, RemoteOrigin, RunRecord, Series } from 'trainbook/core';

/** Every command the extension adds, by id. */
export const CommandIDs = {
  toggleExperiment: 'trainbook:toggle-experiment',
  nameExperiment: 'trainbook:name-experiment',
  toggleParameters: 'trainbook:toggle-parameters',
  showRuns: 'trainbook:show-runs',
  refreshRuns: 'trainbook:refresh-runs',
  compareRuns: 'trainbook:compare-runs',
  toggleTeamRuns: 'trainbook:toggle-team-runs',
  /** The runs dashboard (a main-area tab); args `{ path? }`: a notebook, a `.trainbook` folder or a folder. */
  openDashboard: 'trainbook:open-dashboard',
} as const;

/** The id of the plugin whose settings schema is `schema/experiments.json`. */
export const EXPERIMENTS_PLUGIN_ID = 'trainbook:experiments';

/** What the runs panel and the cell badges show of one notebook's store. */
export interface INotebookRuns {
  readonly changed: ISignal<INotebookRuns, void>;
  /** The notebook's path (its store is beside it). */
  readonly path: string;
  /** Sorted by start time, then id. */
  readonly records: readonly RunRecord[];
  /** Runs that could not be read: shown, never thrown. */
  readonly problems: ReadonlyArray<{ id: string; reason: string }>;
  /** The last read's failure (the reason as the store gave it), else null. */
  readonly error: string | null;
  readonly loaded: boolean;
  /** The archive name of a run kept with `trainbook archive`, else null. */
  archiveOf(runId: string): string | null;
  /** How many runs a cell made (for its badge). */
  countForCell(cellId: string): number;
  /** Reads the store again. */
  refresh(): Promise<void>;
}

export interface TrackerSettings {
  passRunContext: boolean;
  recordExecutions: boolean;
}

/** Cell experiments: records each execution of a tagged cell into the notebook's store. */
export interface IExperimentTracker {
  /** The runs of a notebook panel's store (one per panel, following renames). */
  runsOf(panel: NotebookPanel): INotebookRuns;
  /** Emitted after an execution was recorded, with the runs it made or linked. */
  readonly recorded: ISignal<IExperimentTracker, { panel: NotebookPanel; runs: string[] }>;
  settings: TrackerSettings;
  /** The last problem writing to the store, else null. */
  readonly lastError: string | null;
}

export const IExperimentTracker = new Token<IExperimentTracker>('trainbook:IExperimentTracker', 'Records executions of experiment cells into the sidecar store.');

/** The runs panel's model, as plugins that add to the panel see it. */
export interface IRunsPanel {
  /** Reads the notebook's store (and the team hub, when shown) again. */
  refresh(): Promise<void>;
  /** Compares the selected runs (two or more). */
  compareSelected(): Promise<void>;
  /** Adds the team hub's runs beside the notebook's own (null: none). */
  setTeamSource(source: ITeamRuns | null): void;
  /** Whether the team's runs are shown (only with a configured hub). */
  showTeam: boolean;
  readonly teamAvailable: boolean;
  readonly changed: ISignal<unknown, void>;
}

export const IRunsPanel = new Token<IRunsPanel>('trainbook:IRunsPanel', "The runs panel: the notebook's runs (and the team's), sorted, filtered, compared.");

/** `GET trainbook/api/hub/status`. */
export interface HubStatus {
  configured: boolean;
  /** The hub's URL without its password, else null. */
  hub: string | null;
  reachable: boolean;
  schemaVersion: number | null;
  runs?: number;
  error?: string;
  code?: string;
}

/** Where a run on the hub came from (the CLI's JSON and this panel share the contract). */
export type { RemoteOrigin };

/** One run of `GET trainbook/api/hub/runs`: its record, the status to show, where it came from. */
export interface RemoteRun {
  record: RunRecord;
  status: EffectiveStatus;
  remote: RemoteOrigin;
}

export interface RemoteRunList {
  hub: string | null;
  total: number;
  runs: RemoteRun[];
}

/** What the panel asks the hub for: the same query text as the local filter. */
export interface TeamRunsRequest {
  query?: string;
  sort?: string;
  descending?: boolean;
  limit?: number;
}

/** The team hub's runs, read through the Jupyter server (never with database credentials). */
export interface ITeamRuns {
  status(): Promise<HubStatus>;
  runs(request?: TeamRunsRequest): Promise<RemoteRunList>;
  /** One run's record and its series, each reduced to about `points` points. */
  run(reference: string, points?: number): Promise<{ record: RunRecord; series: Map<string, Series> }>;
}

export const ITeamRuns = new Token<ITeamRuns>('trainbook:ITeamRuns', "The team hub's runs through trainbook's Jupyter server extension.");

/** A hub endpoint answered with an error (`{error, code}`), or could not be reached at all. */
export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    message: string,
    /** The server's code (`hub-not-configured`, `hub-unreachable`, `usage`, ...), or `network`. */
    readonly code: string,
    /** The HTTP status, 0 when no answer came. */
    readonly status: number,
  ) {
    super(message);
  }
}
