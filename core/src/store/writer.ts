/**
 * The one finished-run writer, as store tasks: a run that no live process writes (an import, the
 * run of a tagged cell that never called the SDK, a run pulled from the hub) is written whole
 * aside, in `runs/tmp-<token>-<id>/`, then renamed to `runs/<id>`: readers never see half a run,
 * and a failure leaves nothing behind. Execution records of tagged cells too. Pure; the SDK runs
 * these over Node's fs, the extension over the Contents API (which adds its own folder checks).
 */
import { StoreError } from '../errors.js';
import { crc32String } from '../format/crc32.js';
import { frameEvent } from '../format/events.js';
import { isRunId } from '../format/ids.js';
import { STORE_FORMAT, type RunEvent, type RunRecord, type StoreManifest } from '../format/types.js';
import type { ExecutionRecord } from '../experiments/cellRuns.js';
import { FileAccessError } from './files.js';
import { EVENTS_FILE, MANIFEST_FILE, RUN_FILE, asideRunDir, executionFile, runDir, storePath } from './layout.js';
import { readText, remove, rename, write, type StoreTask } from './task.js';

export interface FinishedRunOptions {
  /** The notebook the store belongs to, written into a new store's manifest. */
  notebook: string | null;
  /** Makes the temporary folder's name unique to the writer (the SDK: its pid). Default: random. */
  token?: string;
  /** CRC-32 of a string's UTF-8 (a faster one where the host has it). */
  crcOfText?: (text: string) => number;
}

/**
 * Makes `store.json` unless the store has one; refuses a store of another format. Two writers
 * making it at once both succeed (the manifest is created exclusively, then read back).
 */
export function* ensureManifest(notebook: string | null): StoreTask<StoreManifest> {
  for (let attempt = 0; ; attempt++) {
    const text = yield* readText(MANIFEST_FILE);
    if (text !== null) return checkManifest(text);
    const manifest: StoreManifest = { format: STORE_FORMAT, notebook };
    try {
      yield* write(MANIFEST_FILE, `${JSON.stringify(manifest)}\n`, { exclusive: true });
      return manifest;
    } catch (error) {
      if (!(error instanceof FileAccessError && error.code === 'exists') || attempt > 0) throw error;
    }
  }
}

function checkManifest(text: string): StoreManifest {
  let manifest: StoreManifest;
  try {
    manifest = JSON.parse(text) as StoreManifest;
  } catch (error) {
    throw new StoreError(`${MANIFEST_FILE} is not valid JSON; run \`trainbook doctor\` on the store.`, { cause: error });
  }
  if (manifest?.format !== STORE_FORMAT) {
    throw new StoreError(`The store holds store format ${manifest?.format}; this trainbook writes format ${STORE_FORMAT}. Upgrade trainbook or use another folder.`);
  }
  return manifest;
}

/**
 * Writes `record` and its `events` as a new run folder `runs/<id>` (the store and its manifest
 * made when missing). Throws when the run is there already or a write fails; nothing is left
 * behind then. Returns the run folder's store path.
 *
 * @example
 * runSync(writeFinishedRun(record, [{ type: 'status', time: Date.now(), status: 'completed' }], { notebook: null }), files);
 */
export function* writeFinishedRun(record: RunRecord, events: readonly RunEvent[], options: FinishedRunOptions): StoreTask<string> {
  if (!isRunId(record.id)) throw new StoreError(`"${record.id}" is not a run id; runs get ids from newRunId().`);
  yield* ensureManifest(options.notebook);
  const crcOfText = options.crcOfText ?? crc32String;
  // Readers skip the aside folder while it is being filled.
  const aside = asideRunDir(options.token ?? randomToken(), record.id);
  try {
    yield* write(storePath(aside, EVENTS_FILE), events.map((event) => frameEvent(event, crcOfText)).join(''), { exclusive: true });
    yield* write(storePath(aside, RUN_FILE), `${JSON.stringify(record, null, 1)}\n`);
    yield* rename(aside, runDir(record.id));
  } catch (error) {
    try {
      yield* remove(aside);
    } catch {
      // Nothing more to undo: the folder was never made, or cannot be reached.
    }
    throw error;
  }
  return runDir(record.id);
}

/** Writes one execution record of a tagged cell, `executions/<id>.json` (never rewritten: its id is new). */
export function* writeExecution(execution: ExecutionRecord, notebook: string | null): StoreTask<string> {
  if (!isRunId(execution.id)) throw new StoreError(`"${execution.id}" is not an execution id.`);
  yield* ensureManifest(notebook);
  const file = executionFile(execution.id);
  yield* write(file, `${JSON.stringify(execution, null, 2)}\n`, { exclusive: true });
  return file;
}

const TOKEN_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function randomToken(): string {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  let token = '';
  for (const byte of bytes) token += TOKEN_ALPHABET[byte % 32];
  return token;
}
