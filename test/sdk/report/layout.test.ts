import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type Browser } from '../../helpers/lab.js';
import { requireBuilt, ROOT, runCli, runScript } from '../../helpers/sdk.js';
import { makeStore } from './fixtures.js';
import * as os from 'node:os';

// A report as a user makes one: a git checkout, a notebook's runs with thousands of points, long
// metric names, system metrics sampled only once or twice (a short run), params that differ.
let dir: string;
let reportFile: string;
/** The report of the other tests' fixtures: failed and hostile runs, tags, a parameter diff, code, output. */
let fixturesReport: string;
let browser: Browser;
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

beforeAll(async () => {
  requireBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-report-layout-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'first');
  fs.writeFileSync(path.join(dir, 'train.ipynb'), '{}');
  const made = runScript(dir, `
for (const [i, lr] of [0.01, 0.001].entries()) {
  const run = tb.init({ notebook: 'train.ipynb', name: i ? 'small-lr' : 'baseline', params: { lr, batchSize: 32, optimizer: 'adam' }, systemMetrics: false });
  for (let step = 0; step < 2609; step++) run.log({ 'batch/loss': 2 * Math.exp(-step / 500) + 0.01 * Math.sin(step), 'batch/accuracy': 1 - Math.exp(-step / 400) });
  for (let epoch = 0; epoch < 5; epoch++) run.log({ val_loss: 1 / (epoch + 1 + i), val_accuracy: 0.5 + epoch / 10 }, { epoch });
  const t = Date.now();
  run.logSystem({ 'sys/cpu_percent': 40 + i, 'sys/process_memory_rss_mb': 312.5 }, 0, t);
  if (i === 0) run.logSystem({ 'sys/cpu_percent': 55, 'sys/process_memory_rss_mb': 340 }, 1, t + 5000);
  await run.finish();
}`);
  if (made.status !== 0) throw new Error(made.stderr);
  reportFile = path.join(dir, 'report.html');
  const result = runCli(['report', 'train.ipynb', '-o', 'report.html', '--title', 'Learning-rate sweep'], dir);
  if (result.status !== 0) throw new Error(`report failed (${result.status}):\n${result.stderr}`);
  fs.mkdirSync(path.join(dir, 'fixtures'));
  makeStore(path.join(dir, 'fixtures'));
  fixturesReport = path.join(dir, 'fixtures', 'report.html');
  const fixtures = runCli(['report', 'train.ipynb', '-o', 'report.html'], path.join(dir, 'fixtures'));
  if (fixtures.status !== 0) throw new Error(`report failed (${fixtures.status}):\n${fixtures.stderr}`);
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function openReport(file = reportFile) {
  const page = await browser.newPage();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-report-ready]', { state: 'attached', timeout: 15_000 });
  return page;
}

describe('the report\'s layout', () => {
  it('keeps the final-metrics table inside its column, clear of the provenance beside it', async () => {
    const page = await openReport();
    const run = page.locator('article.run').first();
    await run.scrollIntoViewIfNeeded();
    await run.screenshot({ path: path.join(ARTIFACTS, 'report-run-details.png') });
    const overlap = await page.evaluate(() => {
      const grid = document.querySelector('article.run .run-grid')!;
      const [, metrics, provenance] = [...grid.children] as HTMLElement[];
      const table = metrics!.querySelector('table')!.getBoundingClientRect();
      return { tableRight: table.right, metricsRight: metrics!.getBoundingClientRect().right, provenanceLeft: provenance!.getBoundingClientRect().left };
    });
    expect(overlap.tableRight).toBeLessThanOrEqual(overlap.metricsRight + 0.5);
    expect(overlap.tableRight).toBeLessThanOrEqual(overlap.provenanceLeft);
    await page.close();
  });

  it('shows each summary card\'s text whole', async () => {
    const page = await openReport();
    const summary = page.locator('#summary');
    await summary.screenshot({ path: path.join(ARTIFACTS, 'report-summary.png') });
    const cut = await page.$$eval('#summary .card *', (elements) => elements.filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible').map((el) => el.textContent));
    expect(cut).toEqual([]);
    await page.close();
  });

  it('shows system metrics sampled once or twice as values, not as near-empty charts', async () => {
    const page = await openReport();
    const titles = await page.$$eval('figure.chart figcaption, figure.chart h3', (els) => els.map((el) => el.textContent ?? ''));
    expect(titles.some((title) => title.includes('sys/'))).toBe(false);
    const few = page.locator('.few-points');
    expect(await few.count()).toBeGreaterThan(0);
    const text = await few.first().innerText();
    expect(text).toContain('sys/cpu_percent');
    expect(text).toContain('55');
    await few.first().screenshot({ path: path.join(ARTIFACTS, 'report-few-points.png') });
    await page.close();
  });

  // Old: colour-contrast and link-in-text-block violations (links in the summary cards told from text by colour only).
  it.each([
    ['this report', 'light'],
    ['this report', 'dark'],
    ['the fixtures\' report', 'light'],
    ['the fixtures\' report', 'dark'],
  ] as const)('has no WCAG 2 A/AA violations (axe-core) in %s, %s', async (which, colorScheme) => {
    const page = await openReport(which === 'this report' ? reportFile : fixturesReport);
    await page.emulateMedia({ colorScheme });
    const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    // The report's CSP forbids inline scripts: axe's source is evaluated through the DevTools protocol.
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: { run: (context: Document, options: unknown) => Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[]; failureSummary: string }> }> }> } }).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] });
      return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 3).map((node) => `${node.target.join(' ')}: ${node.failureSummary}`) }));
    });
    expect(violations).toEqual([]);
    await page.close();
  });
});
