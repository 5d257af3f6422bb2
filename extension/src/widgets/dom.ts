/**
 * The one DOM helper the panel's widgets share: an element with a class and text. Text from a
 * store or the hub goes into the page only as textContent, never as HTML.
 */

/** A new `<tag>` with `className` and `text` (as textContent). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
