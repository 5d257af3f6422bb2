import { describe, expect, it } from 'vitest';
import { renderRunDetails, renderRunList } from '../../../sdk/src/cli/views.js';
import { coerceRunRecord } from '../../../core/src/format/shape.js';
import type { RunRecord } from '../../../core/src/format/types.js';

const record = (fields: Record<string, unknown>): RunRecord => {
  const coerced = coerceRunRecord({ status: 'completed', startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:01:00Z', ...fields });
  if (typeof coerced === 'string') throw new Error(coerced);
  return coerced;
};
const summary = (r: RunRecord) => ({ record: r, status: r.status, dir: `/s/${r.id}` });
const loss = (last: number) => ({ last, min: last, max: last, count: 1, step: 0 });

describe('cli views', () => {
  it('ls shows a TAGS column, labels then key=value, only when a run has tags', () => {
    const tagged = record({ id: 'r1', name: 'a', tags: ['mnist'], tagValues: { workers: 8, hpo: 'byopt', 'evil\u001b[31m': true } });
    const plain = record({ id: 'r2', name: 'b' });
    const text = renderRunList([summary(tagged), summary(plain)], Date.now());
    expect(text.split('\n')[0]).toMatch(/^ID +NAME +STATUS +STARTED +DURATION +TAGS/);
    expect(text).toContain('mnist, workers=8, hpo=byopt');
    expect(text).not.toContain('\u001b');
    expect(renderRunList([summary(plain)], Date.now()).split('\n')[0]).not.toContain('TAGS');
  });

  it('show lists every tag', () => {
    const text = renderRunDetails({ summary: summary(record({ id: 'r1', name: 'a', tags: ['mnist'], tagValues: { workers: 8, owner: null } })), problems: [], seriesLengths: {} }, Date.now());
    expect(text).toMatch(/\ntags: +mnist, workers=8, owner=null\n/);
  });

  it('shows params and metrics named toString or constructor only for the runs that have them', () => {
    const named = record({ id: 'r1', name: 'a', params: JSON.parse('{"toString": 1, "lr": 0.1}'), summary: JSON.parse('{"constructor": {"last": 7, "min": 7, "max": 7, "count": 1, "step": 0}}') });
    const other = record({ id: 'r2', name: 'b', params: { lr: 0.2 }, summary: { loss: loss(0.5) } });
    const rows = renderRunList([summary(named), summary(other)], Date.now()).split('\n');
    expect(rows[0]).toMatch(/toString/);
    expect(rows[0]).toMatch(/constructor/);
    // The other run has neither: empty cells, not the inherited functions.
    expect(rows[2]).not.toMatch(/function|native code|\[object/);
    const details = renderRunDetails({ summary: summary(named), problems: [], seriesLengths: {} }, Date.now());
    expect(details).toMatch(/\n {2}toString +1\n/);
    expect(details).toMatch(/\n {2}constructor +7 /);
  });
});
