import { describe, expect, it } from 'vitest';
import type { SweepStatus } from 'trainbook/hub';
import { renderSweepStatus, sweepStatusExitCode } from '../../../sdk/src/cli/sweepTable.js';

const at = (seconds: number): Date => new Date(Date.UTC(2026, 0, 1, 9, 0, seconds));

function status(): SweepStatus {
  return {
    sweep: { id: 's1', name: 'lr grid', notebook: 'exp/train.ipynb', kernel: 'tslab', retries: 0, host: 'laptop', username: 'ada', createdAt: at(0), cancelledAt: null },
    jobs: [
      { id: 's1-1', number: 1, params: { lr: 0.1 }, state: 'completed', attempts: 2, runIds: ['r2'], error: null, queuedAt: at(0), endedAt: at(40) },
      { id: 's1-2', number: 2, params: { lr: 0.01 }, state: 'running', attempts: 1, runIds: [], error: null, queuedAt: at(0), endedAt: null },
      { id: 's1-3', number: 3, params: { lr: 0.5 }, state: 'failed', attempts: 1, runIds: ['r4'], error: 'cell 3: RangeError: diverged', queuedAt: at(0), endedAt: at(20) },
      { id: 's1-4', number: 4, params: { lr: '\u001b[31mred' }, state: 'queued', attempts: 0, runIds: [], error: null, queuedAt: at(0), endedAt: null },
    ],
    attempts: [
      { jobId: 's1-1', attempt: 1, worker: 'a:1', state: 'crashed', startedAt: at(1), heartbeatAt: at(6), leaseUntil: at(9), endedAt: at(10), runIds: ['r1'], error: null },
      { jobId: 's1-1', attempt: 2, worker: 'b:2', state: 'completed', startedAt: at(10), heartbeatAt: at(30), leaseUntil: at(60), endedAt: at(40), runIds: ['r2'], error: null },
      { jobId: 's1-2', attempt: 1, worker: 'c:3', state: 'running', startedAt: at(41), heartbeatAt: at(49), leaseUntil: at(80), endedAt: null, runIds: ['r3'], error: null },
      { jobId: 's1-3', attempt: 1, worker: 'b:2', state: 'failed', startedAt: at(11), heartbeatAt: at(20), leaseUntil: at(50), endedAt: at(20), runIds: ['r4'], error: 'cell 3: RangeError: diverged' },
    ],
    runs: [
      { id: 'r1', status: 'running', summary: { loss: { last: 0.5 } } },
      { id: 'r2', status: 'completed', summary: { loss: { last: 0.125 } } },
      { id: 'r3', status: 'running', summary: { loss: { last: 'NaN' } } },
      { id: 'r4', status: 'failed', summary: {} },
    ],
    now: at(50),
  };
}

describe('renderSweepStatus', () => {
  it('shows each attempt: the crashed one and its run as crashed, the running one with its worker, the queued job alone', () => {
    const text = renderSweepStatus(status());
    const lines = text.split('\n');
    expect(lines[0]).toBe('Sweep s1 (lr grid): exp/train.ipynb, queued by ada@laptop at 2026-01-01 09:00 UTC');
    expect(text).toMatch(/1\s+lr=0\.1\s+completed\s+1\s+a:1\s+crashed\s+5\.0s\s+r1\s+crashed\s+loss=0\.5/);
    expect(text).toMatch(/\n\s+2\s+b:2\s+completed\s+30\.0s\s+r2\s+completed\s+loss=0\.125/);
    expect(text).toMatch(/2\s+lr=0\.01\s+running\s+1\s+c:3\s+running on c:3\s+9\.0s\s+r3\s+running\s+loss=NaN/);
    expect(text).toContain('job 3 (lr=0.5) failed: cell 3: RangeError: diverged');
    expect(text).not.toContain('\u001b');
    expect(lines.at(-1)).toBe('4 jobs: 1 completed, 1 running, 1 failed, 1 queued');
  });

  it('reads an attempt whose lease ran out, not yet given back, as crashed', () => {
    const s = status();
    s.now = at(90);
    expect(renderSweepStatus(s)).toMatch(/c:3\s+crashed \(lease ran out\)\s+8\.0s\s+r3\s+crashed/);
  });
});

describe('sweepStatusExitCode', () => {
  it('is 1 when a job failed or was cancelled, else 0', () => {
    expect(sweepStatusExitCode(status())).toBe(1);
    expect(sweepStatusExitCode({ jobs: status().jobs.filter((job) => job.state !== 'failed') })).toBe(0);
  });
});
