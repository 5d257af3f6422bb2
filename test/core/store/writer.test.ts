import { describe, expect, it } from 'vitest';
import { bareRunRecord, ensureManifest, listRuns, readRun, runSync, StoreError, writeExecution, writeFinishedRun, type ExecutionRecord, type RunEvent } from 'trainbook/core';
import { memoryFiles } from '../../helpers/memoryFiles.js';

const ID = '20261122-210850123-aaaaa';
const record = bareRunRecord({ id: ID, name: 'imported', status: 'completed', startedAt: '2026-11-22T21:00:00.000Z', endedAt: '2026-11-22T21:01:00.000Z', heartbeatAt: '2026-11-22T21:01:00.000Z' });
const events: RunEvent[] = [
  { type: 'status', time: 1, status: 'running' },
  { type: 'status', time: 2, status: 'completed' },
];

describe('writeFinishedRun', () => {
  it('writes the whole run aside, then renames it into place, and readers get it back', () => {
    const files = memoryFiles();
    expect(runSync(writeFinishedRun(record, events, { notebook: 'nb.ipynb', token: '42' }), files)).toBe(`runs/${ID}`);
    expect(files.log.filter((op) => !op.startsWith('read') && !op.startsWith('list'))).toEqual([
      'write store.json',
      `write runs/tmp-42-${ID}/events.jsonl`,
      `write runs/tmp-42-${ID}/run.json`,
      `rename runs/tmp-42-${ID}`,
    ]);
    expect(JSON.parse(files.readText('store.json')!)).toEqual({ format: 1, notebook: 'nb.ipynb' });
    expect(runSync(listRuns(), files).runs.map((run) => run.record)).toEqual([record]);
    expect(runSync(readRun(ID), files).events).toEqual(events);
  });

  it('leaves nothing behind when a write fails, and never replaces a run that is there', () => {
    const files = memoryFiles({ 'store.json': '{"format":1,"notebook":null}' });
    files.failNext('write', 'runs/tmp-');
    expect(() => runSync(writeFinishedRun(record, events, { notebook: null }), files)).toThrow(/failed/);
    expect([...files.entries.keys()].filter((path) => path.startsWith('runs/'))).toEqual([]);
    runSync(writeFinishedRun(record, events, { notebook: null }), files);
    expect(() => runSync(writeFinishedRun({ ...record, name: 'again' }, events, { notebook: null }), files)).toThrow(/exists/);
    expect(runSync(listRuns(), files).runs.map((run) => run.record.name)).toEqual(['imported']);
    expect([...files.entries.keys()].filter((path) => path.includes('tmp-'))).toEqual([]);
  });

  it('refuses an id that is not a run id, and a store of another format', () => {
    expect(() => runSync(writeFinishedRun({ ...record, id: '../x' }, events, { notebook: null }), memoryFiles())).toThrow(StoreError);
    expect(() => runSync(writeFinishedRun(record, events, { notebook: null }), memoryFiles({ 'store.json': '{"format":2}' }))).toThrow(/store format 2/);
  });
});

describe('ensureManifest', () => {
  it('keeps an existing manifest', () => {
    const files = memoryFiles({ 'store.json': '{"format":1,"notebook":"a.ipynb"}' });
    expect(runSync(ensureManifest('b.ipynb'), files)).toEqual({ format: 1, notebook: 'a.ipynb' });
    expect(files.log).not.toContain('write store.json');
  });
});

describe('writeExecution', () => {
  it('writes executions/<id>.json once', () => {
    const files = memoryFiles();
    const execution = { format: 1, id: ID, runs: [] } as unknown as ExecutionRecord;
    expect(runSync(writeExecution(execution, null), files)).toBe(`executions/${ID}.json`);
    expect(() => runSync(writeExecution(execution, null), files)).toThrow(/exists/);
  });
});
