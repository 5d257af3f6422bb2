import { crc32Bytes, toHex32 } from './crc32.js';
import { eventProblem } from './shape.js';
import type { RunEvent } from './types.js';

/**
 * Framing of `events.jsonl`. Each line is one JSON object whose first member is a checksum of
 * the rest of the line: `{"crc":"89abcdef","type":"metrics",...}`. The CRC-32 covers the UTF-8
 * bytes after `{"crc":"89abcdef",` up to the closing brace, so any flipped bit is detected
 * instead of misread, and the line stays plain JSON for any other tool. Every line must be
 * framed; writers other than the SDK (the JupyterLab extension) use {@link frameEvent} too.
 */
const CRC_PREFIX = '{"crc":"';
const CRC_PREFIX_BYTES = [...CRC_PREFIX].map((c) => c.charCodeAt(0));
/** `{"crc":"` + 8 hex digits + `",` */
const FRAME_HEAD_LENGTH = CRC_PREFIX.length + 8 + 2;
const NEWLINE = 0x0a;

export type Crc32Function = (bytes: Uint8Array, start: number, end: number) => number;

/** Turns an event into one framed line, newline included. `crcOfText` hashes the UTF-8 of a string. */
export function frameEvent(event: RunEvent, crcOfText: (text: string) => number): string {
  const json = JSON.stringify(event);
  const body = json.slice(1);
  return `${CRC_PREFIX}${toHex32(crcOfText(body))}",${body}\n`;
}

export interface EventProblem {
  /** 1-based line number in the file. */
  line: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  length: number;
  reason: string;
}

export interface ParsedEvents {
  events: RunEvent[];
  /** Damaged lines in the middle of the file: reported, skipped, and reading goes on. */
  problems: EventProblem[];
  /** An incomplete last line (the writer stopped mid-write): skipped, not an error. */
  tornTail: { offset: number; length: number } | null;
  /** Bytes up to the end of the last line that was read or reported. */
  bytesRead: number;
}

/**
 * Reads every complete record from the bytes of an events file. Never throws on damaged input:
 * a line whose checksum or JSON is bad becomes a problem with its position, and a last line that
 * stops short becomes the torn tail.
 */
export function parseEvents(
  bytes: Uint8Array,
  crc: Crc32Function = crc32Bytes,
  firstLineNumber = 1,
  baseOffset = 0,
): ParsedEvents {
  const events: RunEvent[] = [];
  const problems: EventProblem[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let tornTail: ParsedEvents['tornTail'] = null;
  let lineNumber = firstLineNumber - 1;
  let start = 0;
  let bytesRead = 0;
  while (start < bytes.length) {
    lineNumber++;
    let end = bytes.indexOf(NEWLINE, start);
    const terminated = end !== -1;
    if (!terminated) end = bytes.length;
    let contentEnd = end;
    while (contentEnd > start && isSpace(bytes[contentEnd - 1]!)) contentEnd--;
    let contentStart = start;
    while (contentStart < contentEnd && isSpace(bytes[contentStart]!)) contentStart++;
    if (contentStart < contentEnd) {
      const result = readLine(bytes, contentStart, contentEnd, crc, decoder);
      if (typeof result === 'string') {
        if (terminated) problems.push({ line: lineNumber, offset: baseOffset + start, length: end - start, reason: result });
        else tornTail = { offset: baseOffset + start, length: end - start };
      } else {
        events.push(result);
      }
    }
    if (terminated || tornTail === null) bytesRead = terminated ? end + 1 : end;
    start = end + 1;
  }
  return { events, problems, tornTail, bytesRead };
}

function readLine(
  bytes: Uint8Array,
  start: number,
  end: number,
  crc: Crc32Function,
  decoder: { decode(input: Uint8Array): string },
): RunEvent | string {
  // Every line must carry its checksum: a line without one is damage (a flipped bit in `"crc"`
  // would otherwise turn a record into an unchecked one), never an unchecked record.
  if (!hasCrcPrefix(bytes, start) || end - start <= FRAME_HEAD_LENGTH) return 'no checksum';
  {
    const expected = parseHex32(bytes, start + CRC_PREFIX.length);
    if (expected === -1 || bytes[start + CRC_PREFIX.length + 8] !== 0x22 || bytes[start + CRC_PREFIX.length + 9] !== 0x2c) {
      return 'damaged checksum field';
    }
    if (crc(bytes, start + FRAME_HEAD_LENGTH, end) !== expected) return 'checksum mismatch';
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes.subarray(start, end)));
  } catch {
    return 'not valid JSON';
  }
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') {
    return 'not an event record (no "type")';
  }
  const problem = eventProblem(value as Record<string, unknown>);
  if (problem) return problem;
  delete (value as { crc?: string }).crc;
  return value as RunEvent;
}

function hasCrcPrefix(bytes: Uint8Array, start: number): boolean {
  for (let i = 0; i < CRC_PREFIX_BYTES.length; i++) if (bytes[start + i] !== CRC_PREFIX_BYTES[i]) return false;
  return true;
}

function parseHex32(bytes: Uint8Array, start: number): number {
  let value = 0;
  for (let i = start; i < start + 8; i++) {
    const c = bytes[i]!;
    let digit: number;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
    else return -1;
    value = value * 16 + digit;
  }
  return value;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0d || c === 0x09;
}
