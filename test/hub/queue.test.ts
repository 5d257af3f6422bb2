import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cancelSweep,
  claimJob,
  compileQuery,
  enqueueSweep,
  finishAttempt,
  listenForJobs,
  listRuns,
  migrate,
  MIGRATIONS,
  openHub,
  planSweepJobs,
  pushRun,
  queueCounts,
  readSweepStatus,
  reapExpiredLeases,
  renewLease,
  findSweepId,
  HubSchemaError,
  type Hub,
  type SweepSpec,
} from 'trainbook/hub';
import { init } from '../../sdk/src/index.js';
import { localRunSource } from '../../sdk/src/sync/runSource.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';

let pg: TestPostgres;
let hub: Hub;
let database = 0;

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await hub?.close();
  await pg?.destroy();
});

/** A fresh database with the latest schema. */
async function freshHub(): Promise<Hub> {
  await hub?.close();
  const name = `q${++database}`;
  pg.psql(`CREATE DATABASE ${name}`);
  hub = openHub(pg.urlFor('postgres', name), { max: 12 });
  await migrate(hub);
  return hub;
}

function spec(id: string, points: number, extra: Partial<SweepSpec> = {}): SweepSpec {
  const params = Array.from({ length: points }, (_, i) => ({ lr: 0.1 / 10 ** i }));
  return { id, name: `sweep ${id}`, notebook: 'train.ipynb', content: '{"cells": []}', kernel: 'tslab', timeoutSeconds: null, retries: 0, host: 'laptop', username: 'ada', jobs: planSweepJobs(id, params), ...extra };
}

const claim = (h: Hub, worker: string, leaseSeconds = 30, sweepId: string | null = null) => claimJob(h, { worker, host: 'box', sweepId, leaseSeconds });

describe('enqueueSweep / claimJob', () => {
  it('gives each job to one worker only, even when many claim at once, oldest sweep first', async () => {
    const h = await freshHub();
    await enqueueSweep(h, spec('s1', 4));
    await enqueueSweep(h, spec('s2', 2));
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => claim(h, `w${i}`)));
    const taken = claims.filter((c) => c !== null);
    expect(taken).toHaveLength(6);
    expect(new Set(taken.map((c) => c!.jobId)).size).toBe(6);
    expect(await claim(h, 'late')).toBeNull();
    const first = taken.find((c) => c!.jobId === 's1-1')!;
    expect(first).toMatchObject({ attempt: 1, number: 1, params: { lr: 0.1 }, sweep: { id: 's1', notebook: 'train.ipynb', content: '{"cells": []}', kernel: 'tslab' } });
    expect(await queueCounts(h)).toEqual({ queued: 0, running: 6 });
    expect(await queueCounts(h, 's2')).toEqual({ queued: 0, running: 2 });
  });

  it('takes only the sweep asked for', async () => {
    const h = await freshHub();
    await enqueueSweep(h, spec('a', 1));
    await enqueueSweep(h, spec('b', 1));
    expect((await claim(h, 'w', 30, 'b'))!.jobId).toBe('b-1');
    expect(await claim(h, 'w', 30, 'b')).toBeNull();
  });

  it('refuses a hub of schema version 1 with a message that says to upgrade it', async () => {
    pg.psql('CREATE DATABASE old');
    const old = openHub(pg.urlFor('postgres', 'old'));
    try {
      await migrate(old, MIGRATIONS.slice(0, 1));
      await expect(enqueueSweep(old, spec('x', 1))).rejects.toThrow(HubSchemaError);
      await expect(enqueueSweep(old, spec('x', 1))).rejects.toThrow(/schema version 1, without the sweep queue.*hub init/);
      // Upgrading keeps version 1 clients working: compatible_version stays 1.
      await migrate(old);
      expect(pg.psql(`SELECT value FROM trainbook.meta WHERE key = 'compatible_version'`, 'old').trim()).toBe('1');
      await enqueueSweep(old, spec('x', 1));
    } finally {
      await old.close();
    }
  });
});

describe('leases', () => {
  it('a heartbeat keeps the job; a lease that runs out gives it back as a crashed attempt, and the next worker takes attempt 2', async () => {
    const h = await freshHub();
    await enqueueSweep(h, spec('s', 1));
    const mine = (await claim(h, 'dead', 1))!;
    expect(await renewLease(h, mine, 1, ['run-a'])).toBe('ok');
    expect(await reapExpiredLeases(h)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(await reapExpiredLeases(h)).toBe(1);
    expect(await renewLease(h, mine, 1)).toBe('lost');
    // The dead worker's late report changes nothing.
    expect(await finishAttempt(h, mine, { state: 'completed', runIds: ['run-a'] })).toBeNull();
    const next = (await claim(h, 'alive'))!;
    expect(next).toMatchObject({ jobId: 's-1', attempt: 2 });
    expect(await finishAttempt(h, next, { state: 'completed', runIds: ['run-b'] })).toBe('completed');
    const status = await readSweepStatus(h, 's');
    expect(status.jobs[0]).toMatchObject({ state: 'completed', attempts: 2, runIds: ['run-b'] });
    expect(status.attempts.map((a) => [a.attempt, a.worker, a.state, a.runIds])).toEqual([
      [1, 'dead', 'crashed', ['run-a']],
      [2, 'alive', 'completed', ['run-b']],
    ]);
  });

  it('fails a job whose workers were lost three times', async () => {
    const h = await freshHub();
    await enqueueSweep(h, spec('s', 1));
    for (let i = 1; i <= 3; i++) {
      expect((await claim(h, `w${i}`, 0.2))!.attempt).toBe(i);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await reapExpiredLeases(h)).toBe(1);
    }
    expect(await claim(h, 'w4')).toBeNull();
    const status = await readSweepStatus(h, 's');
    expect(status.jobs[0]!.state).toBe('failed');
    expect(status.jobs[0]!.error).toMatch(/lost 3 times/);
  });
});

