/**
 * The live output's charts as a PNG, rendered in Node: the core's chart model, its Vega-Lite
 * fallback spec (every chart group in one picture), vega's SVG, rasterised by resvg. Frontends
 * without Vega (nbconvert's HTML, nbviewer, GitHub, Colab, VS Code) show this picture. vega,
 * vega-lite and resvg are loaded at the first picture, not when the SDK is imported.
 */
import { chartSpec, type ChartModel } from 'trainbook/core';

/** Width of the picture in pixels: wide enough to read in a notebook, small enough to keep the output small. */
export const CHART_IMAGE_WIDTH = 640;
/** Height of each chart in the picture (the SVG's pixels, before scaling to the width). */
const CHART_IMAGE_HEIGHT = 110;
/** A white background and dark text: readable in light and dark viewers alike. */
const IMAGE_THEME = { dark: false, background: '#ffffff', font: 'DejaVu Sans, sans-serif' };

interface Renderers {
  vega: typeof import('vega');
  vegaLite: typeof import('vega-lite');
  resvg: typeof import('@resvg/resvg-js');
}

let renderers: Promise<Renderers> | null = null;

function loadRenderers(): Promise<Renderers> {
  renderers ??= Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]).then(([vega, vegaLite, resvg]) => ({ vega, vegaLite, resvg }));
  // A failed load is tried again at the next picture (the caller gives up after one failure anyway).
  renderers.catch(() => (renderers = null));
  return renderers;
}

/** The SVG of every chart of `model`, one below the other, on a white background. */
export async function chartsSvg(model: ChartModel): Promise<string> {
  const { vega, vegaLite } = await loadRenderers();
  const fallback = chartSpec(model, { mode: 'fallback', theme: IMAGE_THEME });
  // Charts a little lower than the fallback's: several of them still fit a screen.
  const spec = { ...fallback, spec: { ...(fallback.spec as object), height: CHART_IMAGE_HEIGHT } };
  const view = new vega.View(vega.parse(vegaLite.compile(spec as never).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The charts of `model` as PNG bytes, {@link CHART_IMAGE_WIDTH} pixels wide. The SVG is made on
 * this thread (a few tens of ms for a live payload's points); rasterising runs on libuv's thread
 * pool (resvg's `renderAsync`), so the training loop goes on meanwhile.
 *
 * @example
 * const png = await chartsPng(liveChartModel(payload)); // Buffer starting with \x89PNG
 */
export async function chartsPng(model: ChartModel, width = CHART_IMAGE_WIDTH): Promise<Buffer> {
  const svg = await chartsSvg(model);
  const { resvg } = await loadRenderers();
  const image = await resvg.renderAsync(svg, {
    fitTo: { mode: 'width', value: width },
    background: '#ffffff',
    // Edges without anti-aliasing (text keeps it): a noisy curve compresses to a third less.
    shapeRendering: 1,
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return image.asPng();
}
