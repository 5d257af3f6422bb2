import { describe, expect, it } from 'vitest';
import { runLabels } from 'trainbook/core';

describe('runLabels', () => {
  it('uses the name, and the id tail when names repeat', () => {
    expect(runLabels([{ id: '20261122-210850123-aaaaa', name: 'mlp' }, { id: '20261122-210850124-bbbbb', name: 'mlp' }, { id: '20261122-210850125-ccccc', name: 'cnn' }])).toEqual(['mlp (aaaaa)', 'mlp (bbbbb)', 'cnn']);
  });

  it('labels a run without a name by its id (the report and the compare view alike)', () => {
    expect(runLabels([{ id: '20261122-210850123-aaaaa', name: '' }, { id: '20261122-210850124-bbbbb', name: '' }])).toEqual(['20261122-210850123-aaaaa', '20261122-210850124-bbbbb']);
  });

  it('falls back to the whole id when two labels would still be the same', () => {
    const labels = runLabels([{ id: '20261122-210850123-aaaaa', name: 'x' }, { id: '20261123-210850123-aaaaa', name: 'x' }]);
    expect(labels).toEqual(['x (aaaaa)', 'x (20261123-210850123-aaaaa)']);
  });
});
