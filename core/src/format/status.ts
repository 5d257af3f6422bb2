import type { EffectiveStatus, RunRecord } from './types.js';

/** A running run whose heartbeat is older than this reads as crashed. Writers beat every 5 s. */
export const DEFAULT_STALE_AFTER_MS = 60_000;
export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * The status to show for a run. `writerAlive` is what the caller could learn about the writing
 * process (false: it is gone; null: unknown, e.g. another host or a browser), and a running run
 * whose writer is gone, or whose heartbeat went stale, is `crashed`.
 */
export function effectiveStatus(
  run: Pick<RunRecord, 'status' | 'heartbeatAt'>,
  nowMs: number,
  writerAlive: boolean | null = null,
  staleAfterMs = DEFAULT_STALE_AFTER_MS,
): EffectiveStatus {
  if (run.status !== 'running') return run.status;
  if (writerAlive === false) return 'crashed';
  const beat = Date.parse(run.heartbeatAt);
  if (!Number.isFinite(beat) || nowMs - beat > staleAfterMs) return 'crashed';
  return 'running';
}
