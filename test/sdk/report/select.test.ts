import { describe, expect, it } from 'vitest';
import { matchesQuery, parseQuery, runField, bareRunRecord, type RunRecord } from 'trainbook/core';
import { parseRunQuery, selectRuns, type Selectable } from '../../../sdk/src/report/select.js';

const run = (id: string, fields: Partial<RunRecord>, archive: string | null = null): Selectable => ({
  record: { ...bareRunRecord({ id, name: id.slice(-5), status: 'completed', startedAt: '2026-11-22T21:00:00.000Z', endedAt: '2026-11-22T21:01:00.000Z', heartbeatAt: '2026-11-22T21:01:00.000Z' }), ...fields },
  status: fields.status ?? 'completed',
  archive: archive === null ? null : { name: archive },
});
const runs = [
  run('20261122-210000000-aaaaa', { params: { lr: 0.1, 'optimizer.name': 'adam' }, tags: ['mnist'], tagValues: { workers: 8 }, summary: { loss: { last: 0.3, min: 0.3, max: 0.9, count: 3, step: 2 } } }),
  run('20261122-210000001-bbbbb', { params: { lr: 0.001 }, tagValues: { workers: 2 }, status: 'failed' }, 'archived_v1_2026-11-23'),
  run('20261122-210000002-ccccc', { params: {} }),
];
const ids = (chosen: Selectable[]) => chosen.map((r) => r.record.name);

describe('selectRuns', () => {
  it('keeps the --runs syntax: status, params, tags.<key>, tag and metrics filters', () => {
    expect(ids(selectRuns(runs, parseRunQuery('status=completed')))).toEqual(['aaaaa', 'ccccc']);
    expect(ids(selectRuns(runs, parseRunQuery('lr>0.01')))).toEqual(['aaaaa']);
    expect(ids(selectRuns(runs, parseRunQuery('tags.workers=8')))).toEqual(['aaaaa']);
    expect(ids(selectRuns(runs, parseRunQuery('tag=mnist, metrics.loss<0.5')))).toEqual(['aaaaa']);
    expect(ids(selectRuns(runs, parseRunQuery('optimizer.name=adam')))).toEqual(['aaaaa']);
  });

  it('names runs by id, prefix, name or archive name, as every command does', () => {
    expect(ids(selectRuns(runs, parseRunQuery('archived_v1_2026-11-23')))).toEqual(['bbbbb']);
    expect(ids(selectRuns(runs, parseRunQuery('ccccc, 20261122-210000000')))).toEqual(['aaaaa', 'ccccc']);
    expect(() => selectRuns(runs, parseRunQuery('nope'))).toThrow(/No run "nope"/);
  });

  it('evaluates a filter as the query language does (a run without the field does not match, not even !=)', () => {
    const viaQuery = runs.filter((r) => matchesQuery(parseQuery('lr != 0.1'), (field) => runField({ record: r.record, status: r.status, durationMs: null }, field)));
    expect(ids(selectRuns(runs, parseRunQuery('lr!=0.1')))).toEqual(ids(viaQuery));
    expect(ids(selectRuns(runs, parseRunQuery('lr!=0.1')))).toEqual(['bbbbb']);
  });
});
