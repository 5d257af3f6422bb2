import { describe, expect, it } from 'vitest';
import { effectiveAttemptState, jobAfterAttempt, MAX_CRASHES, planSweepJobs, type JobHistory } from 'trainbook/hub';

const running = (extra: Partial<JobHistory> = {}): JobHistory => ({ state: 'running', retries: 0, failures: 0, crashes: 0, ...extra });

describe('planSweepJobs', () => {
  it('numbers the grid points from 1, in grid order, with ids from the sweep', () => {
    expect(planSweepJobs('s', [{ lr: 0.1 }, { lr: 0.01 }])).toEqual([
      { id: 's-1', number: 1, params: { lr: 0.1 } },
      { id: 's-2', number: 2, params: { lr: 0.01 } },
    ]);
  });
});

describe('jobAfterAttempt', () => {
  it('completes on a completed attempt, even in a sweep cancelled meanwhile', () => {
    expect(jobAfterAttempt(running(), 'completed').state).toBe('completed');
    expect(jobAfterAttempt(running({ state: 'cancelled' }), 'completed').state).toBe('completed');
  });
  it('fails on a failed attempt unless retries are left', () => {
    expect(jobAfterAttempt(running(), 'failed').state).toBe('failed');
    expect(jobAfterAttempt(running({ retries: 2, failures: 1 }), 'failed').state).toBe('queued');
    expect(jobAfterAttempt(running({ retries: 2, failures: 2 }), 'failed').state).toBe('failed');
  });
  it('queues a crashed attempt again, until its workers were lost MAX_CRASHES times', () => {
    expect(jobAfterAttempt(running({ crashes: MAX_CRASHES - 2 }), 'crashed')).toEqual({ state: 'queued', error: null });
    const last = jobAfterAttempt(running({ crashes: MAX_CRASHES - 1 }), 'crashed');
    expect(last.state).toBe('failed');
    expect(last.error).toMatch(/lost 3 times/);
  });
  it('gives an interrupted job back to the queue without counting it, and keeps a cancelled sweep cancelled', () => {
    expect(jobAfterAttempt(running({ crashes: MAX_CRASHES - 1, failures: 5 }), 'interrupted').state).toBe('queued');
    expect(jobAfterAttempt(running({ state: 'cancelled' }), 'interrupted').state).toBe('cancelled');
    expect(jobAfterAttempt(running({ state: 'cancelled' }), 'crashed').state).toBe('cancelled');
    expect(jobAfterAttempt(running(), 'cancelled').state).toBe('cancelled');
  });
});

describe('effectiveAttemptState', () => {
  it('reads a running attempt whose lease ran out as crashed', () => {
    const now = new Date('2026-01-01T00:00:10Z');
    expect(effectiveAttemptState({ state: 'running', leaseUntil: new Date('2026-01-01T00:00:11Z') }, now)).toBe('running');
    expect(effectiveAttemptState({ state: 'running', leaseUntil: new Date('2026-01-01T00:00:09Z') }, now)).toBe('crashed');
    expect(effectiveAttemptState({ state: 'completed', leaseUntil: new Date(0) }, now)).toBe('completed');
  });
});
