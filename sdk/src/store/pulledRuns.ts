/**
 * Writing a run pulled from the hub into a local store: checked (every line's CRC, the record's
 * shape), lossless (the same record and the same event records, so `show`, `export` and `report`
 * give what the original gives), with the same id. A run the store already holds as its own is
 * never touched; an earlier pulled copy is replaced when the hub has more of it. `pulled.json`
 * beside run.json says where and how much was pulled.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import type { HubRunData } from 'trainbook/hub';
import { StoreError, parseEvents, isRunId, coerceRunRecord } from 'trainbook/core';
import { writeFinishedRun } from './finishedRuns.js';
import { RUNS_DIR, SCRIPT_STORE, STORE_SUFFIX } from './paths.js';

export const PULLED_FILE = 'pulled.json';

export interface PulledMarker {
  hub: string;
  events: number;
  recordMd5: string;
  pulledAt: string;
}

export type PullOutcome = 'added' | 'updated' | 'unchanged' | 'local';

const nodeCrc = (bytes: Uint8Array, start: number, end: number): number => crc32(bytes.subarray(start, end));
const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * The local store a pulled run goes to when none is given: the store of the same name in `cwd`
 * (runs pushed from train.trainbook land in ./train.trainbook), `./.trainbook` for anything else.
 * The hub's store name is data: only a plain `*.trainbook` folder name is used as a path.
 */
export function storeForPulledRun(cwd: string, hubStore: string): string {
  const plain = /^[^/\\\u0000]+$/.test(hubStore) && hubStore !== '.' && hubStore !== '..' && (hubStore.endsWith(STORE_SUFFIX) && hubStore.length > STORE_SUFFIX.length);
  return path.join(cwd, plain ? hubStore : SCRIPT_STORE);
}

/** Writes (or refreshes) one pulled run; says what it did. `hubLabel` is the hub's redacted URL. */
export function writePulledRun(storeDir: string, run: HubRunData, hubLabel: string, now = new Date()): PullOutcome {
  if (!isRunId(run.id)) throw new StoreError(`The hub holds a run with the id ${JSON.stringify(run.id.slice(0, 40))}, which is not a run id; it was not pulled.`);
  const record = coerceRunRecord(JSON.parse(run.record));
  if (typeof record === 'string' || record.id !== run.id) {
    throw new StoreError(`Run ${run.id} on the hub has a damaged record (${typeof record === 'string' ? record : 'another id'}); it was not pulled.`);
  }
  const bytes = Buffer.from(run.lines.map((line) => `${line}\n`).join(''), 'utf8');
  const parsed = parseEvents(bytes, nodeCrc);
  if (parsed.problems.length > 0 || parsed.tornTail || parsed.events.length !== run.lines.length) {
    const first = parsed.problems[0];
    throw new StoreError(`Run ${run.id} came from the hub damaged (${first ? `line ${first.line}: ${first.reason}` : 'a line is incomplete'}); it was not pulled.`);
  }
  const runDir = path.join(storeDir, RUNS_DIR, run.id);
  const marker: PulledMarker = { hub: hubLabel, events: run.lines.length, recordMd5: md5(run.record), pulledAt: now.toISOString() };
  if (fs.existsSync(runDir)) {
    const previous = readMarker(runDir);
    if (!previous) return 'local'; // the store's own run: the source of truth here
    if (previous.events === marker.events && previous.recordMd5 === marker.recordMd5) return 'unchanged';
    const aside = path.join(storeDir, RUNS_DIR, `.old-${run.id}.tmp`);
    fs.rmSync(aside, { recursive: true, force: true });
    fs.renameSync(runDir, aside);
    try {
      writeFinishedRun(storeDir, record.notebook, record, parsed.events);
    } catch (error) {
      fs.renameSync(aside, runDir);
      throw error;
    }
    fs.rmSync(aside, { recursive: true, force: true });
    writeMarker(runDir, marker);
    return 'updated';
  }
  writeFinishedRun(storeDir, record.notebook, record, parsed.events);
  writeMarker(runDir, marker);
  return 'added';
}

function readMarker(runDir: string): PulledMarker | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(runDir, PULLED_FILE), 'utf8')) as PulledMarker;
  } catch {
    return null;
  }
}

function writeMarker(runDir: string, marker: PulledMarker): void {
  fs.writeFileSync(path.join(runDir, PULLED_FILE), `${JSON.stringify(marker)}\n`);
}
