/**
 * Parallel coordinates as plain SVG: one vertical axis per dimension (a numeric param or final
 * metric every run has, from the core's `parallelDimensions`), one polyline per run in its view
 * colour, each axis labelled with its name and its range. Shared by the runs panel's comparison
 * and the dashboard. Names reach the page only as textContent.
 */
import { formatNumber, paletteColor, parallelDimensions, type ParallelDimension, type RunRecord } from 'trainbook/core';

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 200;
const TOP = 24;
const BOTTOM = HEIGHT - 24;
const AXIS_SPACING = 110;
const MIN_WIDTH = 320;
const SIDE = 50;

export interface ParallelOptions {
  /** What the SVG says when fewer than two dimensions are shared by every run. */
  tooFewText: string;
  /** Accessible name of the figure. */
  label?: string;
}

function svgElement<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/** The figure for `records` (run `i` drawn in `paletteColor(i)`, titled `labels[i]`). */
export function parallelCoordinates(records: readonly RunRecord[], labels: readonly string[], options: ParallelOptions): SVGSVGElement {
  const dims = parallelDimensions(records, labels).dimensions;
  const width = Math.max(MIN_WIDTH, dims.length * AXIS_SPACING);
  const svg = svgElement('svg', { class: 'tb-Parallel', viewBox: `0 0 ${width} ${HEIGHT}`, width, height: HEIGHT, role: 'img' });
  svg.dataset.dimensions = String(dims.length);
  if (options.label) svg.setAttribute('aria-label', options.label);
  if (dims.length < 2) {
    const text = svgElement('text', { x: 8, y: 20 });
    text.textContent = options.tooFewText;
    svg.append(text);
    return svg;
  }
  const x = (i: number): number => SIDE + (i * (width - 2 * SIDE)) / (dims.length - 1);
  const y = (dim: ParallelDimension, v: number): number => (dim.max === dim.min ? (TOP + BOTTOM) / 2 : BOTTOM - ((v - dim.min) / (dim.max - dim.min)) * (BOTTOM - TOP));
  dims.forEach((dim, i) => {
    const axis = svgElement('line', { class: 'tb-Parallel-axis', x1: x(i), x2: x(i), y1: TOP, y2: BOTTOM });
    const name = svgElement('text', { class: 'tb-Parallel-name', x: x(i), y: TOP - 8, 'text-anchor': 'middle' });
    name.dataset.kind = dim.kind;
    name.textContent = dim.name;
    const range = svgElement('text', { class: 'tb-Parallel-range', x: x(i), y: BOTTOM + 14, 'text-anchor': 'middle' });
    range.textContent = `${formatNumber(dim.min)} – ${formatNumber(dim.max)}`;
    svg.append(axis, name, range);
  });
  records.forEach((_, r) => {
    const line = svgElement('polyline', { class: 'tb-Parallel-line', points: dims.map((dim, i) => `${x(i)},${y(dim, dim.values[r]!)}`).join(' ') });
    // The run's colour in the charts and the tables of the same view.
    line.style.stroke = paletteColor(r);
    line.dataset.run = String(r);
    const title = svgElement('title');
    title.textContent = labels[r] ?? '';
    line.append(title);
    svg.append(line);
  });
  return svg;
}
