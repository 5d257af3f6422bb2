/** The window of rows the dashboard table renders for a scroll position. */
import { describe, expect, it } from 'vitest';
import { rowWindow, windowCovers } from '../../../extension/src/dashboard/virtualRows.js';

describe('rowWindow()', () => {
  it('renders only the rows in view, plus the overscan either side, for 5,000 rows', () => {
    const window = rowWindow({ count: 5000, rowHeight: 28, scrollTop: 2800, viewportHeight: 560, overscan: 8 });
    expect(window).toEqual({ start: 92, end: 128, before: 92 * 28, after: (5000 - 128) * 28, total: 140_000 });
    expect(window.end - window.start).toBeLessThan(40);
    // The spacers and the rows add up to the whole table: the scrollbar is the full length.
    expect(window.before + (window.end - window.start) * 28 + window.after).toBe(window.total);
  });

  it('starts at the top, and at the end shows the last rows even when scrolled past them (rows removed meanwhile)', () => {
    expect(rowWindow({ count: 5000, rowHeight: 28, scrollTop: 0, viewportHeight: 560, overscan: 8 })).toMatchObject({ start: 0, end: 28, before: 0 });
    const end = rowWindow({ count: 100, rowHeight: 28, scrollTop: 1e9, viewportHeight: 560, overscan: 8 });
    expect(end).toMatchObject({ end: 100, after: 0 });
    expect(end.start).toBe(100 - 20 - 8);
  });

  it('copes with nothing to show, a viewport not laid out yet, and nonsense input', () => {
    expect(rowWindow({ count: 0, rowHeight: 28, scrollTop: 50, viewportHeight: 500 })).toEqual({ start: 0, end: 0, before: 0, after: 0, total: 0 });
    const unmeasured = rowWindow({ count: 5000, rowHeight: 28, scrollTop: 0, viewportHeight: 0, overscan: 8 });
    expect(unmeasured).toMatchObject({ start: 0, end: 9 });
    const junk = rowWindow({ count: NaN, rowHeight: -5, scrollTop: NaN, viewportHeight: Infinity });
    expect(junk).toEqual({ start: 0, end: 0, before: 0, after: 0, total: 0 });
  });
});

describe('windowCovers()', () => {
  it('is true while a scroll stays within the rows rendered, false past the overscan or when the row count changes', () => {
    const view = { count: 5000, rowHeight: 28, viewportHeight: 560, overscan: 8 };
    const rendered = rowWindow({ ...view, scrollTop: 2800 });
    expect(windowCovers(rendered, { ...view, scrollTop: 2810 })).toBe(true);
    expect(windowCovers(rendered, { ...view, scrollTop: 2800 - 8 * 28 })).toBe(true);
    expect(windowCovers(rendered, { ...view, scrollTop: 2800 - 9 * 28 })).toBe(false);
    expect(windowCovers(rendered, { ...view, scrollTop: 3100 })).toBe(false);
    expect(windowCovers(rendered, { ...view, count: 4999, scrollTop: 2800 })).toBe(false);
    expect(windowCovers(null, { ...view, scrollTop: 0 })).toBe(false);
  });
});
