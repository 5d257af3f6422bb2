/** The MIME bundle of a run's live output. Pure. */
import { chartSpec, liveChartModel, RUN_MIME, summaryLine, type LivePayload } from 'trainbook/core';

export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

/**
 * Our MIME type, a Vega-Lite fallback and text. The fallback draws the payload's points as they
 * are (the recorder's M4 reduced them once; they are not reduced again), from the same chart
 * model the JupyterLab renderer builds.
 */
export function liveBundle(payload: LivePayload): Record<string, unknown> {
  const bundle: Record<string, unknown> = { [RUN_MIME]: payload, 'text/plain': summaryLine(payload) };
  const model = liveChartModel(payload);
  if (model.groups.some((group) => group.drawn > 0)) bundle[VEGA_LITE_MIME] = chartSpec(model, { mode: 'fallback' });
  return bundle;
}
