import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openHub } from 'trainbook/hub';
import { openStore } from '../../sdk/src/index.js';
import { requireBuilt, startScript } from '../helpers/sdk.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';

let pg: TestPostgres;
beforeAll(async () => {
  requireBuilt();
  pg = await startPostgres();
  const hub = openHub(pg.url);
  await migrate(hub);
  await hub.close();
});
afterAll(async () => {
  await pg?.destroy();
});

/** Trains for `seconds`, logging a point every 5 ms, with the hub from TRAINBOOK_HUB; prints its id, then 'done'. */
const LIVE = (seconds: number) => `
const run = tb.init({ git: false, display: false, systemMetrics: false, name: 'live' });
console.error('id ' + run.id);
const end = Date.now() + ${seconds * 1000};
let step = 0;
while (Date.now() < end) {
  const t0 = performance.now();
  run.log({ loss: 1 / (step + 1) }, { step: step++ });
  const took = performance.now() - t0;
  if (took > 50) console.error('slow log ' + took);
  await new Promise((resolve) => setTimeout(resolve, 5));
}
const result = await run.finish();
console.error('done ' + result.points);
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hubPoints = (id: string): number => Number(pg.psql(`SELECT coalesce(sum(n), 0) FROM trainbook.point_chunks WHERE run_id = '${id}'`).trim());

function start(dir: string, seconds: number) {
  const child = startScript(dir, LIVE(seconds));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const id = new Promise<string>((resolve) => {
    const check = () => {
      const match = /id (\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
      else setTimeout(check, 20);
    };
    check();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, id, exited, stderr: () => stderr };
}

describe('liveSync', () => {
  it('pushes a training run while it trains, a few seconds behind, and all of it at finish()', async () => {
    const dir = tempDir();
    process.env.TRAINBOOK_HUB = pg.url;
    const live = start(dir, 7);
    delete process.env.TRAINBOOK_HUB;
    const id = await live.id;
    await sleep(5000);
    const midway = hubPoints(id);
    expect(midway).toBeGreaterThan(0);
    expect(await live.exited).toBe(0);
    expect(live.stderr()).not.toMatch(/slow log|cannot push/);
    const local = openStore(`${dir}/.trainbook`).read(id).series.get('loss')!.length;
    expect(hubPoints(id)).toBe(local);
    expect(pg.psql(`SELECT status FROM trainbook.runs WHERE id = '${id}'`).trim()).toBe('completed');
  });

  it('goes on while PostgreSQL is down, says so once, and catches up when it is back', async () => {
    const dir = tempDir();
    process.env.TRAINBOOK_HUB = pg.url;
    const live = start(dir, 12);
    delete process.env.TRAINBOOK_HUB;
    const id = await live.id;
    // The first push comes one interval (3 s) after the start.
    await expect.poll(() => hubPoints(id), { timeout: 10_000, interval: 250 }).toBeGreaterThan(0);
    pg.stop();
    await sleep(4000);
    pg.start();
    const exit = await live.exited;
    expect(exit, live.stderr()).toBe(0);
    expect(live.stderr()).not.toMatch(/slow log/);
    expect(live.stderr().match(/cannot push run/g) ?? []).toHaveLength(1);
    expect(live.stderr()).toMatch(/reachable again/);
    const local = openStore(`${dir}/.trainbook`).read(id).series.get('loss')!.length;
    expect(hubPoints(id)).toBe(local);
  });

  it('keeps recording and finishes quickly when the hub is unreachable from the start', async () => {
    const dir = tempDir();
    process.env.TRAINBOOK_HUB = 'postgres://nobody:pw@127.0.0.1:1/none';
    const live = start(dir, 2);
    delete process.env.TRAINBOOK_HUB;
    const began = Date.now();
    expect(await live.exited).toBe(0);
    expect(Date.now() - began).toBeLessThan(15_000);
    expect(live.stderr().match(/cannot push run/g) ?? []).toHaveLength(1);
    expect(live.stderr()).not.toContain(':pw@');
    expect(live.stderr()).toMatch(/done \d+/);
  });
});
