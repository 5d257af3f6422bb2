import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidValueError, ResumeConflictError, RunLockedError } from '../../../core/src/errors.js';
import { parseEvents } from '../../../core/src/format/events.js';
import { coerceRunRecord, eventProblem } from '../../../core/src/format/shape.js';
import type { RunEvent, RunRecord } from '../../../core/src/format/types.js';
import { buildPayload } from '../../../sdk/src/live/liveOutput.js';
import { parseLivePayload } from '../../../core/src/live/payload.js';
import { ChronoBuffer } from '../../../sdk/src/run/chrono.js';
import { MetricBuffer } from '../../../sdk/src/run/metricBuffer.js';
import { checkSeed, chronoStats, continuationPoint, metricStats, resumedParams, resumedRecord, resumedSeed, resumeState } from '../../../sdk/src/run/resume.js';
import { rebuildRecord, resumesOf } from '../../../sdk/src/store/doctor.js';
import { acquireRunLock, releaseRunLock } from '../../../sdk/src/store/lock.js';
import { readEventsFile } from '../../../sdk/src/store/reader.js';
import { RunFiles } from '../../../sdk/src/store/runFiles.js';
import { tempDir } from '../../helpers/tmp.js';

const series = (name: string, step: number[], value: number[], epoch: number[] = []) => ({
  name,
  length: step.length,
  step: Float64Array.from(step),
  time: new Float64Array(step.length),
  value: Float64Array.from(value),
  epoch: Float64Array.from(step.map((_, i) => epoch[i] ?? NaN)),
});

function storedRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    format: 1,
    id: '20240101T000000000Z-abcdef',
    name: 'mlp',
    experiment: null,
    group: null,
    tags: ['a'],
    notes: 'first try',
    metadata: { owner: 'me' },
    params: { lr: 0.01, 'optimizer.name': 'adam' },
    notebook: null,
    cell: null,
    git: null,
    env: null,
    status: 'failed',
    startedAt: '2024-01-01T00:00:00.000Z',
    endedAt: '2024-01-01T00:10:00.000Z',
    heartbeatAt: '2024-01-01T00:10:00.000Z',
    summary: {},
    chronos: {},
    progress: null,
    error: { name: 'Error', message: 'out of memory', stack: null },
    lost: { points: 0, records: 0, firstError: null },
    writer: { pid: 1, host: 'old' },
    seed: 7,
    ...overrides,
  };
}

