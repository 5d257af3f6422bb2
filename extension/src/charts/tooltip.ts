/**
 * A tooltip for the charts that writes every value as DOM text. vega-embed's default handler
 * (vega-tooltip) builds HTML strings and escapes only `&` and `<`; metric names come from
 * notebooks that may come from anyone, so here nothing is ever parsed as HTML.
 */
import type { TooltipHandler } from 'vega';

const OFFSET = 12;
let element: HTMLElement | null = null;

function tooltipElement(): HTMLElement {
  if (!element || !element.isConnected) {
    element = document.createElement('div');
    element.className = 'tb-Tooltip';
    element.setAttribute('role', 'tooltip');
    document.body.appendChild(element);
  }
  return element;
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function hideTooltip(): void {
  element?.classList.remove('tb-mod-visible');
}

/** Shows the fields of the hovered point as a small key/value table. */
export const safeTooltip: TooltipHandler = (_handler, event, _item, value) => {
  if (value === null || value === undefined || value === '') {
    hideTooltip();
    return;
  }
  const tip = tooltipElement();
  const table = document.createElement('table');
  const entries: [string, unknown][] =
    typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as Record<string, unknown>) : [['', value]];
  for (const [key, v] of entries) {
    if (v === undefined) continue;
    const row = table.insertRow();
    const keyCell = row.insertCell();
    keyCell.className = 'tb-Tooltip-key';
    keyCell.textContent = key;
    const valueCell = row.insertCell();
    valueCell.className = 'tb-Tooltip-value';
    valueCell.textContent = valueText(v);
  }
  tip.replaceChildren(table);
  tip.classList.add('tb-mod-visible');
  const { innerWidth, innerHeight } = window;
  const box = tip.getBoundingClientRect();
  let x = event.clientX + OFFSET;
  let y = event.clientY + OFFSET;
  if (x + box.width > innerWidth) x = Math.max(0, event.clientX - OFFSET - box.width);
  if (y + box.height > innerHeight) y = Math.max(0, event.clientY - OFFSET - box.height);
  tip.style.left = `${x}px`;
  tip.style.top = `${y}px`;
};
