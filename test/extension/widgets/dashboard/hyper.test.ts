import { describe, expect, it } from 'vitest';
import type { RunRecord } from 'trainbook/core';
import { keepChoice, scatterChoices } from '../../../../extension/src/widgets/dashboard/hyper.js';

const record = (params: Record<string, unknown>, metrics: string[]) => ({ params, summary: Object.fromEntries(metrics.map((m) => [m, { last: 1 }])) }) as unknown as RunRecord;

describe('scatterChoices()', () => {
  it("offers every param and training metric of any run, by name (system metrics are the machine's, not the model's)", () => {
    const choices = scatterChoices([record({ lr: 0.1, opt: 'adam' }, ['loss', 'sys/cpu_percent']), record({ batch: 32 }, ['acc', 'loss'])]);
    expect(choices).toEqual({ params: ['batch', 'lr', 'opt'], metrics: ['acc', 'loss'] });
  });
});

describe('keepChoice()', () => {
  it('keeps the choice while it is offered, else takes the first', () => {
    expect(keepChoice('lr', ['batch', 'lr'])).toBe('lr');
    expect(keepChoice('gone', ['batch', 'lr'])).toBe('batch');
    expect(keepChoice(null, ['batch'])).toBe('batch');
    expect(keepChoice('lr', [])).toBeNull();
  });
});
