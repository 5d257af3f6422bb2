/**
 * Every trainbook surface that exists in a notebook is readable in JupyterLab Light, Dark and
 * Dark High Contrast: the run output (header, status badges, progress, charts), the cell
 * experiment badges and the runs panel (table, status pills, details, compare charts, the param
 * diff with its highlighted cells, parallel coordinates). Checked with axe-core's color-contrast
 * rule for HTML text and by measuring SVG text (axe skips it) and lines; screenshots of each theme
 * go to test-artifacts/themes-<theme>-<surface>.png.
 *
 * The themes are switched while the views stay open, as a user would: a view drawn in one theme
 * must follow the next one (the compare charts did not: dark labels on a dark panel).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { RUN_MIME } from '../../core/src/live/payload.js';
import { init } from '../../sdk/src/index.js';
import { colorContrastViolations, svgContrastFailures, useTheme } from '../helpers/contrast.js';
import { ARTIFACTS, labSession, runCommand, screenshot } from '../helpers/lab.js';
import { runCli } from '../helpers/sdk.js';

/** In this order each switch crosses light and dark (the lab starts light; each theme redraws the compare view for the next). */
const THEMES = [
  ['dark', 'JupyterLab Dark'],
  ['light', 'JupyterLab Light'],
  ['dark-high-contrast', 'JupyterLab Dark High Contrast'],
] as const;

const NOTEBOOK = 'themes.ipynb';
const STORE = 'themes.trainbook';

/** A series as the SDK sends it; a value may be 'NaN' (encoded), which the chart notes. */
function series(name: string, count: number, f: (i: number) => number | 'NaN') {
  const step = Array.from({ length: count }, (_, i) => i);
  const value = step.map(f);
  return { name, count, last: value[count - 1]!, step, value };
}

/** A saved run output (what the SDK displays while a run trains) with the given status. */
function output(status: string, extra: { series?: object[]; error?: object; progress?: object | null; resumes?: number[] } = {}) {
  const payload = {
    version: 1,
    updatedAt: Date.now(),
    progress: extra.progress === undefined ? null : extra.progress,
    series: extra.series ?? [],
    ...(extra.resumes ? { resumes: extra.resumes } : {}),
    run: { id: `r-${status}`, name: `mlp-${status}`, experiment: 'mnist', store: STORE, status, startedAt: '2026-01-01T00:00:00Z', endedAt: null, error: extra.error ?? null },
  };
  return { output_type: 'display_data', metadata: {}, data: { [RUN_MIME]: payload, 'text/plain': `run ${status}` } };
}

function writeNotebook(root: string): void {
  const cell = (id: string, source: string, tags: string[], outputs: object[] = []) => ({ cell_type: 'code', id, metadata: tags.length ? { tags } : {}, source, outputs, execution_count: null });
  const losses = [series('loss', 120, (i) => 2 * Math.exp(-i / 30) + 0.1), series('val_loss', 120, (i) => 2.1 * Math.exp(-i / 30) + 0.15), series('acc', 120, (i) => 1 - Math.exp(-i / 25))];
  const cells = [
    cell('params', 'lr = 0.1', ['parameters']),
    cell('exp-cell', '# train', ['experiment'], [output('running', { series: losses, progress: { epoch: 3, epochs: 10, batch: 40, batches: 100, fraction: 0.34, elapsedSeconds: 95, etaSeconds: 180 } })]),
    cell('failed', '# failed', [], [output('failed', { series: [series('loss', 40, (i) => (i < 39 ? 1 + i / 10 : 'NaN'))], error: { name: 'DivergedError', message: 'loss went up' }, resumes: [20] })]),
    cell('others', '# others', [], [output('completed'), output('interrupted'), output('crashed')]),
  ];
  fs.writeFileSync(path.join(root, NOTEBOOK), JSON.stringify({ cells, metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } }, nbformat: 4, nbformat_minor: 5 }));
}

/** The notebook's store, written by the SDK: four runs of an lr sweep (two completed, one failed, one interrupted and archived). */
async function writeStore(root: string): Promise<void> {
  const runs: Array<{ lr: number; layers: number; end?: 'failed' | 'interrupted' }> = [{ lr: 0.03, layers: 1 }, { lr: 0.1, layers: 2 }, { lr: 0.3, layers: 2, end: 'failed' }, { lr: 0.2, layers: 3, end: 'interrupted' }];
  for (const { lr, layers, end } of runs) {
    const run = init({ dir: path.join(root, STORE), notebook: NOTEBOOK, cell: { id: 'exp-cell' }, experiment: 'mnist', git: false, display: false, systemMetrics: false, hub: false, captureOutput: false, name: `mlp-lr${lr}`, tags: ['mnist'], params: { lr, layers, optimizer: 'adam' } });
    for (let step = 0; step < 60; step++) run.log({ loss: 2.3 * Math.exp(-step * lr) + 0.05, acc: 1 - Math.exp(-step * lr) * 0.9 }, { step });
    if (end === 'failed') await run.finish({ error: new RangeError('loss is NaN at step 60') });
    else await run.finish(end ? { status: end } : {});
  }
}

