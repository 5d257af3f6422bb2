/** The runs panel's rows: the notebook's runs and the team's, merged. */
import { describe, expect, it } from 'vitest';
import { remoteRunOf } from '../../../extension/src/hub/hubSource.js';
import { localRows, mergeRows, pointsSignature, remoteRow } from '../../../extension/src/runs/panelRows.js';

const ID = '20261120-100000000-remot';
const RECORD = { format: 1, id: ID, name: 'theirs', status: 'running', startedAt: '2026-11-20T10:00:00.000Z', endedAt: null, heartbeatAt: '2026-11-20T10:05:00.000Z', params: { lr: 0.1 }, summary: { loss: { last: 0.1, min: 0.1, max: 1, count: 3, step: 2 } }, tags: ['hub'] };
const REMOTE = { store: '.trainbook', notebook: 'train.ipynb', host: 'gpu-box', user: 'ada', points: 6, updatedAt: '2026-11-20T10:05:00.000Z' };
const remote = (changes: Record<string, unknown> = {}, origin: Partial<typeof REMOTE> = {}) => remoteRunOf({ ...RECORD, ...changes, remote: { ...REMOTE, ...origin } })!;

describe('mergeRows()', () => {
  it("puts the notebook's runs first and a team run with a local id only once, as the local one", () => {
    const local = localRows({ records: [{ ...remote().record, status: 'completed' }], archiveOf: () => null }, Date.now(), { running: false, restart: null }, 'train.ipynb');
    const same = remote();
    const other = remote({ id: '20261120-100000001-other' }, { host: 'laptop' });
    const rows = mergeRows(local, [same, other], Date.now());
    expect(rows.map((row) => [row.record.id, row.remote?.host ?? null])).toEqual([
      [ID, null],
      ['20261120-100000001-other', 'laptop'],
    ]);
  });
});

describe('remoteRow()', () => {
  it("shows the hub's status (it judges heartbeats by its own clock), not the recorded one", () => {
    const row = remoteRow(remote({ status: 'crashed', recordedStatus: 'running' }), Date.parse('2026-11-20T10:05:01.000Z'));
    expect(row.status).toBe('crashed');
    expect(row.record.status).toBe('running');
    expect(row.remote!.host).toBe('gpu-box');
  });
});

describe('pointsSignature()', () => {
  it('moves when the hub holds more points of a run, or it was updated', () => {
    const now = Date.now();
    const before = pointsSignature([remoteRow(remote(), now)]);
    expect(pointsSignature([remoteRow(remote(), now)])).toBe(before);
    expect(pointsSignature([remoteRow(remote({}, { points: 7 }), now)])).not.toBe(before);
    expect(pointsSignature([remoteRow(remote({}, { updatedAt: '2026-11-20T10:06:00.000Z' }), now)])).not.toBe(before);
  });
});
