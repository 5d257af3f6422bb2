import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchSeries, migrate, openHub, type Hub } from 'trainbook/hub';
import { init, openStore } from '../../sdk/src/index.js';
import { CLI, DIST, ROOT, requireBuilt, runCli, runScript } from '../helpers/sdk.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';
import { scale } from './scale.js';

let pg: TestPostgres;
let hub: Hub;
beforeAll(async () => {
  requireBuilt();
  pg = await startPostgres();
  hub = openHub(pg.url);
  await migrate(hub);
});
afterAll(async () => {
  await hub?.close();
  await pg?.destroy();
});

const HUB_DIST = JSON.stringify(path.join(ROOT, 'hub/dist/index.js'));
const SOURCE_DIST = JSON.stringify(path.join(ROOT, 'sdk/dist/sync/runSource.js'));

/** Pushes one run in small batches (many transactions), so that a kill lands between and inside them. */
const PUSHER = `
import { openHub, pushRun } from ${HUB_DIST};
import { localRunSource } from ${SOURCE_DIST};
const [store, id, url] = process.argv.slice(2);
const hub = openHub(url);
process.stdout.write('pushing\\n');
await pushRun(hub, localRunSource(store, store + '/runs/' + id, id), { batchBytes: 20_000 });
await hub.close();
process.stdout.write('pushed\\n');
`;

