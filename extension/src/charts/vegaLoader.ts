/**
 * vega-embed is large, so it is loaded on the first chart and only once (in its own chunk).
 */
export type VegaEmbedModule = typeof import('vega-embed');

let loading: Promise<VegaEmbedModule> | null = null;

export function loadVegaEmbed(): Promise<VegaEmbedModule> {
  if (!loading) {
    loading = import('vega-embed');
    // A failed load (e.g. a network hiccup) may be retried by the next render.
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
