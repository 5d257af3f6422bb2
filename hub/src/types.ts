/**
 * What the hub needs from a local run, as plain data: the narrow interface between the SDK (which
 * owns the store's format and files) and the hub. The SDK implements {@link LocalRunSource} over a
 * run folder; the hub pushes whatever a source gives. Structural subsets of the store's types, so
 * the hub does not depend on the SDK.
 */

/** A metric's summary as run.json keeps it (non-finite numbers as 'NaN' / 'Infinity' / '-Infinity'). */
export interface HubMetricSummary {
  last: number | string;
  min: number | string;
  max: number | string;
  count: number;
  step: number;
}

/** The fields of run.json that the hub files into its columns. */
export interface HubRunRecord {
  id: string;
  name: string;
  experiment: string | null;
  group: string | null;
  tags: readonly unknown[];
  params: Record<string, unknown>;
  summary: Record<string, HubMetricSummary>;
  status: string;
  startedAt: string;
  heartbeatAt: string;
  endedAt: string | null;
  notebook: string | null;
  writer?: { pid: number; host: string };
  env?: { hostname?: string } | null;
}

/** One metric's points of one event, as columns (epoch NaN where none was given). */
export interface PointColumns {
  length: number;
  step: Float64Array;
  time: Float64Array;
  value: Float64Array;
  epoch: Float64Array;
}

/** One intact line of a run's events.jsonl. */
export interface EventLine {
  /** Byte offset of the line's first byte in the file. */
  start: number;
  /** Byte offset just past the line's newline. */
  end: number;
  /** The line as written, without its newline. */
  text: string;
  /** The record's type (metrics, status, chrono, output, ...). */
  type: string;
  /** The line's CRC-32 field: 8 hex digits. */
  crc: string;
  /** For a `metrics` record: its points per metric. */
  points?: ReadonlyMap<string, PointColumns>;
}

export interface EventWindow {
  /** Intact lines from `from` on, in file order (damaged lines are left out; a torn last line is not read). */
  lines: EventLine[];
  /** Where the next read starts: past the last complete line read. */
  end: number;
}

/** A run in a local store, as the pusher reads it. */
export interface LocalRunSource {
  readonly id: string;
  /** The store it lives in, as shown on the hub (the store folder's name, e.g. train.trainbook). */
  readonly store: string;
  /** run.json as it is now: its text verbatim and its parsed fields. */
  readRecord(): { text: string; record: HubRunRecord };
  /** Complete lines that start at byte `from` or later, about `maxBytes` of them at most (at least one). */
  readEvents(from: number, maxBytes?: number): EventWindow;
  /** The events file's size in bytes now (for progress). */
  eventsSize(): number;
}
