import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../sdk/src/index.js';
import { DIST, requireBuilt, runScript } from '../helpers/sdk.js';
import { tempDir } from '../helpers/tmp.js';
import { scale } from './scale.js';

beforeAll(requireBuilt);

/** Logs 0, 1, 2, ... in flushes of 1 to 15,000 points (one record of ~10 B to ~200 KB each); prints `ack <n>` after each flush. */
const WRITER = `
import * as tb from ${JSON.stringify(DIST)};
const run = tb.init({ dir: process.argv[2], git: false, display: false });
let seed = Number(process.argv[3]);
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
let total = 0;
process.stdout.write('ready ' + run.id + '\\n');
for (;;) {
  const size = random() < 0.5 ? 1 + Math.floor(random() * 20) : 1 + Math.floor(random() * 15000);
  for (let i = 0; i < size; i++) run.log({ v: total + i }, { step: total + i });
  total += size;
  run.flush();
  process.stdout.write('ack ' + total + '\\n');
  if (random() < 0.2) await new Promise((resolve) => setImmediate(resolve));
}
`;

async function killMidWrite(store: string, writer: string, seed: number, delayMs: number): Promise<{ id: string; acked: number }> {
  const child = spawn(process.execPath, [writer, store, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let id = '';
  let acked = 0;
  let buffer = '';
  child.stdout!.on('data', (chunk) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('ready ')) id = line.slice(6);
      if (line.startsWith('ack ')) acked = Number(line.slice(4));
    }
  });
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (id) {
        clearInterval(check);
        setTimeout(resolve, delayMs);
      }
    }, 2);
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('exit', resolve));
  return { id, acked };
}

describe('torture: kill -9 while writing', () => {
  it(`loses nothing that was flushed, only ever the torn tail, over ${scale(15, 200)} kills`, async () => {
    const dir = tempDir();
    const store = path.join(dir, 'store');
    const writer = path.join(dir, 'writer.mjs');
    fs.writeFileSync(writer, WRITER);
    const kills = scale(15, 200);
    let torn = 0;
    for (let k = 0; k < kills; k++) {
      const { id, acked } = await killMidWrite(store, writer, 1 + k * 7919, 5 + ((k * 37) % 120));
      let data;
      try {
        data = openStore(store).read(id);
      } catch (error) {
        throw new Error(`kill ${k}: the reader threw: ${String(error)}`);
      }
      const v = data.series.get('v');
      const length = v?.length ?? 0;
      expect(length, `kill ${k}: acknowledged ${acked}`).toBeGreaterThanOrEqual(acked);
      for (let i = 0; i < length; i++) if (v!.value[i] !== i) throw new Error(`kill ${k}: point ${i} reads ${v!.value[i]}`);
      expect(data.problems, `kill ${k}`).toEqual([]);
      expect(data.status).toBe('crashed');
      if (data.tornTail) torn++;
    }
    const { runs } = openStore(store).list();
    expect(runs).toHaveLength(kills);
    expect(runs.every((run) => run.status === 'crashed')).toBe(true);
    // A new run in the same store works.
    const after = runScript(dir, `const run = tb.init({ dir: 'store', git: false }); run.log({ v: 1 }); await run.finish();`);
    expect(after.status).toBe(0);
    expect(openStore(store).list().runs.filter((run) => run.status === 'completed')).toHaveLength(1);
    // Some kills must have landed mid-write for this to test anything about torn tails.
    console.log(`torture: ${kills} kills, ${torn} left a torn last record`);
  }, 600_000);
});
