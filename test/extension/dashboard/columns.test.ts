/** The dashboard table's column layout: which columns, their order, hidden ones, widths, and a restored layout from untrusted JSON. */
import { describe, expect, it } from 'vitest';
import { availableColumns, clampWidth, ColumnLayout, defaultWidth, MAX_COLUMN_WIDTH, MIN_COLUMN_WIDTH, parseLayout, RUN_COLUMN } from '../../../extension/src/dashboard/columns.js';

const SOURCE = { params: ['batch', 'lr'], metrics: ['acc', 'loss'], tags: false, notebooks: 1, remote: false, experiments: false };
const AVAILABLE = availableColumns(SOURCE);
const ids = (layout: ColumnLayout, available: readonly string[] = AVAILABLE) => layout.visible(available).map((column) => column.id);

describe('availableColumns()', () => {
  it('lists the built-ins, then every param and metric; the notebook only for several notebooks, tags only when a run has some', () => {
    expect(AVAILABLE).toEqual(['name', 'status', 'started', 'duration', 'param:batch', 'param:lr', 'metric:acc', 'metric:loss']);
    expect(availableColumns({ ...SOURCE, notebooks: 2, tags: true, remote: true, experiments: true })).toEqual(['name', 'status', 'notebook', 'origin', 'experiment', 'started', 'duration', 'tags', 'param:batch', 'param:lr', 'metric:acc', 'metric:loss']);
  });
});

describe('ColumnLayout', () => {
  describe('#resolve()', () => {
    it('keeps the run column first, and puts a column that appears after the one it follows by default', () => {
      const layout = new ColumnLayout({ order: ['metric:loss', 'status', 'name'], hidden: [], widths: [] });
      // The user's order (loss, then status), the run column first, the others after their default predecessors.
      expect(ids(layout)).toEqual(['name', 'metric:loss', 'status', 'started', 'duration', 'param:batch', 'param:lr', 'metric:acc']);
    });
  });

  describe('#move()', () => {
    it('moves a column among the shown ones (Alt+Left/Right), over hidden ones, never before the run column', () => {
      const layout = new ColumnLayout();
      expect(layout.move('param:lr', 1, AVAILABLE)).toBe(true);
      expect(ids(layout)).toEqual(['name', 'status', 'started', 'duration', 'param:batch', 'metric:acc', 'param:lr', 'metric:loss']);
      layout.setHidden('metric:acc', true);
      expect(layout.move('param:lr', -1, AVAILABLE)).toBe(true);
      expect(ids(layout)).toEqual(['name', 'status', 'started', 'duration', 'param:lr', 'param:batch', 'metric:loss']);
      expect(layout.move('started', -5, AVAILABLE)).toBe(true);
      expect(ids(layout).slice(0, 3)).toEqual(['name', 'started', 'status']);
      expect(layout.move(RUN_COLUMN, 1, AVAILABLE)).toBe(false);
      expect(layout.move('metric:loss', 1, AVAILABLE)).toBe(false); // last already
    });

    it('keeps a moved column in its place while it is gone, and when it comes back', () => {
      const layout = new ColumnLayout();
      layout.moveTo('metric:loss', 'status', 'before', AVAILABLE);
      expect(ids(layout)).toEqual(['name', 'metric:loss', 'status', 'started', 'duration', 'param:batch', 'param:lr', 'metric:acc']);
      const without = AVAILABLE.filter((id) => id !== 'metric:loss');
      layout.move('param:lr', -1, without);
      expect(ids(layout, without)).toEqual(['name', 'status', 'started', 'duration', 'param:lr', 'param:batch', 'metric:acc']);
      expect(ids(layout)).toEqual(['name', 'status', 'started', 'duration', 'param:lr', 'param:batch', 'metric:acc', 'metric:loss']);
    });
  });

  describe('#moveTo()', () => {
    it('drops a header before or after another', () => {
      const layout = new ColumnLayout();
      expect(layout.moveTo('metric:loss', 'param:batch', 'before', AVAILABLE)).toBe(true);
      expect(ids(layout)).toEqual(['name', 'status', 'started', 'duration', 'metric:loss', 'param:batch', 'param:lr', 'metric:acc']);
      expect(layout.moveTo('status', 'metric:acc', 'after', AVAILABLE)).toBe(true);
      expect(ids(layout).at(-1)).toBe('status');
      expect(layout.moveTo('param:lr', RUN_COLUMN, 'before', AVAILABLE)).toBe(true);
      expect(ids(layout).slice(0, 2)).toEqual([RUN_COLUMN, 'param:lr']);
      expect(layout.moveTo('param:lr', 'param:nope', 'before', AVAILABLE)).toBe(false);
    });
  });

  describe('#setHidden()', () => {
    it('hides and shows a column, never the run column', () => {
      const layout = new ColumnLayout();
      expect(layout.setHidden('duration', true)).toBe(true);
      expect(layout.setHidden('duration', true)).toBe(false);
      expect(ids(layout)).not.toContain('duration');
      expect(layout.resolve(AVAILABLE).find((column) => column.id === 'duration')).toMatchObject({ hidden: true });
      expect(layout.setHidden(RUN_COLUMN, true)).toBe(false);
      expect(layout.setHidden('duration', false)).toBe(true);
      expect(ids(layout)).toEqual(AVAILABLE);
    });
  });

  describe('#resize()', () => {
    it('clamps widths to whole pixels within the bounds', () => {
      const layout = new ColumnLayout();
      expect(layout.widthOf('metric:loss')).toBe(defaultWidth('metric:loss'));
      layout.resize('metric:loss', 10);
      expect(layout.widthOf('metric:loss')).toBe(MIN_COLUMN_WIDTH);
      layout.resize('metric:loss', 1e9);
      expect(layout.widthOf('metric:loss')).toBe(MAX_COLUMN_WIDTH);
      layout.resize('metric:loss', 151.6);
      expect(layout.widthOf('metric:loss')).toBe(152);
      expect(layout.resize('metric:loss', 152)).toBe(false);
      expect(clampWidth(NaN)).toBe(MIN_COLUMN_WIDTH);
    });
  });
});

