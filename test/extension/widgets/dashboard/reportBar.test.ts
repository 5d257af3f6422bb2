import { describe, expect, it } from 'vitest';
import type { PanelRow } from '../../../../extension/src/runs/panelRows.js';
import { reportInput, suggestedOutput } from '../../../../extension/src/widgets/dashboard/reportBar.js';

const row = (id: string, notebook: string | null, remote = false): PanelRow =>
  ({ record: { id }, notebook, remote: remote ? { host: 'h', user: 'u', store: '.trainbook', points: 0, updatedAt: null } : null, archive: null }) as unknown as PanelRow;

describe('suggestedOutput()', () => {
  it('puts the report beside the first store, named after it', () => {
    expect(suggestedOutput(['exp/train.ipynb', 'other.ipynb'])).toBe('exp/train-report.html');
    expect(suggestedOutput(['exp/sweep.trainbook'])).toBe('exp/sweep-report.html');
    expect(suggestedOutput(['.trainbook'])).toBe('runs-report.html');
    expect(suggestedOutput(['a/b/.trainbook'])).toBe('a/b/runs-report.html');
    expect(suggestedOutput([])).toBe('runs-report.html');
  });
});

describe('reportInput()', () => {
  it('takes the local runs in order and their stores once each, and counts the team runs left out', () => {
    const input = reportInput([row('r1', 'a.ipynb'), row('t1', null, true), row('r2', 'b/c.ipynb'), row('r3', 'a.ipynb')]);
    expect(input).toEqual({ stores: ['a.ipynb', 'b/c.ipynb'], runs: ['r1', 'r2', 'r3'], team: 1 });
  });
});
