/**
 * Run colours: a fixed palette indexed by a run's place in the view's run list, so the same run
 * has the same colour in every chart and table of a view (compare's curves, diff table and
 * parallel coordinates; a report's charts and runs table). Within one run's live output, series
 * are coloured the same way by their place in the run's series list. Pure.
 */

/** Vega's `tableau10`, readable on light and dark backgrounds. Constants, never from data. */
export const CHART_PALETTE: readonly string[] = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

/**
 * The colour of the `index`-th run (or series) of a view; the palette repeats after ten.
 *
 * @example
 * paletteColor(0); // '#4c78a8'
 */
export function paletteColor(index: number): string {
  const size = CHART_PALETTE.length;
  return CHART_PALETTE[((Math.trunc(index) % size) + size) % size]!;
}

/**
 * The order Vega gives a nominal colour domain (`sort: 'ascending'`): plain `<` on the values.
 * A range listed in this order maps each value to its own colour without naming it in the spec.
 */
export function vegaAscending(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
