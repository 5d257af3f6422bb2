/**
 * A run folder of the local store as the hub's pusher reads it (the hub's `LocalRunSource`):
 * run.json verbatim, and the intact lines of events.jsonl after a byte offset, each with its
 * position, CRC and, for metric records, its points as columns. Damaged lines are left out (as the
 * reader skips them) and a torn last line is not read until it is complete.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import type { EventLine, EventWindow, HubRunRecord, LocalRunSource } from 'trainbook/hub';
import { StoreError, parseEvents, collectSeries, coerceRunRecord, EVENTS_FILE, RUN_FILE } from 'trainbook/core';

const nodeCrc = (bytes: Uint8Array, start: number, end: number): number => crc32(bytes.subarray(start, end));
const NEWLINE = 0x0a;
const MIN_READ = 64 * 1024;

/** The hub's view of the run in `runDir` (a folder `runs/<id>/` of the store `storeDir`). */
export function localRunSource(storeDir: string, runDir: string, runId: string): LocalRunSource {
  const eventsFile = path.join(runDir, EVENTS_FILE);
  const runFile = path.join(runDir, RUN_FILE);
  return {
    id: runId,
    store: path.basename(storeDir),
    readRecord: () => {
      let text: string;
      try {
        text = fs.readFileSync(runFile, 'utf8');
      } catch (error) {
        throw new StoreError(`Cannot read ${runFile}: ${(error as Error).message}`, { cause: error });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new StoreError(`${runFile} is not valid JSON; run \`trainbook doctor\` on the store.`, { cause: error });
      }
      const record = coerceRunRecord(parsed);
      if (typeof record === 'string') throw new StoreError(`${runFile} is not a run record (${record}); run \`trainbook doctor\` on the store.`);
      return { text, record: record as unknown as HubRunRecord };
    },
    readEvents: (from, maxBytes = Infinity) => readEventLines(eventsFile, from, maxBytes),
    eventsSize: () => {
      try {
        return fs.statSync(eventsFile).size;
      } catch {
        return 0;
      }
    },
  };
}

/** The intact lines of an events file from byte `from` (a line start) on: about `maxBytes` of them, at least one. */
export function readEventLines(file: string, from: number, maxBytes = Infinity): EventWindow {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { lines: [], end: from };
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (from >= size) return { lines: [], end: from };
    // Read enough for `maxBytes` of lines, growing until one whole line is in.
    let length = Math.min(size - from, Math.max(MIN_READ, Number.isFinite(maxBytes) ? maxBytes : size - from));
    let bytes: Buffer;
    for (;;) {
      bytes = Buffer.allocUnsafe(length);
      const read = fs.readSync(fd, bytes, 0, length, from);
      bytes = bytes.subarray(0, read);
      if (bytes.includes(NEWLINE) || from + read >= size) break;
      length = Math.min(size - from, length * 2);
    }
    return splitLines(bytes, from, maxBytes);
  } finally {
    fs.closeSync(fd);
  }
}

const decoder = new TextDecoder('utf-8');

function splitLines(bytes: Buffer, base: number, maxBytes: number): EventWindow {
  const lines: EventLine[] = [];
  let start = 0;
  let end = base;
  while (start < bytes.length) {
    const newline = bytes.indexOf(NEWLINE, start);
    if (newline === -1) break; // a torn or still-being-written last line: not yet
    const parsed = parseEvents(bytes.subarray(start, newline + 1), nodeCrc, 1, base + start);
    const event = parsed.events[0];
    if (event && parsed.events.length === 1) {
      let contentEnd = newline;
      while (contentEnd > start && (bytes[contentEnd - 1] === 0x0d || bytes[contentEnd - 1] === 0x20 || bytes[contentEnd - 1] === 0x09)) contentEnd--;
      let contentStart = start;
      while (contentStart < contentEnd && (bytes[contentStart] === 0x20 || bytes[contentStart] === 0x09)) contentStart++;
      const text = decoder.decode(bytes.subarray(contentStart, contentEnd));
      const line: EventLine = { start: base + start, end: base + newline + 1, text, type: event.type, crc: text.slice(8, 16) };
      if (event.type === 'metrics') line.points = collectSeries([event]);
      lines.push(line);
    }
    start = newline + 1;
    end = base + start;
    if (end - base >= maxBytes) break;
  }
  return { lines, end };
}
