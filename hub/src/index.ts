/**
 * trainbook's team hub: one PostgreSQL database that runs are pushed to (by command, or live while
 * they train) and pulled from, keeping their ids. Node I/O; reached by the SDK as `trainbook/hub`
 * (and loaded lazily there, so `pg` is only loaded when a hub is used).
 *
 * @example
 * import { openHub, migrate, pushRun } from 'trainbook/hub';
 * const hub = openHub('postgres://me@db.example.com/trainbook');
 * await migrate(hub);
 * await pushRun(hub, source);        // a LocalRunSource over a run folder (the SDK makes one)
 * await hub.close();
 */
export * from './errors.js';
export * from './types.js';
export { HUB_ENV, hubUrlFrom, redactUrl, connectionSettings, pgpassLookup } from './url.js';
export { openHub, type Hub, type OpenHubOptions } from './connect.js';
export { migrate, checkSchema, roleInstructions, pendingMigrations, readSchemaState, LATEST_SCHEMA, MIGRATIONS, SCHEMA, type Migration, type InitResult } from './schema.js';
export { pushRun, readPosition, type PushOptions, type PushProgress, type PushResult, type SyncPosition } from './push.js';
export { listRuns, findRunId, fetchRuns, fetchSeries, type HubRun, type HubRunData, type HubSeries, type ListOptions, type SeriesColumn } from './runs.js';
export { compileQuery, compileSort, SqlParams, type HubQueryNode } from './query.js';
export { columnText, columnJson, NUL_STAND_IN } from './text.js';
export { CopyBinaryWriter, readCopyBinary, readFloat8Array } from './copyBinary.js';
export { runColumns, metricRows, eventsCopy, chunksCopy } from './rows.js';
export { startLiveSync, type LiveSync, type LiveSyncOptions } from './liveSync.js';
export {
  QUEUE_SCHEMA,
  checkQueueSchema,
  enqueueSweep,
  claimJob,
  renewLease,
  finishAttempt,
  reapExpiredLeases,
  queueCounts,
  findSweepId,
  cancelSweep,
  readSweepStatus,
  listenForJobs,
  type SweepSpec,
  type AttemptRef,
  type ClaimedJob,
  type ClaimOptions,
  type AttemptResult,
  type SweepStatus,
} from './queue.js';
export * from './sweepStates.js';
