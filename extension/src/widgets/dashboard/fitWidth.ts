/**
 * Keeps a `width: 'container'` Vega view as wide as its container. Vega measures the container
 * when the view is made and again only on window resizes; a dashboard tab also changes width with
 * the side bars, and a view made while its tab was being laid out (a theme switch) measures 0.
 */
import type { Result } from 'vega-embed';

export interface Fitting {
  /** Fits the view now (call it after embedding: the container may not change size). */
  fit(): void;
  stop(): void;
}

/** Watches `container` and sets the view's width to its inner width on every change of its size. */
export function keepFitted(container: HTMLElement, view: () => Result['view'] | null): Fitting {
  const fit = (): void => {
    const current = view();
    const target = current?.container();
    if (!current || !target) return;
    const style = getComputedStyle(target);
    const width = target.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (width > 0 && current.signal('width') !== width) void current.signal('width', width).runAsync();
  };
  const observer = new ResizeObserver(fit);
  observer.observe(container);
  return { fit, stop: () => observer.disconnect() };
}
