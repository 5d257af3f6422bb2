/**
 * The dashboard chart's tooltip in a real browser: vega, vega-lite and vega-embed's build files
 * and the core's chart builders (bundled from the sources with esbuild) in Chromium, the chart
 * drawn by the SVG renderer with vega-embed's default tooltip, driven by the mouse. Old: a line's
 * tooltip showed its first point wherever the pointer was on it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HIDDEN_STORE, HOVER_MARKS, HOVER_PARAM } from '../../../core/src/charts/spec.js';
import { ROOT } from '../../helpers/sdk.js';

// Chromium comes with `scripts/setup.sh --tests`, as for the browser tests.
const CHROMIUM = '/usr/bin/chromium';
const BUILDS = ['vega/build/vega.min.js', 'vega-lite/build/vega-lite.min.js', 'vega-embed/build/vega-embed.min.js'].map((file) => path.join(ROOT, 'node_modules', file));
const PAGE = '<!doctype html><html><head><style>body { margin: 20px; font-family: sans-serif; } #chart { width: 900px; }</style></head><body><div id="chart"></div></body></html>';

describe('the dashboard chart under the mouse (Chromium)', () => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const bundle = await build({ entryPoints: [path.join(ROOT, 'test/core/charts/hoverPage.ts')], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'error' });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    page = await browser.newPage({ viewport: { width: 1000, height: 400 } });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
    });
    page.on('request', (request) => {
      if (!request.url().startsWith('data:')) errors.push(`request: ${request.url()}`);
    });
    await page.setContent(PAGE);
    for (const file of BUILDS) await page.addScriptTag({ content: fs.readFileSync(file, 'utf8') });
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** The text of vega-embed's tooltip while it shows, else null. */
  const tooltip = () => page.evaluate(() => {
    const element = document.getElementById('vg-tooltip-element');
    return element?.classList.contains('visible') ? element.innerText.replace(/\s+/g, ' ').trim() : null;
  });
  /** Moves the mouse onto a point of the chart, from a little away as a hand would. */
  const moveTo = async (x: number, value: number, offset = 0) => {
    const at = await page.evaluate(([x, value]) => window.pointAt(x!, value!), [x, value]);
    await page.mouse.move(at.x - 40, at.y + 30);
    await page.mouse.move(at.x + offset, at.y, { steps: 8 });
  };
  const hovered = () => page.evaluate((store) => window.drawn.view.data(store).map((tuple) => tuple.values), `${HOVER_PARAM}_store`);
  const loss = (run: number, step: number) => 1 / (1 + step / 100) + run / 5;

  it('shows the step and value of the point under the pointer in the middle of a line, and a dot there', async () => {
    await page.evaluate(() => window.drawChart(3, 60));
    await moveTo(300, loss(1, 300));
    expect(await tooltip()).toBe(`run run1 metric loss step 300 value ${Number(loss(1, 300).toPrecision(6))}`);
    expect(await hovered()).toEqual([['run1', 'loss', 300]]);
    // A third of the way to the next point (steps 10 apart, 15 px): still this one; two thirds: the next.
    await moveTo(303.3, loss(1, 303.3));
    expect(await tooltip()).toContain('step 300 ');
    await moveTo(306.7, loss(1, 306.7));
    expect(await tooltip()).toContain('step 310 ');
    expect(await hovered()).toEqual([['run1', 'loss', 310]]);
    // The dot, in run1's colour.
    const dot = await page.evaluate((mark) => [...document.querySelectorAll(`#chart svg .${mark} path`)].map((path) => path.getAttribute('fill')), HOVER_MARKS.dot);
    expect(dot).toEqual([await page.evaluate(() => (window.drawn.view.scale('color') as (label: string) => string)('run1'))]);
    // Off the lines: neither tooltip nor dot.
    await moveTo(300, (loss(1, 300) + loss(2, 300)) / 2);
    expect(await tooltip()).toBeNull();
    expect(await hovered()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('follows a drag that pans the chart, and gives hidden runs no tooltip', async () => {
    await page.evaluate(() => window.drawChart(3, 60));
    const before = await page.evaluate(() => window.drawn.view.scale('x').domain());
    const start = await page.evaluate(() => window.pointAt(300, 0.5));
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x - 150, start.y, { steps: 6 });
    await page.mouse.up();
    const after = await page.evaluate(() => window.drawn.view.scale('x').domain());
    expect(after[0]).toBeGreaterThan(before[0] + 50);
    await moveTo(400, loss(0, 400));
    expect(await tooltip()).toContain('run run0 metric loss step 400 ');

    // A click on run0's legend entry hides it.
    await page.click('#chart svg .role-legend-label text >> text=run0');
    expect(await page.evaluate((store) => window.drawn.view.data(store).length, HIDDEN_STORE)).toBe(1);
    await moveTo(400, loss(0, 400));
    expect(await tooltip()).toBeNull();
    expect(await hovered()).toEqual([]);
    await moveTo(400, loss(2, 400));
    expect(await tooltip()).toContain('run run2 metric loss step 400 ');
    expect(errors).toEqual([]);
  });

  it('keeps the page small with 12,000 points: a few hundred hit areas near the pointer', async () => {
    await page.evaluate(() => window.drawChart(10, 1200));
    const elements = () => page.evaluate(() => document.querySelectorAll('#chart svg *').length);
    const idle = await elements();
    await moveTo(6000, loss(4, 6000));
    // 1,200 points in 850 px: the one nearest along the line, not one a few pixels away.
    expect(await tooltip()).toBe(`run run4 metric loss step 6000 value ${Number(loss(4, 6000).toPrecision(6))}`);
    expect((await elements()) - idle).toBeLessThan(2_000);
    expect(errors).toEqual([]);
  });
});