async function pushAndKill(store: string, id: string, afterMs: number): Promise<'killed' | 'finished'> {
  const file = path.join(store, '..', `pusher-${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(file, PUSHER);
  const child = spawn(process.execPath, [file, store, id, pg.url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise<void>((resolve) => {
    const wait = (): void => {
      if (out.includes('pushing')) resolve();
      else setTimeout(wait, 5);
    };
    wait();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  return out.includes('pushed') && code === 0 ? 'finished' : 'killed';
}

/** The hub holds a prefix of the local events, and exactly the points of that prefix. */
function checkConsistent(id: string): { events: number; points: number } {
  const row = pg
    .psql(`SELECT r.event_count, (SELECT count(*) FROM trainbook.events e WHERE e.run_id = r.id), r.point_count, (SELECT coalesce(sum(n), 0) FROM trainbook.point_chunks c WHERE c.run_id = r.id) FROM trainbook.runs r WHERE r.id = '${id}'`)
    .trim();
  if (row === '') {
    // No run row: nothing of it may be there either.
    expect(pg.psql(`SELECT count(*) FROM trainbook.events WHERE run_id = '${id}'`).trim()).toBe('0');
    return { events: 0, points: 0 };
  }
  const [events, counted, pointCount, chunkPoints] = row.split('|').map(Number);
  expect(counted).toBe(events);
  expect(chunkPoints).toBe(pointCount);
  const seqs = pg.psql(`SELECT count(*) = max(seq) + 1 OR count(*) = 0 FROM trainbook.events WHERE run_id = '${id}'`).trim();
  expect(seqs).toBe('t');
  return { events: events!, points: pointCount! };
}

async function expectSameAsLocal(store: string, id: string): Promise<void> {
  const local = openStore(store).read(id);
  const names = [...local.series.keys()];
  const remote = await fetchSeries(hub, [id], names);
  expect(remote.map((s) => s.metric).sort()).toEqual([...names].sort());
  for (const series of remote) {
    const mine = local.series.get(series.metric)!;
    expect(series.length).toBe(mine.length);
    expect(Buffer.from(series.value.buffer, 0, series.length * 8).equals(Buffer.from(mine.value.buffer, 0, mine.length * 8))).toBe(true);
    expect(Buffer.from(series.step.buffer, 0, series.length * 8).equals(Buffer.from(mine.step.buffer, 0, mine.length * 8))).toBe(true);
  }
}

describe('torture: the team hub', () => {
  it(`holds exactly the local points after ${scale(5, 50)} kill -9s of a push and one more push`, async () => {
    const store = path.join(tempDir(), 'store');
    const run = init({ dir: store, git: false, display: false, systemMetrics: false, name: 'killed-pushes' });
    for (let i = 0; i < 200_000; i++) {
      run.log({ loss: i % 997 === 0 ? NaN : Math.sin(i), acc: i / 200_000 }, { step: i });
      if (i % 3000 === 2999) run.flush();
    }
    await run.finish();
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let finished = 0;
    const seen = new Set<number>();
    for (let k = 0; k < scale(5, 50); k++) {
      if ((await pushAndKill(store, run.id, 20 + random() * 400)) === 'finished') finished++;
      seen.add(checkConsistent(run.id).events);
      // Start over now and then, so kills also land in a push that begins at nothing.
      if (finished > 0 && random() < 0.3) pg.psql(`DELETE FROM trainbook.runs WHERE id = '${run.id}'`);
    }
    expect(seen.size, 'the kills left the hub at different places').toBeGreaterThan(1);
    const result = runCli(['push', '--hub', pg.url], path.dirname(store), { TRAINBOOK_DIR: store });
    expect(result.status, result.stderr).toBe(0);
    expect(checkConsistent(run.id).points).toBe(400_000);
    await expectSameAsLocal(store, run.id);
  });

  it(`loses nothing of a live run across ${scale(1, 4)} PostgreSQL outage(s)`, async () => {
    const dir = tempDir();
    const script = `
const run = tb.init({ git: false, display: false, systemMetrics: false, name: 'outages' });
console.error('id ' + run.id);
const end = Date.now() + ${scale(9, 30) * 1000};
for (let step = 0; Date.now() < end; step++) {
  run.log({ loss: 1 / (step + 1) }, { step });
  await new Promise((resolve) => setTimeout(resolve, 3));
}
await run.finish();
console.error('done');
`;
    const file = path.join(dir, 'live.mjs');
    fs.writeFileSync(file, `import * as tb from ${JSON.stringify(DIST)};\n${script}`);
    const child = spawn(process.execPath, [file], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TRAINBOOK_HUB: pg.url, TRAINBOOK_DIR: '', JPY_PARENT_PID: '', JPY_SESSION_NAME: '' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await sleep(2500);
    for (let k = 0; k < scale(1, 4); k++) {
      pg.stop();
      await sleep(2000 + k * 500);
      pg.start();
      await sleep(2500);
    }
    expect(await exited, stderr).toBe(0);
    const id = /id (\S+)/.exec(stderr)![1]!;
    await expectSameAsLocal(path.join(dir, '.trainbook'), id);
    expect(pg.psql(`SELECT status FROM trainbook.runs WHERE id = '${id}'`).trim()).toBe('completed');
  });

  it('keeps every run intact when 10 machines push at once', async () => {
    const machines = Array.from({ length: 10 }, () => tempDir());
    const recorded: Array<{ dir: string; id: string }> = [];
    for (const [m, dir] of machines.entries()) {
      const script = `for (let r = 0; r < 3; r++) { const run = tb.init({ git: false, display: false, systemMetrics: false, name: 'm${m}-' + r, params: { machine: ${m} } });
        for (let i = 0; i < 20000; i++) run.log({ loss: Math.cos(i + ${m}) }, { step: i }); await run.finish(); console.log(run.id); }`;
      const result = runScript(dir, script, { TRAINBOOK_DIR: '' });
      expect(result.status, result.stderr).toBe(0);
      for (const id of result.stdout.trim().split('\n')) recorded.push({ dir, id });
    }
    const pushes = machines.map(
      (dir) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, [CLI, 'push', '--hub', pg.url], { cwd: dir, stdio: 'ignore', env: { ...process.env, TRAINBOOK_DIR: '' } });
          child.on('exit', resolve);
        }),
    );
    expect(await Promise.all(pushes)).toEqual(Array(10).fill(0));
    for (const { dir, id } of recorded) {
      expect(checkConsistent(id).points).toBe(20_000);
      await expectSameAsLocal(path.join(dir, '.trainbook'), id);
    }
  });

  it('stores hostile names in run names, params, tags and metric names as data, and gives them back exactly', async () => {
    const names = [`'; DROP TABLE trainbook.runs; --`, 'nul\u0000name', '\u202eevil\u202c', 'עברית', 'q"uo\'te\\', 'x'.repeat(1024), '<script>alert(1)</script>', '__proto__'];
    const dir = tempDir();
    const store = path.join(dir, '.trainbook');
    for (const name of names) {
      const run = init({ dir: store, git: false, display: false, systemMetrics: false, name, tags: [name], params: { [name.replace(/\./g, '_')]: name } });
      run.log({ [name]: 1.5, loss: NaN });
      await run.finish();
    }
    const push = runCli(['push', '--hub', pg.url], dir);
    expect(push.status, push.stderr).toBe(0);
    expect(pg.psql(`SELECT count(*) FROM trainbook.runs WHERE name = ANY(ARRAY['nul\u2400name', '__proto__'])`).trim()).toBe('2');
    const ls = runCli(['ls', '--hub', pg.url, '--limit', '0'], tempDir());
    expect(ls.status, ls.stderr).toBe(0);
    expect(ls.stdout).toContain('DROP TABLE');
    expect(ls.stdout).not.toContain('\u202e'); // shown escaped, as local lists do
    const elsewhere = tempDir();
    const pull = runCli(['pull', '--hub', pg.url, '--runs', 'tag ~ "DROP" or tag ~ "nul" or tag ~ "proto"'], elsewhere);
    expect(pull.status, pull.stderr).toBe(0);
    const pulled = openStore(path.join(elsewhere, '.trainbook')).list().runs.map((run) => run.record.name).sort();
    expect(pulled).toEqual([names[0], names[1], names[7]].sort());
    for (const run of openStore(store).list().runs) {
      const original = runCli(['export', run.record.id, '--format', 'json'], dir).stdout;
      expect(runCli(['show', run.record.id, '--hub', pg.url, '--json'], tempDir()).status).toBe(0);
      if (pulled.includes(run.record.name)) expect(runCli(['export', run.record.id, '--format', 'json'], elsewhere).stdout).toBe(original);
    }
    expect(pg.psql(`SELECT to_regclass('trainbook.runs') IS NOT NULL`).trim()).toBe('t');
  });
});
