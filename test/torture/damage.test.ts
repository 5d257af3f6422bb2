import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { frameEvent, parseEvents } from '../../core/src/format/events.js';
import type { RunEvent } from '../../core/src/format/types.js';
import { init, openStore } from '../../sdk/src/index.js';
import { checkStore } from '../../sdk/src/store/doctor.js';
import { requireBuilt, runCli } from '../helpers/sdk.js';
import { tempDir } from '../helpers/tmp.js';
import { scale } from './scale.js';

const crcText = (text: string): number => crc32(text);
const nodeCrc = (bytes: Uint8Array, start: number, end: number): number => crc32(bytes.subarray(start, end));
/** Cuts read between two turns of the event loop (each cut parses its whole prefix). */
const YIELD_EVERY = 256;

function records(count: number): RunEvent[] {
  return Array.from({ length: count }, (_, i): RunEvent =>
    i % 3 === 0
      ? { type: 'status', time: 1_700_000_000_000 + i, status: 'running' }
      : { type: 'metrics', time: 1_700_000_000_000 + i, series: { [`m${i % 5} ✓`]: { time: [0], value: [i % 11 === 0 ? 'NaN' : i / 7], stepStart: i } } },
  );
}

function file(events: RunEvent[]): { bytes: Buffer; ends: number[] } {
  const lines = events.map((event) => Buffer.from(frameEvent(event, crcText)));
  const ends: number[] = [];
  let offset = 0;
  for (const line of lines) ends.push((offset += line.length));
  return { bytes: Buffer.concat(lines), ends };
}

describe('torture: damaged events files', () => {
  it(`reads exactly the complete records before a cut at every byte offset (${scale(150, 1000)} records)`, async () => {
    const events = records(scale(150, 1000));
    const { bytes, ends } = file(events);
    let complete = 0;
    for (let cut = 0; cut <= bytes.length; cut++) {
      // Let the runner breathe: a loop that held the event loop for minutes made vitest's
      // worker miss its onTaskUpdate calls and exit non-zero with every test passed.
      if (cut % YIELD_EVERY === 0) await new Promise(setImmediate);
      while (complete < ends.length && ends[complete]! - 1 <= cut) complete++;
      const parsed = parseEvents(bytes.subarray(0, cut), nodeCrc);
      if (parsed.events.length !== complete || parsed.problems.length !== 0) {
        throw new Error(`cut at ${cut}: read ${parsed.events.length} records, expected ${complete}; problems ${JSON.stringify(parsed.problems)}`);
      }
    }
    expect(parseEvents(bytes, nodeCrc).events).toEqual(events);
  }, 900_000); // every prefix is read whole: about 5 minutes for the long form on 2 cores

  it(`detects a flipped bit at ${scale(200, 1000)} random positions and reads every other record`, () => {
    const events = records(400);
    const { bytes, ends } = file(events);
    let seed = 12345;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let k = 0; k < scale(200, 1000); k++) {
      const position = Math.floor(random() * bytes.length);
      const bit = 1 << Math.floor(random() * 8);
      const damaged = Buffer.from(bytes);
      damaged[position] ^= bit;
      const line = ends.findIndex((end) => position < end);
      // A flipped newline joins two records into one damaged line; a flip that makes a newline splits one.
      const touched = new Set([line]);
      if (bytes[position] === 0x0a && line + 1 < events.length) touched.add(line + 1);
      const parsed = parseEvents(damaged, nodeCrc);
      const expected = events.filter((_, i) => !touched.has(i));
      if (JSON.stringify(parsed.events) !== JSON.stringify(expected)) throw new Error(`flip at byte ${position} (bit ${bit}): records misread or lost`);
      const lineStart = line === 0 ? 0 : ends[line - 1]!;
      const isLastLine = line === events.length - 1;
      if (isLastLine && parsed.problems.length === 0) {
        expect(parsed.tornTail?.offset ?? lineStart).toBeGreaterThanOrEqual(lineStart); // damage in the last line reads as a torn tail
        continue;
      }
      expect(parsed.problems.length, `flip at ${position}`).toBeGreaterThanOrEqual(1);
      expect(parsed.problems[0]!.offset).toBeGreaterThanOrEqual(lineStart);
      expect(parsed.problems[0]!.offset).toBeLessThan(ends[Math.max(...touched)]!);
    }
  });

  it('doctor finds the damage with its position and --repair keeps every readable record, with a backup', async () => {
    requireBuilt();
    const dir = tempDir();
    const run = init({ dir, git: false, display: false });
    for (let i = 0; i < 100; i++) {
      run.log({ loss: i });
      run.flush();
    }
    await run.finish();
    const events = path.join(run.dir, 'events.jsonl');
    const bytes = fs.readFileSync(events);
    const lineStarts = [0, ...[...bytes.entries()].filter(([, b]) => b === 0x0a).map(([i]) => i + 1)];
    bytes[lineStarts[10]! + 25] ^= 0x10; // damage record 11
    fs.writeFileSync(events, Buffer.concat([bytes, Buffer.from('{"crc":"0000')]));
    const check = runCli(['doctor', dir], dir);
    if (!check.stdout) throw new Error(check.stderr);
    expect(check.status, check.stderr).toBe(1);
    expect(check.stdout).toMatch(new RegExp(`DAMAGE  run ${run.id}, line 11, byte ${lineStarts[10]}: damaged record: checksum mismatch`));
    expect(check.stdout).toMatch(/incomplete last record/);
    const repair = runCli(['doctor', '--repair', dir], dir);
    expect(repair.status, repair.stdout).toBe(0);
    expect(repair.stdout).toMatch(/repaired: kept \d+ readable records/);
    const backups = fs.readdirSync(run.dir).filter((name) => name.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    const data = openStore(dir).read(run.id);
    expect(data.problems).toEqual([]);
    expect(data.tornTail).toBeNull();
    expect(data.series.get('loss')!.length).toBe(99); // every point but the damaged one's
    expect(checkStore(dir).findings).toEqual([]);
  });

  it('doctor --repair rebuilds a lost run.json from the events', async () => {
    const dir = tempDir();
    const run = init({ dir, git: false, display: false });
    run.log({ loss: 3 });
    run.log({ loss: 1 });
    await run.fail(new Error('boom'));
    fs.rmSync(path.join(run.dir, 'run.json'));
    expect(openStore(dir).list().problems).toHaveLength(1);
    const report = checkStore(dir, { repair: true });
    expect(report.findings.map((f) => f.repaired)).toEqual(['rebuilt from the events']);
    const { record, status } = openStore(dir).find(run.id);
    expect(status).toBe('failed');
    expect(record.summary.loss).toMatchObject({ last: 1, min: 1, max: 3, count: 2 });
    expect(record.error?.message).toBe('boom');
  });
});
