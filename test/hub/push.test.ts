import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchSeries, migrate, openHub, pushRun, readPosition, HubConflictError, type Hub } from 'trainbook/hub';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';
import { localPoints, recordRun } from './fixtures.js';

let pg: TestPostgres;
let hub: Hub;

beforeAll(async () => {
  pg = await startPostgres();
  hub = openHub(pg.url);
  await migrate(hub);
});
afterAll(async () => {
  await hub?.close();
  await pg?.destroy();
});

const count = (sql: string): number => Number(pg.psql(sql).trim());

describe('push', () => {
  describe('pushRun()', () => {
    it('sends every event line and point of a finished run, NaN and ±Infinity as float8', async () => {
      const { dir, id, source } = await recordRun(tempDir());
      const result = await pushRun(hub, source);
      const file = fs.readFileSync(path.join(dir, 'runs', id, 'events.jsonl'), 'utf8');
      expect(result.events).toBe(file.split('\n').filter(Boolean).length);
      expect(result.points).toBe(600);
      expect(count(`SELECT count(*) FROM trainbook.events WHERE run_id = '${id}'`)).toBe(result.events);
      expect(count(`SELECT count(*) FROM trainbook.points WHERE run_id = '${id}'`)).toBe(600);
      expect(pg.psql(`SELECT value FROM trainbook.points WHERE run_id = '${id}' AND metric = 'loss' AND step IN (10, 12, 14) ORDER BY step`).trim().split('\n')).toEqual(['NaN', 'Infinity', '-Infinity']);
      const [loss] = await fetchSeries(hub, [id], ['loss']);
      expect([...loss!.value.subarray(0, loss!.length)]).toEqual(localPoints(dir, id).get('loss'));
      expect(loss!.epoch[150]).toBe(1);
    });

    it('adds nothing when pushed again', async () => {
      const { id, source } = await recordRun(tempDir());
      await pushRun(hub, source);
      const before = pg.psql(`SELECT event_count, point_count, updated_at FROM trainbook.runs WHERE id = '${id}'`);
      const again = await pushRun(hub, source);
      expect(again).toMatchObject({ events: 0, points: 0, recordUpdated: false });
      expect(pg.psql(`SELECT event_count, point_count, updated_at FROM trainbook.runs WHERE id = '${id}'`)).toBe(before);
    });

    it('leaves nothing of a batch whose transaction did not commit, and the next push sends it whole', async () => {
      const { id, source } = await recordRun(tempDir(), { points: 1000 });
      await expect(pushRun(hub, source, { batchBytes: 1, beforeCommit: () => { throw new Error('killed'); } })).rejects.toThrow(/killed/);
      expect(count(`SELECT count(*) FROM trainbook.runs WHERE id = '${id}'`)).toBe(0);
      let batches = 0;
      await expect(
        pushRun(hub, source, { batchBytes: 1, beforeCommit: () => { if (++batches === 4) throw new Error('killed'); } }),
      ).rejects.toThrow(/killed/);
      const partial = await hub.withClient((client) => readPosition(client, id));
      expect(partial?.eventCount).toBe(3);
      expect(count(`SELECT count(*) FROM trainbook.events WHERE run_id = '${id}'`)).toBe(3);
      const rest = await pushRun(hub, source);
      expect(rest.events).toBeGreaterThan(0);
      expect(count(`SELECT count(*) FROM trainbook.points WHERE run_id = '${id}'`)).toBe(2000);
      expect(count(`SELECT count(*) FROM (SELECT metric, seq, ord FROM trainbook.points WHERE run_id = '${id}' GROUP BY 1, 2, 3 HAVING count(*) > 1) d`)).toBe(0);
    });

    it('sends only what a growing run added since the last push', async () => {
      const dir = tempDir();
      const { id, source } = await recordRun(dir);
      await pushRun(hub, source);
      const file = path.join(dir, 'runs', id, 'events.jsonl');
      const extra = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, 2).join('\n') + '\n';
      fs.appendFileSync(file, extra);
      fs.appendFileSync(file, '{"crc":"0000'); // a torn last line is not read until it is whole
      const more = await pushRun(hub, source);
      expect(more.events).toBe(2);
      expect(count(`SELECT event_bytes FROM trainbook.runs WHERE id = '${id}'`)).toBe(fs.statSync(file).size - '{"crc":"0000'.length);
    });

    it('refuses a local history that differs from the hub\'s, and pushes nothing', async () => {
      const dir = tempDir();
      const { id, source } = await recordRun(dir);
      await pushRun(hub, source);
      const file = path.join(dir, 'runs', id, 'events.jsonl');
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      fs.writeFileSync(file, [...lines.slice(1), lines[0]].join('\n') + '\n');
      await expect(pushRun(hub, source)).rejects.toBeInstanceOf(HubConflictError);
    });

    it('finds its place again when the local file was rewritten with the same lines (doctor --repair)', async () => {
      const dir = tempDir();
      const { id, source } = await recordRun(dir);
      await pushRun(hub, source);
      const file = path.join(dir, 'runs', id, 'events.jsonl');
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, `garbage that is not a record\n${text}`);
      expect((await pushRun(hub, source)).events).toBe(0);
      expect(count(`SELECT event_bytes FROM trainbook.runs WHERE id = '${id}'`)).toBe(fs.statSync(file).size);
    });

    it('lets two pushers of one run race without a duplicate', async () => {
      const { id, source } = await recordRun(tempDir(), { points: 2000 });
      const other = openHub(pg.url);
      try {
        await Promise.all([pushRun(hub, source, { batchBytes: 2000 }), pushRun(other, source, { batchBytes: 2000 })]);
      } finally {
        await other.close();
      }
      expect(count(`SELECT count(*) FROM trainbook.points WHERE run_id = '${id}'`)).toBe(4000);
    });
  });
});
