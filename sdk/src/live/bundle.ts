/** The MIME bundle of a run's live output. Pure. */
import { chartSpec, liveChartModel, RUN_MIME, summaryLine, type LivePayload } from 'trainbook/core';

export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';
export const PNG_MIME = 'image/png';

/**
 * Our MIME type, a Vega-Lite fallback, a picture of the charts when there is one (base64 PNG, for
 * viewers without Vega: nbconvert, nbviewer, GitHub, Colab, VS Code) and text; never `text/html`
 * (JupyterLab would show it instead of the chart). The fallback draws the payload's points as they
 * are (the recorder's M4 reduced them once; they are not reduced again), from the same chart model
 * the JupyterLab renderer builds.
 */
export function liveBundle(payload: LivePayload, pngBase64: string | null = null): Record<string, unknown> {
  const bundle: Record<string, unknown> = { [RUN_MIME]: payload, 'text/plain': summaryLine(payload) };
  const model = liveChartModel(payload);
  if (model.groups.some((group) => group.drawn > 0)) bundle[VEGA_LITE_MIME] = chartSpec(model, { mode: 'fallback' });
  if (pngBase64) bundle[PNG_MIME] = pngBase64;
  return bundle;
}
