import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileQuery, listRuns, migrate, openHub, pushRun, SqlParams, type Hub } from 'trainbook/hub';
import { init, openStore } from '../../sdk/src/index.js';
import { matchesQuery, parseQuery } from '../../core/src/query/query.js';
import { rowFor, runField } from '../../core/src/runs/rows.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { sourceFor } from './fixtures.js';

const HOSTILE = [`'; DROP TABLE trainbook.runs; --`, `quote ' and "double" and \\ back`, 'nul\u0000inside', 'x'.repeat(1000), 'עברית RTL \u202e gnp.exe', '$1 $2 ?'];

let pg: TestPostgres;
let hub: Hub;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-hub-query-'));

beforeAll(async () => {
  pg = await startPostgres();
  hub = openHub(pg.url);
  await migrate(hub);
  const specs: Array<{ name: string; params: Record<string, unknown>; tags: string[]; metrics: Record<string, number> }> = [
    { name: 'adam-small', params: { lr: 0.01, optimizer: { name: 'adam' }, layers: 2 }, tags: ['baseline'], metrics: { loss: 0.2, acc: 0.9 } },
    { name: 'adam-big', params: { lr: 0.1, optimizer: { name: 'adam' }, layers: '3' }, tags: ['debug', 'big'], metrics: { loss: 0.5, acc: 0.7 } },
    { name: 'sgd', params: { lr: 0.1, optimizer: { name: 'sgd' }, warm: true }, tags: [], metrics: { loss: NaN, acc: 0.1 } },
    { name: 'inf', params: { lr: 1, optimizer: { name: 'sgd' }, note: null }, tags: ['x'], metrics: { loss: Infinity } },
    ...HOSTILE.map((text, i) => ({ name: text, params: { [text]: text, lr: i, long: 'y'.repeat(10_000) + i }, tags: [text], metrics: { [text]: i, loss: i / 10 } })),
  ];
  for (const spec of specs) {
    const run = init({ dir, git: false, display: false, systemMetrics: false, name: spec.name, params: spec.params, tags: spec.tags });
    run.log(spec.metrics, { step: 0 });
    await run.finish();
    await pushRun(hub, sourceFor(dir, run.id));
  }
});
afterAll(async () => {
  await hub?.close();
  await pg?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

const hubIds = async (query: string): Promise<string[]> => (await listRuns(hub, { where: parseQuery(query) })).runs.map((run) => run.id).sort();
const localIds = (query: string): string[] => {
  const node = parseQuery(query);
  return openStore(dir)
    .list()
    .runs.filter((run) => matchesQuery(node, (field) => runField(rowFor(run.record, Date.now(), null), field)))
    .map((run) => run.record.id)
    .sort();
};

describe('query', () => {
  describe('compileQuery()', () => {
    it('puts names and values in parameters, never in the SQL text', () => {
      for (const text of HOSTILE) {
        const params = new SqlParams();
        const value = text.replace(/\u0000/g, '').slice(0, 900);
        const sql = compileQuery(parseQuery(`${JSON.stringify(value)} = ${JSON.stringify(value)}`), params);
        expect(sql).not.toContain(value.slice(0, 12));
        expect(params.values).toContain(value);
      }
    });
  });

  describe('listRuns({ where })', () => {
    it.each([
      'loss < 0.3 and optimizer.name = "adam"',
      'lr >= 0.1',
      'loss = NaN',
      'loss > 0.3',
      'loss != 0.2',
      'loss = Infinity',
      'not loss < 0.3',
      'layers = 3',
      'layers > 2',
      'warm = true',
      'note = null',
      'name ~ "ADAM"',
      'status = "completed" or (lr >= 0.01 and not name ~ "big")',
      'metrics.acc.max >= 0.7',
      'acc',
      'params.lr = 1',
      'optimizer.name != "adam"',
      'duration >= 0',
      'id ~ "-"',
    ])('selects what the local matcher selects: %s', async (query) => {
      expect(await hubIds(query)).toEqual(localIds(query));
    });

    it('matches tags', async () => {
      const debug = await listRuns(hub, { where: parseQuery('tag = "debug"') });
      expect(debug.runs.map((run) => run.name)).toEqual(['adam-big']);
      expect((await listRuns(hub, { where: parseQuery('tag ~ "bas"') })).runs.map((run) => run.name)).toEqual(['adam-small']);
    });

    it('stores hostile names as data and finds them by name, param, tag and metric', async () => {
      expect(pg.psql(`SELECT count(*) FROM trainbook.runs`).trim()).toBe(String(4 + HOSTILE.length));
      for (const text of HOSTILE) {
        const is = (field: string) => ({ kind: 'compare' as const, field, op: '=' as const, value: text });
        const where = { kind: 'and' as const, left: is('name'), right: { kind: 'and' as const, left: is(text), right: is('tag') } };
        const found = await listRuns(hub, { where, withRecords: true });
        expect(found.runs, text.slice(0, 30)).toHaveLength(1);
        expect(JSON.parse(found.runs[0]!.record!).name).toBe(text);
        expect(found.runs[0]!.name).toBe(text.replace(/\u0000/g, '\u2400'));
      }
      const metric = await listRuns(hub, { where: { kind: 'compare', field: `metrics.${HOSTILE[0]}`, op: '=', value: 0 } });
      expect(metric.runs).toHaveLength(1);
      const long = await listRuns(hub, { where: { kind: 'compare', field: 'long', op: '=', value: `${'y'.repeat(10_000)}3` } });
      expect(long.runs.map((run) => run.name)).toEqual([HOSTILE[3]]);
    });

    it('sorts by a param and a metric, missing values last', async () => {
      const byLoss = await listRuns(hub, { sort: 'metric:loss', where: parseQuery('optimizer.name') });
      expect(byLoss.runs.map((run) => run.name)).toEqual(['adam-small', 'adam-big', 'inf', 'sgd']);
      const byLr = await listRuns(hub, { sort: 'param:lr', descending: true, limit: 2 });
      expect(byLr.runs.map((run) => run.name)).toEqual([HOSTILE[5]!, HOSTILE[4]!.replace(/\u0000/g, '\u2400')]);
      expect(byLr.total).toBe(4 + HOSTILE.length);
    });
  });
});
