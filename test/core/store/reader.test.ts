import { describe, expect, it } from 'vitest';
import { bareRunRecord, crc32String, frameEvent, listRuns, newListingCache, readManifest, readRun, runSync, type RunRecord } from 'trainbook/core';
import { memoryFiles } from '../../helpers/memoryFiles.js';

const A = '20261122-210850123-aaaaa';
const B = '20261122-210850124-bbbbb';
const C = '20261122-210850125-ccccc';
const record = (id: string, startedAt: string, fields: Partial<RunRecord> = {}): string =>
  JSON.stringify({ ...bareRunRecord({ id, name: id.slice(-5), status: 'completed', startedAt, endedAt: startedAt, heartbeatAt: startedAt }), ...fields });
const claim = (run: string, version: number) => JSON.stringify({ run, name: `archived_v${version}_2026-11-23`, archivedAt: '2026-11-23T00:00:00.000Z' });

describe('readManifest', () => {
  it('reads store.json, and null when it is missing or damaged', () => {
    expect(runSync(readManifest(), memoryFiles({ 'store.json': '{"format":1,"notebook":"nb.ipynb"}' }))).toEqual({ format: 1, notebook: 'nb.ipynb' });
    expect(runSync(readManifest(), memoryFiles({ 'store.json': '{"form' }))).toBeNull();
    expect(runSync(readManifest(), memoryFiles())).toBeNull();
  });
});

describe('listRuns', () => {
  it('sorts by start time, then id (not by id alone)', () => {
    const files = memoryFiles({
      [`runs/${A}/run.json`]: record(A, '2026-11-22T23:00:00.000Z'),
      [`runs/${B}/run.json`]: record(B, '2026-11-22T21:00:00.000Z'),
      [`runs/${C}/run.json`]: record(C, '2026-11-22T21:00:00.000Z'),
    });
    expect(runSync(listRuns(), files).runs.map((run) => run.record.id)).toEqual([B, C, A]);
  });

  it('reports a run folder that is a link, and never reads through it', () => {
    const files = memoryFiles({ [`runs/${A}`]: { link: '/home/me/.ssh' }, [`runs/${B}/run.json`]: { link: '/etc/passwd' }, [`runs/${C}/run.json`]: record(C, '2026-11-22T21:00:00.000Z') });
    const { runs, problems } = runSync(listRuns(), files);
    expect(runs.map((run) => run.record.id)).toEqual([C]);
    expect(problems).toEqual([
      { runId: A, path: `runs/${A}`, reason: 'the run folder is a symbolic link (to /home/me/.ssh); it was not followed' },
      { runId: B, path: `runs/${B}/run.json`, reason: 'run.json is a symbolic link (to /etc/passwd); it was not followed' },
    ]);
    expect(files.log.filter((op) => op.includes(A) || op.startsWith(`read runs/${B}`))).toEqual([]);
  });

  it('reports damaged, missing and mismatched records without quoting them, and skips folders being written aside', () => {
    const files = memoryFiles({
      [`runs/${A}/run.json`]: 'PRIVATE KEY',
      [`runs/${B}/events.jsonl`]: '',
      [`runs/${C}/run.json`]: record('20261122-210850126-ddddd', '2026-11-22T21:00:00.000Z'),
      [`runs/.tmp-1-${A}/run.json`]: record(A, '2026-11-22T21:00:00.000Z'),
      [`runs/tmp-1-${A}/events.jsonl`]: '',
    });
    expect(runSync(listRuns(), files).problems.map((p) => [p.runId, p.reason])).toEqual([
      [A, 'run.json is not valid JSON'],
      [B, 'run.json is missing'],
      [C, 'run.json says id "20261122-210850126-ddddd"'],
    ]);
  });

  it('takes the highest archive claim naming the run, and the run’s marker only when no claim names it', () => {
    const files = memoryFiles({
      [`runs/${A}/run.json`]: record(A, '2026-11-22T21:00:00.000Z'),
      [`runs/${A}/archive.json`]: JSON.stringify({ name: 'archived_v1_2026-11-23', archivedAt: '2026-11-23T00:00:00.000Z', version: 1 }),
      [`runs/${B}/run.json`]: record(B, '2026-11-22T21:00:01.000Z'),
      [`runs/${B}/archive.json`]: JSON.stringify({ name: 'archived_v3_2026-11-20', archivedAt: '2026-11-20T00:00:00.000Z', version: 3 }),
      'archives/v1': claim(A, 1),
      'archives/v2': claim(A, 2),
      'archives/v4': 'damaged',
    });
    const archives = runSync(listRuns(), files).runs.map((run) => run.archive?.name ?? null);
    expect(archives).toEqual(['archived_v2_2026-11-23', 'archived_v3_2026-11-20']);
  });

  it('reads an unchanged run once with a cache, and a running one each time', () => {
    const files = memoryFiles({ [`runs/${A}/run.json`]: record(A, '2026-11-22T21:00:00.000Z') });
    const list = files.list.bind(files);
    files.list = (path) => list(path)?.map((entry) => ({ ...entry, modified: '2026-11-22T21:00:00.000Z' })) ?? null;
    const cache = newListingCache();
    runSync(listRuns({ cache }), files);
    runSync(listRuns({ cache }), files);
    expect(files.log.filter((op) => op === `read runs/${A}/run.json`)).toHaveLength(1);
  });

  it('shows a running run whose heartbeat is stale, or whose writer is gone, as crashed', () => {
    const now = Date.parse('2026-11-22T21:00:10.000Z');
    const files = memoryFiles({ [`runs/${A}/run.json`]: record(A, '2026-11-22T21:00:00.000Z', { status: 'running', heartbeatAt: '2026-11-22T21:00:05.000Z' }) });
    expect(runSync(listRuns({ now }), files).runs[0]!.status).toBe('running');
    expect(runSync(listRuns({ now, writerAlive: () => false }), files).runs[0]!.status).toBe('crashed');
    expect(runSync(listRuns({ now: now + 3_600_000 }), files).runs[0]!.status).toBe('crashed');
  });
});

describe('readRun', () => {
  it('parses the events with their CRC, keeps the series as columns, reports damage and a torn tail', () => {
    const good = frameEvent({ type: 'metrics', time: 1, series: { loss: { time: [1, 2], value: [0.5, 0.4], stepStart: 0 } } } as never, crc32String);
    const bad = good.replace('0.5', '0.6');
    const files = memoryFiles({ [`runs/${A}/events.jsonl`]: `${good}${bad}${good.slice(0, 20)}` });
    const contents = runSync(readRun(A), files);
    expect([...contents.series.get('loss')!.value]).toEqual([0.5, 0.4]);
    expect(contents.problems).toHaveLength(1);
    expect(contents.problems[0]!.line).toBe(2);
    expect(contents.tornTail).not.toBeNull();
  });

  it('reads nothing through a linked events file and says so', () => {
    const contents = runSync(readRun(A), memoryFiles({ [`runs/${A}/events.jsonl`]: { link: '/etc/shadow' } }));
    expect(contents.events).toEqual([]);
    expect(contents.problems.map((p) => p.reason)).toEqual(['events.jsonl is a symbolic link; it was not followed']);
  });
});
