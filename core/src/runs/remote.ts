/**
 * A run on the team hub, as the CLI's `ls --hub --json` gives it and the runs panel reads it (through
 * the Jupyter server extension): the run's record plus where it came from. Pure contract.
 */

/** Where a run on the hub came from (the record's own `origin` is an imported run's source). */
export interface RemoteOrigin {
  /** The store folder's name on the machine that pushed it. */
  store: string;
  notebook: string | null;
  host: string;
  user: string;
  /** Metric points on the hub, and when the hub last took some (ISO time): a live run's grow. */
  points: number;
  updatedAt: string;
}