/** What one look at a surface found: nodes axe checked, SVG elements measured, what fell short. */
interface Check {
  checked: number;
  measured: number;
  failures: unknown[];
}

/** Both readability checks over `roots`; `lines` names the SVG strokes that must stand out too. */
async function readability(page: Page, roots: string[], lines?: string): Promise<Check> {
  const axe = await colorContrastViolations(page, roots);
  const svg = await Promise.all(roots.map((root) => svgContrastFailures(page, root, { lines })));
  return { checked: axe.checked, measured: svg.reduce((sum, result) => sum + result.measured, 0), failures: [...axe.violations, ...svg.flatMap((result) => result.failures)] };
}

function combine(checks: Check[]): Check {
  return { checked: checks.reduce((sum, c) => sum + c.checked, 0), measured: checks.reduce((sum, c) => sum + c.measured, 0), failures: checks.flatMap((c) => c.failures) };
}

/** Hides the left sidebar and drags the right one to `width` px, so the runs panel's table and compare view fit. */
async function roomForThePanel(page: Page, width: number): Promise<void> {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: /^View$/ }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Appearance$/ }).first().hover();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Show Left Sidebar$/ }).first().click();
  const handle = await page.evaluate(() => {
    const right = document.querySelector('#jp-right-stack')!.getBoundingClientRect();
    const handles = [...document.querySelectorAll('#jp-main-split-panel > .lm-SplitPanel-handle')].map((h) => h.getBoundingClientRect());
    const near = handles.sort((a, b) => Math.abs(a.right - right.left) - Math.abs(b.right - right.left))[0]!;
    return { x: near.left + near.width / 2, y: near.top + near.height / 2, viewport: window.innerWidth };
  });
  await page.mouse.move(handle.x, handle.y);
  await page.mouse.down();
  await page.mouse.move(handle.viewport - width, handle.y, { steps: 5 });
  await page.mouse.up();
}

const session = labSession('themes', writeNotebook);

