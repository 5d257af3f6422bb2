/** The MIME bundle of a run's live output. Pure. */
import { chartRows, fallbackSpec, groupMetrics, type ChartRow, m4, decodeNumber, RUN_MIME, summaryLine, type LivePayload } from 'trainbook/core';

export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';
/** Buckets per series in the Vega-Lite fallback, kept small: it is saved in the notebook too. */
const FALLBACK_BUCKETS = 24;

export function liveBundle(payload: LivePayload): Record<string, unknown> {
  const rows: ChartRow[] = [];
  const groups = groupMetrics(payload.series.map((s) => s.name));
  for (const [group, names] of groups) {
    for (const name of names) {
      const series = payload.series.find((s) => s.name === name)!;
      const y = series.value.map(decodeNumber);
      const reduced = m4(series.step, y, series.step.length, FALLBACK_BUCKETS);
      rows.push(...chartRows(group, name, reduced.x, reduced.y));
    }
  }
  const bundle: Record<string, unknown> = { [RUN_MIME]: payload, 'text/plain': summaryLine(payload) };
  if (rows.length > 0) bundle[VEGA_LITE_MIME] = fallbackSpec(rows);
  return bundle;
}
