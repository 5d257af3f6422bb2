/**
 * HubSource against a fake fetch that answers as trainbook_server does (shapes from
 * sdk/python/trainbook_server/handlers.py and `ls --hub --json` / `show --json --series`).
 */
import { describe, expect, it } from 'vitest';
import { HubSource, remoteRunOf, seriesFromHub } from '../../../extension/src/hub/hubSource.js';
import { HubError } from '../../../extension/src/tokens.js';

const ID = '20261120-100000000-remot';
const RECORD = { format: 1, id: ID, name: 'theirs', status: 'running', startedAt: '2026-11-20T10:00:00.000Z', endedAt: null, heartbeatAt: '2026-11-20T10:05:00.000Z', params: { lr: 0.1 }, summary: { loss: { last: 'NaN', min: 0.1, max: 1, count: 3 } }, tags: ['hub'] };
const REMOTE = { store: '.trainbook', notebook: 'train.ipynb', host: 'gpu-box', user: 'ada', points: 6, updatedAt: '2026-11-20T10:05:00.000Z' };

/** A fetch that answers each path with a status and body, and records the paths asked. */
function fakeFetch(answers: Record<string, [number, unknown]>) {
  const asked: string[] = [];
  const fetchHub = async (path: string): Promise<Response> => {
    asked.push(path);
    const key = Object.keys(answers).find((k) => path === k || path.startsWith(`${k}?`));
    const [status, body] = key ? answers[key]! : [404, { error: 'Not found', code: 'not-found' }];
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { asked, fetchHub };
}

describe('HubSource', () => {
  describe('#status()', () => {
    it('reads the status, and a server without the extension (404) as not configured', async () => {
      const configured = fakeFetch({ status: [200, { configured: true, hub: 'postgres://reader@db:5432/team', reachable: true, schemaVersion: 1, runs: 2 }] });
      await expect(new HubSource(configured.fetchHub).status()).resolves.toEqual({ configured: true, hub: 'postgres://reader@db:5432/team', reachable: true, schemaVersion: 1, runs: 2 });
      const none = fakeFetch({});
      await expect(new HubSource(none.fetchHub).status()).resolves.toMatchObject({ configured: false, hub: null });
    });
  });

  describe('#runs()', () => {
    it('sends the query, sort, direction and limit, and splits each run into record, shown status and origin', async () => {
      const { asked, fetchHub } = fakeFetch({ runs: [200, { hub: 'postgres://reader@db:5432/team', total: 5, runs: [{ ...RECORD, status: 'crashed', recordedStatus: 'running', remote: REMOTE }, { nonsense: true }] }] });
      const list = await new HubSource(fetchHub).runs({ query: 'lr < 0.5 and name = "a&b"', sort: 'started', descending: true, limit: 200 });
      const params = new URLSearchParams(asked[0]!.split('?')[1]);
      expect(Object.fromEntries(params)).toEqual({ query: 'lr < 0.5 and name = "a&b"', sort: 'started', desc: 'true', limit: '200' });
      expect(list.total).toBe(5);
      expect(list.runs).toHaveLength(1); // the malformed entry is left out
      expect(list.runs[0]!.status).toBe('crashed');
      expect(list.runs[0]!.record.status).toBe('running');
      expect(list.runs[0]!.record).not.toHaveProperty('remote');
      expect(list.runs[0]!.remote).toEqual(REMOTE);
    });

    it('turns {error, code} replies into HubErrors with the status', async () => {
      const { fetchHub } = fakeFetch({ runs: [503, { error: 'The team hub is not reachable.', code: 'hub-unreachable' }] });
      const error = await new HubSource(fetchHub).runs().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HubError);
      expect(error).toMatchObject({ code: 'hub-unreachable', status: 503, message: 'The team hub is not reachable.' });
      const down = new HubSource(async () => {
        throw new TypeError('Failed to fetch');
      });
      await expect(down.runs()).rejects.toMatchObject({ code: 'network', status: 0 });
    });
  });

  describe('#run()', () => {
    it('asks for the reduced series by reference and decodes NaN/±Infinity and missing epochs', async () => {
      const series = [{ name: 'loss', count: 300, step: [0, 2, 4, 6], time: [1, 2, 3, 4], epoch: [0, 0, null, 1], value: [0.5, 'NaN', 'Infinity', '-Infinity'] }];
      const { asked, fetchHub } = fakeFetch({ [`runs/${ID}`]: [200, { hub: 'postgres://reader@db:5432/team', run: { ...RECORD, status: 'running', points: { loss: 300 }, series } }] });
      const { record, series: read } = await new HubSource(fetchHub).run(ID, 500);
      expect(asked).toEqual([`runs/${ID}?points=500`]);
      expect(record.name).toBe('theirs');
      const loss = read.get('loss')!;
      expect([...loss.value]).toEqual([0.5, NaN, Infinity, -Infinity]);
      expect([...loss.epoch]).toEqual([0, 0, NaN, 1]);
      expect(loss.length).toBe(4);
    });
  });
});

describe('remoteRunOf()', () => {
  it('is null for an entry without a record or an origin', () => {
    expect(remoteRunOf({ ...RECORD })).toBeNull();
    expect(remoteRunOf({ remote: REMOTE })).toBeNull();
  });
});

describe('seriesFromHub()', () => {
  it('skips entries without a name or values', () => {
    expect([...seriesFromHub([{ value: [1] }, { name: 'acc', value: [1, 2] }]).keys()]).toEqual(['acc']);
  });
});
