import { describe, expect, it } from 'vitest';
import { CHART_PALETTE, paletteColor, vegaAscending } from '../../../core/src/charts/colors.js';

describe('paletteColor()', () => {
  it('gives each index of a view its palette colour, repeating after the palette', () => {
    expect(paletteColor(0)).toBe(CHART_PALETTE[0]);
    expect(paletteColor(CHART_PALETTE.length + 2)).toBe(CHART_PALETTE[2]);
    expect(new Set(CHART_PALETTE.map((_, i) => paletteColor(i))).size).toBe(CHART_PALETTE.length);
  });
});

describe('vegaAscending()', () => {
  it('orders by code units, as Vega sorts a nominal domain', () => {
    expect(['b', 'B', 'a', 'é', 'A10', 'A9'].sort(vegaAscending)).toEqual(['A10', 'A9', 'B', 'a', 'b', 'é']);
  });
});