describe('resume', () => {
  describe('continuationPoint()', () => {
    it('goes on one step after the largest stored step and one epoch after the last completed one', () => {
      expect(continuationPoint([series('batch/loss', [0, 1, 2, 3, 4, 5], [1, 1, 1, 1, 1, 1]), series('loss', [2, 5], [1, 1], [0, 1])])).toEqual({ nextStep: 6, resumeEpoch: 2 });
    });
    it('takes the largest step, not the last one, when steps went back', () => {
      expect(continuationPoint([series('loss', [0, 9, 3], [1, 2, 3])])).toEqual({ nextStep: 10, resumeEpoch: 0 });
    });
    it('starts at 0 for a run with no points, and ignores system samples', () => {
      expect(continuationPoint([])).toEqual({ nextStep: 0, resumeEpoch: 0 });
      expect(continuationPoint([series('sys/cpu', [0, 1, 500], [1, 2, 3]), series('loss', [0, 1], [1, 2])]).nextStep).toBe(2);
    });
  });

  describe('metricStats() / MetricBuffer#seed()', () => {
    it('continues summaries as if every point had been logged in one process, NaN left out of min/max', () => {
      const values = [3, NaN, 1, 4, Infinity, 0.5];
      const whole = new MetricBuffer();
      values.forEach((v, i) => whole.add({ loss: v }, i, 0, undefined));
      const resumed = new MetricBuffer();
      resumed.seed('loss', metricStats(series('loss', [0, 1, 2], values.slice(0, 3))));
      values.slice(3).forEach((v, i) => resumed.add({ loss: v }, i + 3, 0, undefined));
      expect(resumed.summaries()).toEqual(whole.summaries());
      expect(resumed.summaries().loss).toEqual({ last: 0.5, min: 0.5, max: 'Infinity', count: 6, step: 5 });
    });
  });

  describe('chronoStats() / ChronoBuffer#seed()', () => {
    it('continues avg/min/max/sd/count exactly as the buffer computes them', () => {
      const seconds = [0.5, 0.25, 1, 0.75, 2];
      const whole = new ChronoBuffer();
      for (const s of seconds) whole.add('epoch', s, 0);
      const resumed = new ChronoBuffer();
      resumed.seed('epoch', chronoStats({ length: 3, value: Float64Array.from(seconds.slice(0, 3)) }));
      for (const s of seconds.slice(3)) resumed.add('epoch', s, 0);
      const a = resumed.summaries().epoch!;
      const b = whole.summaries().epoch!;
      expect(a.count).toBe(5);
      expect([a.min, a.max]).toEqual([b.min, b.max]);
      expect(a.avg).toBeCloseTo(b.avg, 12);
      expect(a.sd).toBeCloseTo(b.sd, 12);
      expect(resumed.drain()?.series.epoch?.value).toEqual([0.75, 2]);
    });
  });

  describe('resumedParams() / resumedSeed() / checkSeed()', () => {
    it('keeps stored params, adds new keys, and names a conflicting key', () => {
      expect(resumedParams({ lr: 0.01 }, { lr: 0.01, warmup: 5 })).toEqual({ lr: 0.01, warmup: 5 });
      const error = (() => {
        try {
          resumedParams({ lr: 0.01, 'optimizer.name': 'adam' }, { 'optimizer.name': 'sgd' });
        } catch (e) {
          return e as ResumeConflictError;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(ResumeConflictError);
      expect(error?.key).toBe('optimizer.name');
      expect(error?.message).toContain('param "optimizer.name" = "sgd": the run was recorded with "adam"');
    });
    it('gives back the stored seed and refuses another one', () => {
      expect(resumedSeed(7, null)).toBe(7);
      expect(resumedSeed(7, 7)).toBe(7);
      expect(resumedSeed(null, 3)).toBe(3);
      expect(() => resumedSeed(7, 8)).toThrow(ResumeConflictError);
      expect(() => checkSeed('42')).toThrow(InvalidValueError);
      expect(() => checkSeed(NaN)).toThrow(InvalidValueError);
      expect(checkSeed(undefined)).toBeNull();
    });
  });

  describe('resumedRecord()', () => {
    it('runs again under the same id and start, records where and from what, and drops the old error', () => {
      const stored = storedRecord({ resumes: [{ at: '2024-01-01T00:05:00.000Z', fromStep: 50, fromStatus: 'crashed' }] });
      const now = new Date('2024-01-02T00:00:00.000Z');
      const record = resumedRecord(stored, 'failed', 120, { params: { batch: 32 }, seed: null, tags: ['b', 'a'] }, now, { pid: 2, host: 'new' });
      expect(record).toMatchObject({
        id: stored.id,
        name: 'mlp',
        startedAt: stored.startedAt,
        status: 'running',
        endedAt: null,
        error: null,
        heartbeatAt: now.toISOString(),
        seed: 7,
        tags: ['a', 'b'],
        notes: 'first try',
        params: { lr: 0.01, 'optimizer.name': 'adam', batch: 32 },
        writer: { pid: 2, host: 'new' },
      });
      expect(record.resumes).toEqual([stored.resumes![0], { at: now.toISOString(), fromStep: 120, fromStatus: 'failed' }]);
      expect(stored.status).toBe('failed');
    });
  });

  describe('resumeState()', () => {
    it('takes summaries from the events, and from run.json for a metric whose points were lost', () => {
      const events: RunEvent[] = [
        { type: 'metrics', time: 1000, series: { loss: { stepStart: 0, time: [0, 1, 2], value: [3, 2, 1] } } },
        { type: 'chrono', time: 1000, series: { epoch: { time: [0], value: [0.5] } } },
      ];
      const record = storedRecord({ summary: { acc: { last: 0.9, min: 0.5, max: 0.9, count: 4, step: 7 } } });
      const state = resumeState(record, events, 5000);
      expect(state.nextStep).toBe(3);
      expect(state.event).toEqual({ type: 'resume', time: 5000, step: 3 });
      expect(state.metrics.get('loss')).toEqual({ last: 1, min: 1, max: 3, count: 3, lastStep: 2 });
      expect(state.metrics.get('acc')).toEqual({ last: 0.9, min: 0.5, max: 0.9, count: 4, lastStep: 7 });
      expect(state.chronos.get('epoch')).toMatchObject({ count: 1, mean: 0.5 });
    });
  });

  describe('format', () => {
    it('reads resume records and refuses ones without a whole-number step', () => {
      expect(eventProblem({ type: 'resume', time: 1, step: 10 })).toBeNull();
      expect(eventProblem({ type: 'resume', time: 1, step: -1 })).toMatch(/resume record/);
      expect(eventProblem({ type: 'resume', time: 1 })).toMatch(/resume record/);
    });
    it('coerces run.json: seed and resumes stay absent when absent, damaged resume entries are dropped', () => {
      const plain = coerceRunRecord({ id: 'x', status: 'running', startedAt: '2024-01-01T00:00:00.000Z' }) as RunRecord;
      expect(plain.seed).toBeUndefined();
      expect(plain.resumes).toBeUndefined();
      expect((coerceRunRecord({ id: 'x', status: 'running', startedAt: 'a', seed: null }) as RunRecord).seed).toBeNull();
      const damaged = coerceRunRecord({ id: 'x', status: 'running', startedAt: 'a', seed: 'x', resumes: [{ at: 'b', fromStep: 3, fromStatus: 'crashed' }, 'junk', { fromStep: 'x' }] }) as RunRecord;
      expect(damaged.seed).toBeUndefined();
      expect(damaged.resumes).toEqual([{ at: 'b', fromStep: 3, fromStatus: 'crashed' }]);
    });
    it('lets doctor rebuild the resumes of a lost run.json from the events', () => {
      const events: RunEvent[] = [
        { type: 'status', time: 1000, status: 'running' },
        { type: 'resume', time: 2000, step: 10 },
        { type: 'status', time: 2000, status: 'running' },
        { type: 'status', time: 3000, status: 'failed' },
        { type: 'resume', time: 4000, step: 20 },
        { type: 'status', time: 4000, status: 'running' },
      ];
      expect(resumesOf(events)).toEqual([
        { at: new Date(2000).toISOString(), fromStep: 10, fromStatus: 'crashed' },
        { at: new Date(4000).toISOString(), fromStep: 20, fromStatus: 'failed' },
      ]);
      expect(rebuildRecord('20240101T000000000Z-abcdef', events).resumes).toHaveLength(2);
    });
  });

  describe('RunFiles.open()', () => {
    it('starts a fresh line after a torn tail, so the next record is intact', () => {
      const runDir = path.join(tempDir(), 'runs', 'r1');
      fs.mkdirSync(runDir, { recursive: true });
      fs.writeFileSync(path.join(runDir, 'run.json'), '{}');
      fs.writeFileSync(path.join(runDir, 'events.jsonl'), '{"crc":"00000000","type":"sta');
      const files = RunFiles.open(runDir, 'r1', () => {});
      expect(files.appendEvents([{ type: 'resume', time: 1, step: 0 }])).toBe(true);
      files.close();
      const parsed = readEventsFile(path.join(runDir, 'events.jsonl'));
      expect(parsed.events).toEqual([{ type: 'resume', time: 1, step: 0 }]);
      expect(parsed.tornTail).toBeNull();
      expect(parsed.problems).toHaveLength(1);
      expect(fs.existsSync(path.join(runDir, 'writer.lock'))).toBe(false);
    });
    it('appends without an extra blank line after a complete one, and refuses a live writer', () => {
      const runDir = path.join(tempDir(), 'runs', 'r2');
      fs.mkdirSync(runDir, { recursive: true });
      fs.writeFileSync(path.join(runDir, 'run.json'), '{}');
      const first = RunFiles.open(runDir, 'r2', () => {});
      expect(() => RunFiles.open(runDir, 'r2', () => {})).toThrow(RunLockedError);
      first.appendEvents([{ type: 'status', time: 1, status: 'running' }]);
      first.close();
      const second = RunFiles.open(runDir, 'r2', () => {});
      second.appendEvents([{ type: 'resume', time: 2, step: 0 }]);
      second.close();
      const text = fs.readFileSync(path.join(runDir, 'events.jsonl'), 'utf8');
      expect(text.split('\n')).toHaveLength(3);
      expect(parseEvents(Buffer.from(text)).events.map((e) => e.type)).toEqual(['status', 'resume']);
    });
    it('refuses a folder that is not a run', () => {
      const dir = tempDir();
      expect(() => RunFiles.open(dir, 'x', () => {})).toThrow(/not a run folder/);
      // Nothing was taken: the folder's lock is free.
      releaseRunLock(acquireRunLock(dir, 'x'));
    });
  });

  describe('live payload', () => {
    it('carries the resume steps of the record and validates them when parsed', () => {
      const record = storedRecord({ status: 'running', resumes: [{ at: 'x', fromStep: 10, fromStatus: 'crashed' }] });
      const payload = buildPayload(record, [], 'train.trainbook', Date.parse('2024-01-01T00:20:00.000Z'));
      expect(payload.resumes).toEqual([10]);
      expect((parseLivePayload(JSON.parse(JSON.stringify(payload))) as typeof payload).resumes).toEqual([10]);
      const hostile = parseLivePayload({ run: { id: 'x' }, resumes: [5, '7', -1, 1.5, NaN, { step: 3 }, 12] });
      expect(typeof hostile !== 'string' && hostile.resumes).toEqual([5, 12]);
      const none = parseLivePayload({ run: { id: 'x' }, resumes: 'all' });
      expect(typeof none !== 'string' && 'resumes' in none).toBe(false);
      expect(buildPayload(storedRecord(), [], 's', 0).resumes).toBeUndefined();
    });
  });
});
