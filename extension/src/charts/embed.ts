/**
 * The one way the extension embeds a Vega-Lite view: a spec from the core's `chartSpec` and
 * these constant embed options. Nothing from an output or a store reaches vega-embed but data values.
 */
import type { Result, VisualizationSpec } from 'vega-embed';
import { safeTooltip } from './tooltip.js';
import type { VegaEmbedModule } from './vegaLoader.js';

/** A new chart view in `target` for a spec from `chartSpec` (SVG, no actions, the safe tooltip). */
export function embedChart(vegaEmbed: VegaEmbedModule, target: HTMLElement, spec: Record<string, unknown>): Promise<Result> {
  return vegaEmbed.default(target, spec as VisualizationSpec, {
    mode: 'vega-lite',
    renderer: 'svg',
    actions: false,
    defaultStyle: false,
    tooltip: safeTooltip,
  });
}
