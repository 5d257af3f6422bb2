import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { init } from '../../../sdk/src/index.js';
import { FLUSH_POINTS, Recorder } from '../../../sdk/src/run/recorder.js';
import type { RunFiles } from '../../../sdk/src/store/runFiles.js';
import type { RunEvent, RunRecord } from '../../../core/src/format/types.js';
import { tempDir } from '../../helpers/tmp.js';

/** Files that keep what is written in memory, and can be told to fail. */
function memoryFiles() {
  const events: RunEvent[] = [];
  const records: RunRecord[] = [];
  const state = { failing: false, closed: false };
  const files = {
    runDir: '/store/runs/r',
    appendEvents: (batch: readonly RunEvent[]) => {
      if (state.failing) return false;
      events.push(...batch);
      return true;
    },
    writeRecord: (record: RunRecord) => {
      records.push(structuredClone(record));
      return true;
    },
    close: () => {
      state.closed = true;
    },
  } as unknown as RunFiles;
  return { files, events, records, state };
}

/** A fresh run's record, as init() makes it. */
function newRecord(): RunRecord {
  const run = init({ dir: tempDir(), git: false, display: false, systemMetrics: false, captureOutput: false });
  const record = run.toRecord();
  run.finishNow();
  return { ...record, status: 'running', endedAt: null };
}

describe('Recorder', () => {
  it('tells point listeners at once and writes only at a flush', () => {
    const { files, events } = memoryFiles();
    const recorder = new Recorder(newRecord(), files);
    const heard: unknown[] = [];
    recorder.onPoints((values, x, xAxis, user) => heard.push([{ ...values }, x, xAxis, user]));
    recorder.addPoints({ loss: 1 }, 0, Date.now(), undefined);
    expect(heard).toEqual([[{ loss: 1 }, 0, 'step', true]]);
    expect(events.map((e) => e.type)).toEqual(['status']);
    recorder.flush();
    expect(events.map((e) => e.type)).toEqual(['status', 'metrics']);
    recorder.finish('completed', null);
  });

  it('writes at once past FLUSH_POINTS pending points', () => {
    const { files, events } = memoryFiles();
    const recorder = new Recorder(newRecord(), files);
    for (let step = 0; step < FLUSH_POINTS; step++) recorder.addPoints({ loss: step }, step, Date.now(), undefined);
    expect(events.filter((e) => e.type === 'metrics')).toHaveLength(1);
    recorder.finish('completed', null);
  });

  it('tells flush listeners whether the user had data in it; system samples go over elapsed seconds', () => {
    const { files } = memoryFiles();
    const record = newRecord();
    const recorder = new Recorder(record, files);
    const flushes: boolean[] = [];
    const axes: string[] = [];
    recorder.onFlush((userData) => flushes.push(userData));
    recorder.onPoints((_values, _x, xAxis, user) => axes.push(`${xAxis}:${user}`));
    recorder.addSystemPoints({ 'sys/cpu_percent': 5 }, 0, Date.parse(record.startedAt) + 2000);
    recorder.flush();
    recorder.addPoints({ loss: 1 }, 0, Date.now(), undefined);
    recorder.flush();
    expect(flushes).toEqual([false, true]);
    expect(axes).toEqual(['elapsed:false', 'step:true']);
    // finish() counts the user's points, not the system samples.
    expect(recorder.finish('completed', null).points).toBe(1);
  });

  it("counts the user's points of a failed write as lost, says so once, and ends with the status and run.json", () => {
    const { files, events, records, state } = memoryFiles();
    const recorder = new Recorder(newRecord(), files);
    state.failing = true;
    recorder.addPoints({ loss: 1, acc: 0.5 }, 0, Date.now(), undefined);
    recorder.addSystemPoints({ 'sys/cpu_percent': 5 }, 0, Date.now());
    recorder.flush();
    state.failing = false;
    const totals = recorder.finish('failed', { name: 'Error', message: 'boom', stack: null });
    expect(totals).toEqual({ points: 2, lost: { points: 2, records: 0, firstError: null } });
    expect(events.at(-1)).toMatchObject({ type: 'status', status: 'failed', error: { message: 'boom' } });
    expect(records.at(-1)).toMatchObject({ status: 'failed', summary: { loss: { last: 1 } } });
    expect(state.closed).toBe(true);
    expect(recorder.isFinished).toBe(true);
  });

  it('keeps recording when a listener throws', () => {
    const { files } = memoryFiles();
    const recorder = new Recorder(newRecord(), files);
    recorder.onPoints(() => {
      throw new Error('a broken display');
    });
    expect(() => recorder.addPoints({ loss: 1 }, 0, Date.now(), undefined)).not.toThrow();
    recorder.finish('completed', null);
  });
});

describe('Run over its recorder', () => {
  it('keeps the public API: a finished run written to disk with its points', async () => {
    const dir = tempDir();
    const run = init({ dir, git: false, display: false, systemMetrics: false, captureOutput: false });
    run.log({ loss: 1 });
    run.log({ loss: 0.5 });
    const result = await run.finish();
    expect(result).toMatchObject({ status: 'completed', points: 2, lost: { points: 0, records: 0 } });
    const record = JSON.parse(fs.readFileSync(path.join(run.dir, 'run.json'), 'utf8')) as RunRecord;
    expect(record.summary.loss).toMatchObject({ last: 0.5, count: 2, step: 1 });
  });
});
