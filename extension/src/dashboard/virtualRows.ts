/**
 * Which rows of a long table to put in the page: rows have one fixed height, so the rows a scroll
 * position shows follow from arithmetic, and 5,000 runs cost the DOM only the few dozen in view
 * (plus a few either side, so a small scroll shows rows already there). Pure.
 */

export interface RowWindowInput {
  /** Rows in the table. */
  count: number;
  /** Every row's height in pixels. */
  rowHeight: number;
  /** How far the rows are scrolled (pixels from the first row's top). */
  scrollTop: number;
  /** The height the rows can be seen in (the viewport less the sticky header). */
  viewportHeight: number;
  /** Rows kept in the page beyond each edge of the view. */
  overscan?: number;
}

export interface RowWindow {
  /** The first row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Space above the rendered rows: the rows before `start`. */
  before: number;
  /** Space below the rendered rows: the rows from `end` on. */
  after: number;
  /** All rows' height. */
  total: number;
}

export const DEFAULT_OVERSCAN = 8;

/**
 * The rows to render at a scroll position. A scroll position past the end (rows removed meanwhile)
 * shows the last rows; a viewport not measured yet (0: not laid out) still renders the overscan.
 *
 * @example
 * rowWindow({ count: 5000, rowHeight: 28, scrollTop: 2800, viewportHeight: 560 });
 * // { start: 92, end: 128, before: 2576, after: 136416, total: 140000 }
 */
export function rowWindow(input: RowWindowInput): RowWindow {
  const count = Math.max(0, Math.trunc(finiteOr(input.count, 0)));
  const rowHeight = Math.max(1, finiteOr(input.rowHeight, 1));
  const overscan = Math.max(0, Math.trunc(finiteOr(input.overscan ?? DEFAULT_OVERSCAN, DEFAULT_OVERSCAN)));
  const viewport = Math.max(0, finiteOr(input.viewportHeight, 0));
  const total = count * rowHeight;
  const maxScroll = Math.max(0, total - viewport);
  const scrollTop = Math.min(maxScroll, Math.max(0, finiteOr(input.scrollTop, 0)));
  const first = Math.floor(scrollTop / rowHeight);
  const last = Math.ceil((scrollTop + viewport) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, Math.max(last, first + 1) + overscan);
  return { start, end: Math.max(start, end), before: start * rowHeight, after: (count - Math.max(start, end)) * rowHeight, total };
}

/**
 * True when the rows rendered still include every row the view shows (a scroll within the
 * overscan, the same number of rows): nothing needs rendering again.
 */
export function windowCovers(rendered: RowWindow | null, input: RowWindowInput): boolean {
  if (!rendered) return false;
  const inView = rowWindow({ ...input, overscan: 0 });
  return inView.total === rendered.total && inView.start >= rendered.start && inView.end <= rendered.end;
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}
