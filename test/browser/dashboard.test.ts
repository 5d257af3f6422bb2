/**
 * The runs dashboard in a real JupyterLab (with trainbook's server extension) and Chromium, over
 * stores written by the SDK (tests/browser/dashboardStores.ts: a notebook of 3 runs and one of 200):
 * opened from the palette on a notebook and from the file browser's context menu on a folder,
 * three runs compared (charts with smoothing, log scale and every x axis, a legend click that
 * hides a run in every chart, the hyperparameter views), a run that trains while it is compared,
 * axe's color-contrast in Light, Dark and Dark High Contrast, a report written through the server,
 * all 203 runs of the folder, and both tabs back after a reload. Screenshots
 * dashboard-<light|dark>-<3|200>runs.png land in test-artifacts/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../../sdk/src/index.js';
import { makeLabRoot, openBrowser, runCommand, screenshot, startLab, type Browser, type Lab } from '../helpers/lab.js';
import { colorContrastViolations, svgContrastFailures, useTheme, wcagViolations } from '../helpers/contrast.js';
import { CLI, requireBuilt, ROOT } from '../helpers/sdk.js';
import { writeDashboardStores, type DashboardRun } from './dashboardStores.js';

let lab: Lab;
let browser: Browser;
let root: string;
let runs: { mnist: DashboardRun[]; sweep: DashboardRun[] };

beforeAll(async () => {
  requireBuilt();
  root = makeLabRoot('dashboard');
  fs.mkdirSync(path.join(root, 'exp'));
  runs = await writeDashboardStores(path.join(root, 'exp'));
  const configDir = path.join(root, '.jupyter-config');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(path.join(configDir, 'jupyter_server_config.json'), JSON.stringify({ ServerApp: { jpserver_extensions: { trainbook_server: true } }, TrainbookServer: { node: process.execPath, cli: CLI } }));
  lab = await startLab(root, { TRAINBOOK_HUB: '', PYTHONPATH: path.join(ROOT, 'sdk', 'python') });
  browser = await openBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
}, 60_000);

describe('the runs dashboard (real lab, server extension, Chromium)', () => {
  it('opens from the palette on the current notebook and compares the selected runs', async () => {
    const { page } = browser;
    await page.goto(lab.url('exp/mnist.ipynb'));
    await page.waitForSelector('.jp-Notebook', { timeout: 60_000 });
    await page.locator('.jp-NotebookPanel-toolbar [data-command="trainbook:open-dashboard"]').waitFor({ timeout: 30_000 });
    await runCommand(page, 'Open Runs Dashboard');
    const tab = page.locator('.tb-Dashboard').first();
    await tab.locator('.tb-DashTable tbody tr[data-run-id]').first().waitFor({ timeout: 30_000 });
    expect(await tab.locator('.tb-DashTable tbody tr[data-run-id]').count()).toBe(3);
    await expect.poll(() => tab.locator('.tb-Dashboard-empty').isVisible()).toBe(true);
    for (const run of runs.mnist) await tab.locator(`tr[data-run-id="${run.id}"] input[type="checkbox"]`).check();
    await tab.locator('.tb-DashChart[data-metric="loss"] svg').waitFor({ timeout: 30_000 });
    expect(await tab.locator('.tb-DashChart').count()).toBe(3);
    expect(await tab.locator('.tb-DashChart[data-metric="loss"] .tb-DashChart-points').textContent()).toMatch(/^\d[\d,]* of 360 points drawn$/);
    expect(await tab.locator('.tb-DashHyper svg.tb-Parallel polyline').count()).toBe(3);
    expect(await tab.locator('.tb-DashHyper .tb-DiffTable tr[data-param="lr"]').getAttribute('data-differs')).toBe('true');
    await expect.poll(() => tab.locator('.tb-DashHyper-scatterPlot').getAttribute('data-points')).toBe('3');
    // Smoothing and log scale keep one chart per metric.
    await tab.locator('.tb-DashCharts-smoothing').fill('0.8');
    await expect.poll(() => tab.locator('.tb-DashCharts-smoothingValue').textContent()).toBe('0.80');
    await tab.locator('.tb-DashCharts-log').check();
    await expect.poll(() => tab.locator('.tb-DashChart svg').count()).toBe(3);
    await screenshot(page, 'dashboard-light-3runs.png');
  });

  it('has no WCAG 2 A/AA violations (axe-core) over the tab, top to bottom', async () => {
    const { page } = browser;
    const tab = page.locator('.tb-Dashboard').first();
    const found: string[] = [];
    let checked = 0;
    for (const end of [false, true]) {
      await tab.evaluate((node, end) => node.scrollTo(0, end ? node.scrollHeight : 0), end);
      await page.waitForTimeout(200);
      const result = await wcagViolations(page, ['.tb-Dashboard']);
      checked += result.checked;
      found.push(...result.violations);
    }
    expect(checked).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });

  it('redraws the charts in the dark theme', async () => {
    const { page } = browser;
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Settings' }).click();
    await page.locator('.lm-Menu-item', { hasText: 'Theme' }).first().hover();
    await page.getByRole('menuitem', { name: 'JupyterLab Dark', exact: true }).click();
    await page.waitForFunction(() => document.body.dataset.jpThemeLight === 'false', undefined, { timeout: 20_000 });
    const tab = page.locator('.tb-Dashboard').first();
    await expect.poll(() => tab.locator('.tb-DashChart svg').count()).toBe(3);
    await page.waitForTimeout(500);
    // A view made while the theme switched measures its container again (it measured 0 once).
    await expect.poll(async () => Number(await tab.locator('.tb-DashHyper-scatterPlot svg').getAttribute('width'))).toBeGreaterThan(300);
    await tab.evaluate((node) => node.scrollTo(0, 0));
    await screenshot(page, 'dashboard-dark-3runs.png');
    await tab.locator('.tb-Dashboard-hyperSection').scrollIntoViewIfNeeded();
    await screenshot(page, 'dashboard-dark-3runs-hyperparameters.png');
  });

  it('reads well in Light, Dark and Dark High Contrast (axe color-contrast, and SVG text measured, over the tab)', async () => {
    const { page } = browser;
    const found: Record<string, string[]> = {};
    for (const theme of ['JupyterLab Dark High Contrast', 'JupyterLab Light', 'JupyterLab Dark']) {
      await useTheme(page, theme);
      await expect.poll(() => page.locator('.tb-Dashboard .tb-DashChart svg').count()).toBe(3);
      let checked = 0;
      // axe checks what is in view: the tab's top (toolbar, table, charts), then its end (hyperparameters, report bar).
      for (const end of [false, true]) {
        await page.locator('.tb-Dashboard').first().evaluate((node, end) => node.scrollTo(0, end ? node.scrollHeight : 0), end);
        await page.waitForTimeout(200);
        const result = await colorContrastViolations(page, ['.tb-Dashboard']);
        // SVG text (axes, legends, parallel coordinates' names) and the parallel axes, which axe skips.
        const svg = await svgContrastFailures(page, '.tb-Dashboard', { lines: '.tb-Parallel-axis' });
        checked += result.checked + svg.measured;
        const failures = [...result.violations, ...svg.failures.map((failure) => `${failure.what} "${failure.text}" ${failure.color} on ${failure.background}: ${failure.ratio.toFixed(2)} < ${failure.required}`)];
        if (failures.length > 0) found[`${theme}${end ? ' (end)' : ''}`] = failures;
      }
      expect(checked, theme).toBeGreaterThan(20);
    }
    expect(found).toEqual({});
  });

  it('a run hidden in one legend is hidden in every chart (its entry drawn faint, as Vega-Lite draws an inactive one)', async () => {
    const { page } = browser;
    const tab = page.locator('.tb-Dashboard').first();
    const label = (metric: string) => tab.locator(`.tb-DashChart[data-metric="${metric}"] .role-legend-label text`, { hasText: 'mlp-lr0.1' });
    await label('loss').click();
    await expect.poll(() => label('acc').getAttribute('opacity')).toBe('0.35');
    await expect.poll(() => label('val_loss').getAttribute('opacity')).toBe('0.35');
    expect(await label('loss').getAttribute('opacity')).toBe('0.35');
  });

  it('writes the report through the server and offers to open it', async () => {
    const { page } = browser;
    const tab = page.locator('.tb-Dashboard').first();
    await tab.locator('.tb-ReportBar-write').click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.waitFor({ timeout: 10_000 });
    expect(await dialog.locator('input').inputValue()).toBe('exp/mnist-report.html');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await tab.locator('.tb-ReportBar-open').waitFor({ timeout: 60_000 });
    expect(await tab.locator('.tb-ReportBar-status').textContent()).toMatch(/Wrote .*mnist-report\.html \(3 runs/);
    expect(fs.existsSync(path.join(root, 'exp', 'mnist-report.html'))).toBe(true);
    await tab.locator('.tb-ReportBar-copyReport').click();
    const ids = runs.mnist.map((run) => run.id);
    await expect.poll(() => tab.locator('.tb-ReportBar-status').textContent()).toMatch(new RegExp(`^Copied: trainbook report exp/mnist\\.ipynb --runs (${ids.join('|')})(,(${ids.join('|')})){2} -o report\\.html$`));
    await tab.locator('.tb-ReportBar-write').click();
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    await tab.locator('.tb-ReportBar-open').click();
    const reportTab = page.locator('.lm-TabBar-tab', { hasText: 'mnist-report.html' });
    await reportTab.waitFor({ timeout: 30_000 });
    // Trusted: the report's own scripts run in the viewer's sandbox (its charts become interactive).
    await expect.poll(() => page.locator('iframe[sandbox*="allow-scripts"]').count(), { timeout: 20_000 }).toBe(1);
    // A restored HTML viewer is untrusted again (JupyterLab's rule): closed, so the reload below
    // shows no blocked scripts; not at once (closing while JupyterLab still lays out its reactive
    // toolbar logs "Error while computing the ReactiveToolbar").
    await page.waitForTimeout(1_500);
    await reportTab.locator('.lm-TabBar-tabCloseIcon').click();
    await page.locator('.lm-TabBar-tab', { hasText: 'Runs: mnist.ipynb' }).click();
  });

  it('draws on the relative and wall-clock x axes', async () => {
    const { page } = browser;
    const tab = page.locator('.tb-Dashboard').first();
    for (const [axis, title] of [['epoch', 'epoch'], ['relative', 'seconds since start'], ['wall', 'time'], ['step', 'step']] as const) {
      await tab.locator('.tb-DashCharts-xAxis').selectOption(axis);
      await expect.poll(() => tab.locator('.tb-DashChart[data-metric="loss"] .role-axis-title text').first().textContent()).toBe(title);
    }
    expect(await tab.locator('.tb-DashChart svg').count()).toBe(3);
  });

  it('opens a folder from the file browser context menu: every store in it', async () => {
    const { page } = browser;
    // The file browser shows exp/ (the notebook's folder): go up to the root, where exp is a folder item.
    await page.locator('.jp-BreadCrumbs-home').click();
    const folder = page.locator('.jp-DirListing-item[data-isdir="true"]', { hasText: 'exp' }).first();
    await folder.click();
    await folder.click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Open in Runs Dashboard' }).click();
    const tab = page.locator('.tb-Dashboard[data-notebooks="2"]');
    await expect.poll(() => tab.getAttribute('data-runs'), { timeout: 30_000 }).toBe('203');
    await screenshot(page, 'dashboard-dark-200runs-table.png');
    // Every run selected: the first 50 are charted, and the charts say how many are left out.
    await tab.locator('.tb-DashTable thead input[type="checkbox"]').check();
    await expect.poll(() => tab.getAttribute('data-compared'), { timeout: 60_000 }).toBe('50');
    await expect.poll(() => tab.locator('.tb-DashCharts-message').textContent(), { timeout: 30_000 }).toMatch(/153 more selected runs are not charted \(at most 50 at once\)/);
    await expect.poll(() => tab.locator('.tb-DashChart[data-metric="loss"]').getAttribute('data-runs'), { timeout: 30_000 }).toBe('50');
    expect(await tab.locator('.tb-DashHyper svg.tb-Parallel polyline').count()).toBe(50);
    await screenshot(page, 'dashboard-dark-200runs.png');
    await useTheme(page, 'JupyterLab Light');
    await expect.poll(() => tab.locator('.tb-DashChart[data-metric="loss"] svg').count(), { timeout: 30_000 }).toBe(1);
    await page.waitForTimeout(500);
    await screenshot(page, 'dashboard-light-200runs.png');
  });

  it('brings both tabs back after a reload, the selection and settings included', async () => {
    const { page } = browser;
    await page.waitForTimeout(1_500); // the workspace is saved after a short pause
    await page.goto(lab.url('exp/mnist.ipynb', { reset: false }));
    await expect.poll(() => page.locator('.lm-TabBar-tab', { hasText: 'Runs:' }).count(), { timeout: 60_000 }).toBe(2);
    await screenshot(page, 'dashboard-restored.png');
    // The notebook in the URL opens (and comes to the front) as the lab starts: then the dashboard's tab is brought forward.
    await page.waitForFunction(() => /TypeScript \| Idle/.test(document.body.innerText), undefined, { timeout: 60_000 });
    const tab = page.locator('.tb-Dashboard[data-notebooks="1"]');
    await page.locator('.lm-TabBar-tab', { hasText: 'Runs: mnist.ipynb' }).click();
    await expect.poll(() => tab.isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => tab.getAttribute('data-compared'), { timeout: 30_000 }).toBe('3');
    expect(await tab.locator('.tb-DashCharts-log').isChecked()).toBe(true);
    expect(await tab.locator('.tb-DashCharts-smoothingValue').textContent()).toBe('0.80');
    // The run hidden before the reload is hidden again.
    await expect.poll(() => tab.locator('.tb-DashChart[data-metric="acc"] .role-legend-label text', { hasText: 'mlp-lr0.1' }).getAttribute('opacity'), { timeout: 20_000 }).toBe('0.35');
    expect(browser.errors).toEqual([]);
  }, 120_000);

  it('follows a run that trains while it is compared: its curve grows in place, its status ends completed', async () => {
    const { page } = browser;
    const tab = page.locator('.tb-Dashboard[data-notebooks="1"]');
    const live = init({ dir: path.join(root, 'exp', 'mnist.trainbook'), notebook: 'mnist.ipynb', git: false, display: false, systemMetrics: false, hub: false, name: 'live', params: { lr: 0.2, optimizer: 'adam', layers: 2 } });
    const logSteps = (from: number, to: number): void => {
      for (let step = from; step < to; step++) live.log({ loss: 2 / (step + 2) }, { step });
      live.flush();
    };
    logSteps(0, 40);
    const row = tab.locator(`tr[data-run-id="${live.id}"]`);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('running');
    await row.locator('input[type="checkbox"]').check();
    const chart = tab.locator('.tb-DashChart[data-metric="loss"]');
    // The three mnist runs' 120 points each, and the live run's so far.
    await expect.poll(async () => Number(await chart.getAttribute('data-logged')), { timeout: 30_000 }).toBe(360 + 40);
    await expect.poll(() => chart.getAttribute('data-runs')).toBe('4');
    logSteps(40, 100);
    await expect.poll(async () => Number(await chart.getAttribute('data-logged')), { timeout: 30_000 }).toBe(360 + 100);
    expect(await chart.locator('svg').count()).toBe(1);
    await live.finish();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('completed');
    expect(browser.errors).toEqual([]);
    expect(browser.external).toEqual([]);
  }, 120_000);

  it("opens from the notebook's toolbar and from the runs panel too, each time a tab of its own", async () => {
    const { page } = browser;
    const tabs = page.locator('.lm-TabBar-tab', { hasText: 'Runs: mnist.ipynb' });
    const before = await tabs.count();
    await page.locator('.lm-TabBar-tab', { hasText: /^mnist\.ipynb$/ }).click();
    await page.locator('.jp-NotebookPanel-toolbar [data-command="trainbook:open-dashboard"]').first().click();
    await expect.poll(() => tabs.count(), { timeout: 20_000 }).toBe(before + 1);
    await page.locator('.lm-TabBar-tab', { hasText: /^mnist\.ipynb$/ }).click();
    await runCommand(page, 'Show Runs Panel');
    await page.locator('#trainbook-runs .tb-RunsPanel-dashboard').click();
    await expect.poll(() => tabs.count(), { timeout: 20_000 }).toBe(before + 2);
    const newest = page.locator('.tb-Dashboard[data-notebooks="1"]:visible');
    await expect.poll(() => newest.getAttribute('data-runs'), { timeout: 30_000 }).toBe('4');
    expect(browser.errors).toEqual([]);
  }, 60_000);
});
