import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Bytes, crc32String } from '../../../core/src/format/crc32.js';
import { frameEvent, parseEvents } from '../../../core/src/format/events.js';
import type { RunEvent } from '../../../core/src/format/types.js';

const encoder = new TextEncoder();
const crcText = (text: string): number => crc32(text);

function makeEvents(count: number): RunEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'metrics',
    time: 1_700_000_000_000 + i,
    series: { [`loss ${'é🚀'.repeat(i % 3)}`]: { time: [0, 1], value: [i, i % 7 === 0 ? 'NaN' : i / 3], stepStart: i * 2 } },
  }));
}

function fileOf(events: RunEvent[]): { bytes: Uint8Array; lineEnds: number[] } {
  const lines = events.map((event) => encoder.encode(frameEvent(event, crcText)));
  const bytes = new Uint8Array(lines.reduce((n, line) => n + line.length, 0));
  const lineEnds: number[] = [];
  let offset = 0;
  for (const line of lines) {
    bytes.set(line, offset);
    offset += line.length;
    lineEnds.push(offset);
  }
  return { bytes, lineEnds };
}

describe('format/crc32', () => {
  it('agrees with zlib on ASCII and multi-byte text', () => {
    for (const text of ['', 'hello', 'ünï 🚀 \u202e x', 'a'.repeat(10_000)]) {
      expect(crc32String(text)).toBe(crc32(text));
      expect(crc32Bytes(encoder.encode(text))).toBe(crc32(Buffer.from(text)));
    }
  });
});

describe('format/events', () => {
  describe('frameEvent()', () => {
    it('writes one line of plain JSON whose first member is the checksum', () => {
      const line = frameEvent({ type: 'log', time: 1, level: 'info', message: 'a\nb' }, crcText);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
      expect(JSON.parse(line)).toMatchObject({ crc: expect.stringMatching(/^[0-9a-f]{8}$/), type: 'log', message: 'a\nb' });
    });
  });

  describe('parseEvents()', () => {
    it('reads back every record exactly', () => {
      const events = makeEvents(50);
      const parsed = parseEvents(fileOf(events).bytes);
      expect(parsed.events).toEqual(events);
      expect(parsed.problems).toEqual([]);
      expect(parsed.tornTail).toBeNull();
    });

    it('returns exactly the complete records before a cut, at every byte offset', () => {
      const events = makeEvents(12);
      const { bytes, lineEnds } = fileOf(events);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const parsed = parseEvents(bytes.subarray(0, cut));
        // A record is complete once its closing brace is in (the newline may be cut off).
        const complete = lineEnds.filter((end) => end - 1 <= cut).length;
        expect(parsed.events.length, `cut at ${cut}`).toBe(complete);
        expect(parsed.events).toEqual(events.slice(0, complete));
        expect(parsed.problems).toEqual([]);
      }
    });

    it('reports a flipped bit with its line and offset and reads every other record', () => {
      const events = makeEvents(30);
      const { bytes, lineEnds } = fileOf(events);
      const damaged = bytes.slice();
      const target = 10; // 0-based line
      const position = lineEnds[target - 1]! + 40;
      damaged[position] ^= 0x04;
      const parsed = parseEvents(damaged);
      expect(parsed.problems).toHaveLength(1);
      expect(parsed.problems[0]).toMatchObject({ line: target + 1, offset: lineEnds[target - 1] });
      expect(parsed.events).toEqual([...events.slice(0, target), ...events.slice(target + 1)]);
    });

    it('never throws on random garbage and keeps the records around it', () => {
      const events = makeEvents(5);
      const garbage = encoder.encode('{"crc":"zzzz\n\u0000\u0001not json\n{"type":1}\n\n   \n');
      const { bytes } = fileOf(events);
      const mixed = new Uint8Array([...bytes.subarray(0, bytes.length / 2), ...garbage]);
      expect(() => parseEvents(mixed)).not.toThrow();
      const whole = new Uint8Array([...fileOf(events.slice(0, 2)).bytes, ...garbage, ...fileOf(events.slice(2)).bytes]);
      const parsed = parseEvents(whole);
      expect(parsed.events).toEqual(events);
      expect(parsed.problems.map((p) => p.reason)).toEqual(['no checksum', 'no checksum', 'no checksum']);
    });

    it('reports a line without a checksum as damage instead of trusting it', () => {
      const line = frameEvent({ type: 'log', time: 1, level: 'info', message: 'hi' }, crcText);
      const renamed = line.replace('{"crc"', '{"crb"'); // one flipped bit in the key
      const parsed = parseEvents(encoder.encode(`{"type":"log","time":1,"level":"info","message":"hi"}\n${renamed}${line}`));
      expect(parsed.events).toEqual([{ type: 'log', time: 1, level: 'info', message: 'hi' }]);
      expect(parsed.problems.map((p) => [p.line, p.reason])).toEqual([[1, 'no checksum'], [2, 'no checksum']]);
    });
  });
});
