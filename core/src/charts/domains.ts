/**
 * Scale domains of views whose rows stream in after the view is made (the live, compare and
 * dashboard charts, the scatter of a param against a metric): computed by Vega expressions from
 * the streamed rows, with a fixed domain while there are none, because a scale over an empty data
 * set makes Vega warn "Infinite extent" in the browser console. Fields are the row shapes'
 * constants, never names from data. Pure.
 */

/** The data set the live, compare and dashboard views (and the scatter) stream rows into. */
export const POINTS_DATA = 'points';

/** The fields of the streamed row shapes (`ChartRow`, `DashboardRow`, `ScatterRow`) that domains are read from. */
export type StreamedField = 'x' | 'y' | 'value' | 'raw' | 'lowestPositive' | 'xPositive' | 'yPositive';

const HAS_ROWS = `length(data('${POINTS_DATA}')) > 0`;

/** The expression of `extent` (`[min, max]`, nulls skipped) of a field of the streamed rows. */
export function rowsExtent(field: StreamedField): string {
  return `extent(pluck(data('${POINTS_DATA}'), '${field}'))`;
}

/** The extent of a field of the streamed rows, or [0, 1] while there are none. */
export function streamedDomain(field: StreamedField): { expr: string } {
  return { expr: `${HAS_ROWS} ? ${rowsExtent(field)} : [0, 1]` };
}

/**
 * A log scale's domain from the streamed rows: from the least of `lowest` (a field that holds
 * the row's positive value, or null: a Vega expression cannot filter rows) to `highest` (an
 * expression), or [1, 10] while no value is positive.
 */
export function positiveDomain(lowest: StreamedField, highest: string): { expr: string } {
  return { expr: `${HAS_ROWS} && ${highest} > 0 ? [${rowsExtent(lowest)}[0], ${highest}] : [1, 10]` };
}

/** The extent of several fields of the streamed rows together, or [0, 1] while there are none. */
export function streamedUnionDomain(fields: readonly StreamedField[]): { expr: string } {
  const bound = (end: 0 | 1) => `${end === 0 ? 'min' : 'max'}(${fields.map((field) => `${rowsExtent(field)}[${end}]`).join(', ')})`;
  return { expr: `${HAS_ROWS} ? [${bound(0)}, ${bound(1)}] : [0, 1]` };
}

/** The highest value of several fields of the streamed rows, as an expression. */
export function rowsHighest(fields: readonly StreamedField[]): string {
  return fields.length === 1 ? `${rowsExtent(fields[0]!)}[1]` : `max(${fields.map((field) => `${rowsExtent(field)}[1]`).join(', ')})`;
}
