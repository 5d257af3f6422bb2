import { describe, expect, it } from 'vitest';
import { applyEvent, eventLine, newProgress, paramsLabel, parseDriverEvent, renderProgress } from '../../../sdk/src/headless/progress.js';
import { lastMetrics, renderSummary } from '../../../sdk/src/headless/summary.js';
import type { RunRecord } from '../../../core/src/format/types.js';

describe('job progress', () => {
  it('follows the driver events', () => {
    let p = newProgress(1, { lr: 0.1 }, 3);
    p = applyEvent(p, { type: 'start', cells: 3 }, 1000);
    p = applyEvent(p, { type: 'cell', index: 0, ordinal: 1, state: 'running' }, 1100);
    expect(renderProgress([p], 2000)).toBe('[1/1] lr=0.1  running     cells 0/3 (running 1)  1.0s');
    p = applyEvent(p, { type: 'cell', index: 0, ordinal: 1, state: 'done' }, 1200);
    p = applyEvent(p, { type: 'error', index: 2, ename: 'TypeError', evalue: 'boom' }, 1300);
    p = applyEvent(p, { type: 'end', status: 'failed', output: '/w/o.ipynb' }, 3500);
    expect(p).toMatchObject({ state: 'failed', cellsDone: 1, failure: { cell: 2, ename: 'TypeError', evalue: 'boom' }, endedAt: 3500 });
    expect(eventLine(p, { type: 'end', status: 'failed', output: '' }, 2, 3500)).toBe('[1/2] lr=0.1: failed  2.5s');
  });

  it('reads driver lines, ignoring what is not an event', () => {
    expect(parseDriverEvent('{"type":"start","cells":2}')).toEqual({ type: 'start', cells: 2 });
    expect(parseDriverEvent('Traceback (most recent call last):')).toBeNull();
    expect(parseDriverEvent('[1]')).toBeNull();
  });

  it('labels params as the notebook reads them, control characters escaped', () => {
    expect(paramsLabel({ lr: 0.1, name: 'adam', layers: [1, 2] })).toBe('lr=0.1 name=adam layers=[1, 2]');
    expect(paramsLabel({ s: 'a\u001b[31mred' })).toBe('s=a\\u001b[31mred');
    expect(paramsLabel({})).toBe('(defaults)');
  });
});

describe('renderSummary()', () => {
  const record = (id: string, summary: RunRecord['summary']) => ({ id, summary }) as unknown as RunRecord;

  it('shows each job with its runs and last metrics, then the errors', () => {
    const ok = { ...newProgress(1, { lr: 0.1 }, 2), state: 'completed' as const, startedAt: 0, endedAt: 4200 };
    const failed = { ...newProgress(2, { lr: 0.01 }, 2), state: 'failed' as const, startedAt: 0, endedAt: 1000, failure: { cell: 3, ename: 'TypeError', evalue: 'boom' } };
    const text = renderSummary(
      [
        { progress: ok, output: '/w/t.run-1.ipynb', runs: [{ record: record('20260112-093006123-ab3de', { loss: { last: 0.12, min: 0.1, max: 1, count: 3, step: 2 }, 'batch/loss': { last: 0.2, min: 0, max: 1, count: 9, step: 8 } }), status: 'completed' }] },
        { progress: failed, output: '/w/t.run-2.ipynb', runs: [] },
      ],
      '/w',
    );
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^JOB\s+PARAMS\s+STATUS\s+DURATION\s+NOTEBOOK\s+RUN\s+RUN STATUS\s+LAST METRICS$/);
    expect(lines[1]).toMatch(/^1\s+lr=0\.1\s+completed\s+4\.2s\s+t\.run-1\.ipynb\s+20260112-093006123-ab3de\s+completed\s+loss=0\.12 batch\/loss=0\.2$/);
    expect(lines[2]).toMatch(/^2\s+lr=0\.01\s+failed\s+1\.0s\s+t\.run-2\.ipynb\s+—$/);
    expect(text).toContain('job 2 (lr=0.01) failed in cell 4: TypeError: boom');
    expect(lines.at(-1)).toBe('2 jobs: 1 completed, 1 failed');
  });

  it('keeps NaN metrics as NaN', () => {
    expect(lastMetrics(record('x', { loss: { last: 'NaN', min: 'NaN', max: 'NaN', count: 1, step: 0 } }))).toBe('loss=NaN');
  });
});
