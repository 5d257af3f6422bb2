/**
 * Readability checks for a real JupyterLab page: switching the JupyterLab theme, axe-core's
 * `color-contrast` rule on chosen nodes, and the measured WCAG contrast of SVG text and lines
 * (axe skips SVG text, so a chart's axis labels and legends are measured here: the computed
 * `fill`/`stroke` against the nearest backgrounds, composited as the browser does).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** A low-contrast finding: what, where, the colours seen and the ratio against the one required. */
export interface ContrastFailure {
  what: string;
  text: string;
  color: string;
  background: string;
  ratio: number;
  required: number;
}

/** Switches JupyterLab's theme from the Settings → Theme menu (the `apputils:change-theme` command) and waits until it applies. */
export async function useTheme(page: Page, name: string): Promise<void> {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Theme$/ }).first().hover();
  await page.locator('.lm-Menu-itemLabel', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first().click();
  await page.waitForFunction((name) => document.body.dataset.jpThemeName === name, name, { timeout: 30_000 });
  // The theme's stylesheet is in place once its variables resolve on the body.
  await page.waitForFunction(() => getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim() !== '', undefined, { timeout: 30_000 });
}

/**
 * axe-core's `color-contrast` rule inside the nodes matching `selectors`: its violations as
 * readable lines, and how many nodes it checked (passed or not), so a check of nothing shows.
 */
export function colorContrastViolations(page: Page, selectors: string[]): Promise<{ checked: number; violations: string[] }> {
  return axeViolations(page, selectors, { type: 'rule', values: ['color-contrast'] });
}

/** Every WCAG 2 A and AA rule of axe-core inside the nodes matching `selectors` (see {@link axeViolations}). */
export function wcagViolations(page: Page, selectors: string[]): Promise<{ checked: number; violations: string[] }> {
  return axeViolations(page, selectors, { type: 'tag', values: ['wcag2a', 'wcag2aa'] });
}

/** axe-core's rules chosen by `runOnly` inside the nodes matching `selectors`: violations as readable lines, and how many nodes were checked. */
export async function axeViolations(page: Page, selectors: string[], runOnly: { type: 'rule' | 'tag'; values: string[] }): Promise<{ checked: number; violations: string[] }> {
  const injected = await page.evaluate(() => 'axe' in window);
  if (!injected) await page.evaluate(fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async ({ selectors, runOnly }) => {
    type Rule = { id: string; nodes: Array<{ target: string[]; html: string; any: Array<{ message: string }> }> };
    type Result = { violations: Rule[]; passes: Rule[] };
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<Result> } }).axe;
    const include = selectors.filter((selector) => document.querySelector(selector) !== null).map((selector) => [selector]);
    if (include.length === 0) return { checked: 0, violations: [] };
    // JupyterLab's body is 0 px high with overflow hidden (the shell is absolutely positioned over
    // the viewport): axe would take every statically placed node inside for clipped away and check
    // nothing. Giving the body the viewport's height changes no pixel (the shell does not move).
    const height = document.body.style.height;
    document.body.style.height = '100vh';
    try {
      const result = await axe.run({ include }, { runOnly });
      const checked = result.violations.concat(result.passes).reduce((sum, rule) => sum + rule.nodes.length, 0);
      return { checked, violations: result.violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id} ${node.target.join(' ')}: ${node.any.map((check) => check.message).join('; ')} — ${node.html.slice(0, 160)}`)) };
    } finally {
      document.body.style.height = height;
    }
  }, { selectors, runOnly });
}

/**
 * Measures, inside `root`, each SVG `<text>` (required ratio `textRatio`) and each element
 * matching `lines` (the stroke, required 3:1, WCAG's graphics), against what is behind it.
 * Only shown elements count (not `display: none`, not fully transparent).
 */
export async function svgContrastFailures(page: Page, root: string, options: { lines?: string; textRatio?: number } = {}): Promise<{ measured: number; failures: ContrastFailure[] }> {
  return page.evaluate(({ root, lines, textRatio }) => {
    const canvas = document.createElement('canvas');
    canvas.width = 1;
    canvas.height = 1;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    /** Any CSS colour as sRGB 0–255 with alpha 0–1 (through the canvas, which parses every syntax). */
    const rgba = (color: string): [number, number, number, number] => {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = '#000';
      context.fillStyle = color;
      context.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = context.getImageData(0, 0, 1, 1).data;
      return a === 0 ? [0, 0, 0, 0] : [(r! * 255) / a!, (g! * 255) / a!, (b! * 255) / a!, a! / 255];
    };
    const over = (top: number[], bottom: number[]): number[] => [0, 1, 2].map((i) => top[i]! * top[3]! + bottom[i]! * (1 - top[3]!)).concat(1);
    /** The opaque colour behind `node`: its ancestors' backgrounds composited, over the page's white canvas. */
    const backdrop = (node: Element): number[] => {
      const layers: number[][] = [];
      for (let at: Element | null = node; at; at = at.parentElement) {
        const color = rgba(getComputedStyle(at).backgroundColor);
        if (color[3] > 0) layers.push(color);
        if (color[3] >= 1) break;
      }
      return layers.reduceRight<number[]>((below, layer) => over(layer, below), [255, 255, 255, 1]);
    };
    const luminance = (color: number[]): number => {
      const [r, g, b] = color.slice(0, 3).map((c) => {
        const s = c / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const ratio = (a: number[], b: number[]): number => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    };
    const css = (color: number[]) => `rgb(${color.slice(0, 3).map((c) => Math.round(c)).join(', ')})`;
    const shown = (node: Element): boolean => {
      for (let at: Element | null = node; at; at = at.parentElement) {
        const style = getComputedStyle(at);
        if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) return false;
      }
      return true;
    };
    const failures: Array<{ what: string; text: string; color: string; background: string; ratio: number; required: number }> = [];
    let measured = 0;
    const check = (node: Element, property: 'fill' | 'stroke', required: number, what: string) => {
      const style = getComputedStyle(node);
      const paint = style[property];
      if (!paint || paint === 'none' || !shown(node)) return;
      const alpha = Number(style.opacity) * Number(property === 'fill' ? style.fillOpacity : style.strokeOpacity);
      const own = rgba(paint);
      const behind = backdrop(node);
      const seen = over([own[0], own[1], own[2], own[3] * alpha], behind);
      const value = ratio(seen, behind);
      measured++;
      if (value < required) failures.push({ what, text: (node.textContent ?? '').slice(0, 60), color: paint, background: css(behind), ratio: Math.round(value * 100) / 100, required });
    };
    for (const container of document.querySelectorAll(root)) {
      for (const text of container.querySelectorAll('svg text')) {
        if ((text.textContent ?? '').trim() === '') continue;
        const group = text.closest('[class*="role-"]');
        check(text, 'fill', textRatio, `text ${group ? (group.getAttribute('class') ?? '') : (text.parentElement?.getAttribute('class') ?? 'svg')}`);
      }
      if (lines) for (const line of container.querySelectorAll(lines)) check(line, 'stroke', 3, `line ${line.getAttribute('class') ?? line.tagName}`);
    }
    return { measured, failures };
  }, { root, lines: options.lines ?? '', textRatio: options.textRatio ?? 4.5 });
}