describe('themes (real lab, Chromium): every trainbook surface is readable in light, dark and high contrast', () => {
  it('passes axe color-contrast and measured SVG contrast in each theme, views kept open across switches', async () => {
    const { lab, browser, root } = session;
    const { page } = browser;
    await writeStore(root);
    expect(runCli(['archive', 'mlp-lr0.2', path.join(root, STORE)], root).status).toBe(0);
    // A python kernel (lighter than tslab; nothing runs): the saved outputs are what is looked at.
    await page.goto(lab.url(NOTEBOOK));
    await page.waitForSelector('.jp-Notebook .jp-Cell .cm-content', { state: 'attached', timeout: 60_000 });
    // Once the kernel is idle nothing takes the focus any more (the command palette would close).
    await page.waitForFunction(() => /\| Idle/.test(document.body.innerText), undefined, { timeout: 60_000 });
    await page.waitForFunction(() => {
      const charts = [...document.querySelectorAll<HTMLElement>('.tb-RunOutput .tb-Chart')];
      return charts.length >= 3 && charts.every((chart) => chart.querySelector('svg .role-axis-label text'));
    }, undefined, { timeout: 60_000 });
    await expect.poll(() => page.locator('.tb-ExperimentBadge[data-kind="experiment"]').textContent(), { timeout: 20_000 }).toBe('experiment · 4 runs');

    await runCommand(page, 'Show Runs Panel');
    const panel = page.locator('#trainbook-runs');
    await roomForThePanel(page, 560);
    await expect.poll(() => panel.locator('.tb-RunsTable-row').count(), { timeout: 20_000 }).toBe(4);
    const box = (status: string) => panel.locator(`.tb-RunsTable-row[data-status="${status}"] input[type="checkbox"]`);
    /** Compares the two completed runs and the failed one (the view is drawn in the theme of the moment). */
    const compare = async () => {
      for (const status of ['completed', 'failed']) for (const one of await box(status).all()) await one.check();
      await panel.locator('.tb-RunsPanel-compare').click();
      await panel.locator('.tb-Compare-parallel svg.tb-Parallel').waitFor({ state: 'attached', timeout: 20_000 });
    };

    // Compared in the first theme; each theme switch then finds a view drawn in the theme before.
    await compare();
    await expect.poll(() => panel.locator('.tb-Compare .tb-Chart svg .role-axis-label text').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await panel.locator('.tb-DiffTable tr.tb-mod-differs').count()).toBeGreaterThan(0);

    const report: Record<string, Record<'output' | 'table' | 'compare' | 'details', Check>> = {};
    for (const [slug, theme] of THEMES) {
      await useTheme(page, theme);
      // Live outputs redraw their charts in the new theme; let the redraw settle.
      await page.waitForTimeout(1500);

      // The notebook: each cell's badge and outputs in view in turn (axe skips what is scrolled away).
      const output: Check[] = [];
      for (let cell = 1; cell <= 4; cell++) {
        const node = `.jp-Notebook .jp-Cell:nth-child(${cell})`;
        await page.locator(node).scrollIntoViewIfNeeded();
        output.push(await readability(page, [`${node} .tb-ExperimentBadge`, `${node} .tb-RunOutput`]));
        if (cell === 1) await screenshot(page, `themes-${slug}-output.png`);
      }
      await page.locator('.jp-Notebook .jp-Cell:nth-child(3)').scrollIntoViewIfNeeded();
      await screenshot(page, `themes-${slug}-output-statuses.png`);

      // The compare view, drawn in the theme before.
      await panel.locator('.tb-Compare').scrollIntoViewIfNeeded();
      const compareCheck = await readability(page, ['#trainbook-runs .tb-Compare'], '.tb-Parallel-axis');
      await screenshot(page, `themes-${slug}-compare.png`);
      await panel.locator('.tb-Compare-parallel').scrollIntoViewIfNeeded();
      await screenshot(page, `themes-${slug}-parallel.png`);

      // One run selected: its details (the failed run: its error); the table, scrolled to both ends; a query error.
      for (const one of await box('completed').all()) await one.uncheck();
      await panel.locator('.tb-RunDetails').waitFor({ state: 'visible', timeout: 10_000 });
      await panel.locator('.tb-RunsPanel-query').scrollIntoViewIfNeeded();
      const table: Check[] = [await readability(page, ['#trainbook-runs .tb-RunsPanel-tableWrap', '#trainbook-runs .tb-RunsPanel-bar', '#trainbook-runs .tb-RunsPanel-summary'])];
      await panel.locator('.tb-RunsPanel-tableWrap').evaluate((wrap) => (wrap.scrollLeft = wrap.scrollWidth));
      table.push(await readability(page, ['#trainbook-runs .tb-RunsPanel-tableWrap']));
      await panel.locator('.tb-RunsPanel-tableWrap').evaluate((wrap) => (wrap.scrollLeft = 0));
      const details = await readability(page, ['#trainbook-runs .tb-RunDetails']);
      await screenshot(page, `themes-${slug}-details.png`);
      await panel.locator('.tb-RunsPanel-query').fill('loss <');
      await panel.locator('.tb-RunsPanel-queryError').waitFor({ state: 'visible', timeout: 10_000 });
      table.push(await readability(page, ['#trainbook-runs .tb-RunsPanel-queryError']));
      await panel.locator('.tb-RunsPanel-query').fill('');
      await expect.poll(() => panel.locator('.tb-RunsTable-row').count()).toBe(4);
      await compare();

      report[slug] = { output: combine(output), table: combine(table), compare: compareCheck, details };
    }
    // What was checked and found, for reading beside the screenshots.
    fs.writeFileSync(path.join(ARTIFACTS, 'themes-report.json'), JSON.stringify(report, null, 1));
    for (const [slug, checks] of Object.entries(report)) {
      // Each look saw what it is about (an axe run over nothing passes too).
      expect(checks.output.checked, `${slug}: nodes axe checked in the run outputs and badges`).toBeGreaterThan(30);
      expect(checks.output.measured, `${slug}: SVG text measured in the run outputs`).toBeGreaterThan(30);
      expect(checks.table.checked, `${slug}: nodes axe checked in the runs table`).toBeGreaterThan(20);
      expect(checks.compare.checked, `${slug}: nodes axe checked in the compare view`).toBeGreaterThan(10);
      expect(checks.compare.measured, `${slug}: SVG text and lines measured in the compare view`).toBeGreaterThan(30);
      expect(checks.details.checked, `${slug}: nodes axe checked in the details`).toBeGreaterThan(3);
    }
    const failures = Object.fromEntries(Object.entries(report).map(([slug, checks]) => [slug, Object.fromEntries(Object.entries(checks).map(([surface, c]) => [surface, c.failures]))]));
    expect(failures).toEqual(Object.fromEntries(THEMES.map(([slug]) => [slug, { output: [], table: [], compare: [], details: [] }])));
    expect(browser.errors).toEqual([]);
    expect(browser.external).toEqual([]);
  }, 300_000);
});
