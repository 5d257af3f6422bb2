import { describe, expect, it } from 'vitest';
import { paramDiff } from 'trainbook/core';

describe('paramDiff', () => {
  it('puts differing params first, and a param missing from a run differs', () => {
    const rows = paramDiff([
      { params: { lr: 0.1, batch: 32, seed: 1 } },
      { params: { lr: 0.2, batch: 32 } },
    ] as never);
    expect(rows.map((row) => [row.key, row.differs])).toEqual([['lr', true], ['seed', true], ['batch', false]]);
    expect(rows[1]!.values).toEqual([1, undefined]);
  });
});