describe('finishAttempt', () => {
  it('fails a job with its error, runs it again while --retries allows, and gives an interrupted job back', async () => {
    const h = await freshHub();
    await enqueueSweep(h, spec('once', 1));
    await enqueueSweep(h, spec('twice', 1, { retries: 1 }));
    const a = (await claim(h, 'w', 30, 'once'))!;
    expect(await finishAttempt(h, a, { state: 'failed', runIds: ['r1'], error: 'cell 3: RangeError: diverged' })).toBe('failed');
    expect((await readSweepStatus(h, 'once')).jobs[0]).toMatchObject({ state: 'failed', error: 'cell 3: RangeError: diverged' });

    const b = (await claim(h, 'w', 30, 'twice'))!;
    expect(await finishAttempt(h, b, { state: 'failed', runIds: [], error: 'boom' })).toBe('queued');
    const c = (await claim(h, 'w', 30, 'twice'))!;
    expect(c.attempt).toBe(2);
    expect(await finishAttempt(h, c, { state: 'interrupted', runIds: [] })).toBe('queued');
    const d = (await claim(h, 'w', 30, 'twice'))!;
    expect(await finishAttempt(h, d, { state: 'failed', runIds: [], error: 'boom again' })).toBe('failed');
  });
});

describe('cancelSweep', () => {
  it('drops the queued jobs and tells the running one at its heartbeat', async () => {
    const h = await freshHub();
    await enqueueSweep(h, spec('s', 3));
    const running = (await claim(h, 'w'))!;
    expect(await cancelSweep(h, 's')).toEqual({ queued: 2, running: 1 });
    expect(await claim(h, 'w')).toBeNull();
    expect(await renewLease(h, running, 30)).toBe('cancelled');
    expect(await finishAttempt(h, running, { state: 'interrupted', runIds: [] })).toBe('cancelled');
    const status = await readSweepStatus(h, 's');
    expect(status.jobs.map((j) => j.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(status.sweep.cancelledAt).not.toBeNull();
    expect(await queueCounts(h, 's')).toEqual({ queued: 0, running: 0 });
  });
});

describe('findSweepId', () => {
  it('finds a sweep by id, unique prefix or name', async () => {
    const h = await freshHub();
    await enqueueSweep(h, spec('20260101-aaa', 1));
    await enqueueSweep(h, spec('20260101-abb', 1, { name: 'lr grid' }));
    expect(await findSweepId(h, '20260101-aa')).toBe('20260101-aaa');
    expect(await findSweepId(h, 'lr grid')).toBe('20260101-abb');
    await expect(findSweepId(h, '20260101-a')).rejects.toThrow(/several sweeps/);
    await expect(findSweepId(h, 'nope')).rejects.toThrow(/No sweep "nope"/);
  });
});

describe('listenForJobs', () => {
  it('wakes an idle worker when jobs are queued: the job waits milliseconds, not a poll interval', async () => {
    const h = await freshHub();
    const waits: number[] = [];
    for (let round = 0; round < 5; round++) {
      let woke: () => void = () => undefined;
      const notified = new Promise<void>((resolve) => (woke = resolve));
      const listener = await listenForJobs(h, () => woke());
      const queuedAt = performance.now();
      await enqueueSweep(h, spec(`n${round}`, 1));
      await notified;
      const claimed = await claim(h, 'idle');
      waits.push(performance.now() - queuedAt);
      listener.close();
      expect(claimed!.jobId).toBe(`n${round}-1`);
    }
    const sorted = [...waits].sort((a, b) => a - b);
    console.log(`[queue] idle worker: queued → claimed in ${sorted.map((w) => w.toFixed(1)).join(', ')} ms (median ${sorted[2]!.toFixed(1)} ms)`);
    expect(sorted[2]).toBeLessThan(1000);
  });
});

describe('tags.<key> on the hub', () => {
  it("finds a sweep's runs by their key-value tags, as the local matcher does", async () => {
    const h = await freshHub();
    const dir = tempDir();
    const ids: string[] = [];
    for (const [sweep, job] of [['s1', 's1-1'], ['s1', 's1-2'], ['s2', 's2-1']] as const) {
      const run = init({ dir, git: false, display: false, systemMetrics: false, captureOutput: false, hub: false, tagValues: { sweep, job, attempt: 1 } });
      run.log({ loss: 1 });
      await run.finish();
      await pushRun(h, localRunSource(dir, run.dir, run.id));
      ids.push(run.id);
    }
    const { parseQuery } = await import('../../core/src/query/query.js');
    const found = async (query: string): Promise<string[]> => (await listRuns(h, { where: parseQuery(query) as never })).runs.map((r) => r.id).sort();
    expect(await found('tags.sweep = "s1"')).toEqual([ids[0], ids[1]].sort());
    expect(await found('tags.job = "s2-1" and tags.attempt = 1')).toEqual([ids[2]]);
    expect(await found('tags.attempt > 1')).toEqual([]);
    expect(await found('tags.missing')).toEqual([]);
    expect(compileQuery(parseQuery('tags.sweep = "x"') as never, new (await import('trainbook/hub')).SqlParams())).not.toContain('"x"');
  });
});