describe('parseLayout()', () => {
  it('reads back what serialize() wrote, through JSON, a column named __proto__ included', () => {
    const available = availableColumns({ ...SOURCE, params: ['__proto__', 'lr'] });
    const layout = new ColumnLayout();
    layout.moveTo('param:__proto__', 'status', 'before', available);
    layout.resize('param:__proto__', 300);
    layout.setHidden('started', true);
    const back = parseLayout(JSON.parse(JSON.stringify(layout.serialize())));
    expect(back.resolve(available)).toEqual(layout.resolve(available));
    expect(back.widthOf('param:__proto__')).toBe(300);
  });

  it('ignores what it does not understand: wrong types, unknown keys, a hostile __proto__, oversized ids', () => {
    const hostile = JSON.parse('{"__proto__": {"order": ["metric:loss"], "polluted": true}, "order": ["param:lr", 5, null, "param:lr", {"x": 1}], "hidden": "started", "widths": [["param:lr", "wide"], ["metric:acc", 90], ["metric:loss"], [3, 100], ["status", 1e999]], "extra": 1}');
    const layout = parseLayout(hostile);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(layout.serialize()).toEqual({ order: ['param:lr'], hidden: [], widths: [['metric:acc', 90]] });
    for (const junk of [null, 3, 'x', [], [1, 2], { order: 'name' }]) expect(parseLayout(junk).serialize()).toEqual({ order: [], hidden: [], widths: [] });
    expect(parseLayout({ order: ['x'.repeat(5000), 'param:lr'] }).serialize().order).toEqual(['param:lr']);
    expect(parseLayout({ hidden: [RUN_COLUMN, 'status'] }).serialize().hidden).toEqual(['status']);
  });
});
