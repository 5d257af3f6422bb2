import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../sdk/src/index.js';
import { DIST, requireBuilt } from '../helpers/sdk.js';
import { tempDir } from '../helpers/tmp.js';
import { scale } from './scale.js';

beforeAll(requireBuilt);

const WRITER = `
import * as tb from ${JSON.stringify(DIST)};
const [store, points, seed] = process.argv.slice(2).map((v, i) => (i === 0 ? v : Number(v)));
const run = tb.init({ dir: store, git: false, display: false, name: 'writer-' + seed });
let state = seed;
for (let i = 0; i < points; i++) {
  run.log({ v: i, w: seed }, { step: i });
  state = (state * 16807) % 2147483647;
  if (state % 97 === 0) run.flush();
  if (i % 5000 === 0) await new Promise((resolve) => setImmediate(resolve));
}
await run.finish();
`;

async function writeAtOnce(processes: number, points: number) {
  const dir = tempDir();
  const store = path.join(dir, 'store');
  const writer = path.join(dir, 'writer.mjs');
  fs.writeFileSync(writer, WRITER);
  const codes = await Promise.all(
    Array.from({ length: processes }, (_, k) => {
      const child = spawn(process.execPath, [writer, store, String(points), String(k + 1)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      return new Promise<[number | null, string]>((resolve) => child.on('exit', (code) => resolve([code, stderr])));
    }),
  );
  expect(codes).toEqual(Array.from({ length: processes }, () => [0, '']));
  const opened = openStore(store);
  const { runs, problems } = opened.list();
  expect(problems).toEqual([]);
  expect(runs).toHaveLength(processes);
  for (const run of runs) {
    const data = opened.read(run.record.id);
    expect(data.status).toBe('completed');
    expect(data.problems).toEqual([]);
    const v = data.series.get('v')!;
    const w = data.series.get('w')!;
    expect(v.length).toBe(points);
    for (let i = 0; i < points; i++) if (v.value[i] !== i || v.step[i] !== i) throw new Error(`${run.record.name}: point ${i} reads ${v.value[i]}`);
    expect(new Set(w.value).size).toBe(1); // no bytes from another writer
    expect(`writer-${w.value[0]}`).toBe(run.record.name);
  }
}

describe('torture: many writers, one store', () => {
  it('two processes write two runs at once, intact', async () => {
    await writeAtOnce(2, scale(20_000, 200_000));
  }, 300_000);
  it('ten processes write ten runs at once, intact', async () => {
    await writeAtOnce(10, scale(5_000, 100_000));
  }, 300_000);
});
