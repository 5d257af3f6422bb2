import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuilt } from '../helpers/sdk.js';
import { makeLabRoot, openBrowser, openNotebook, runCommand, screenshot, startLab, type Browser, type Lab } from '../helpers/lab.js';

const PARAMS = (lr: number) => `const lr = ${lr};\nconst optimizer = { name: "adam", betas: [0.9, 0.999], };`;
const EXPERIMENT = [
  "import * as trainbook from 'trainbook';",
  '// The run context the extension set: params from the parameters cell.',
  'const lrFromContext: number = (globalThis as any).__trainbook_context.params.lr;',
  'const run = trainbook.init();',
  'for (let step = 0; step < 5; step++) run.log({ loss: lrFromContext * (5 - step) }, { step });',
  'await run.finish();',
].join('\n');

function notebook(): string {
  const cell = (id: string, source: string, tags: string[]) => ({ cell_type: 'code', id, metadata: tags.length ? { tags } : {}, source, outputs: [], execution_count: null });
  return JSON.stringify({
    cells: [cell('params-cell', PARAMS(0.1), ['parameters']), cell('exp-cell', EXPERIMENT, [])],
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

let lab: Lab;
let browser: Browser;
let root: string;

beforeAll(async () => {
  requireBuilt();
  root = makeLabRoot('exp');
  fs.writeFileSync(path.join(root, 'exp.ipynb'), notebook());
  lab = await startLab(root);
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
}, 60_000);

describe('cell experiments and the runs panel (real lab, tslab, Chromium)', () => {
  it('tags a cell, records three runs with their params, filters to two and compares them', async () => {
    const { page } = browser;
    await openNotebook(page, lab.url('exp.ipynb'));
    const cells = page.locator('.jp-Notebook .jp-Cell');
    const paramsCell = cells.nth(0);
    const expCell = cells.nth(1);
    await expect.poll(() => paramsCell.locator('.tb-ExperimentBadge[data-kind="parameters"]').count()).toBe(1);

    // Tag the experiment cell with its cell-toolbar button.
    await expCell.locator('.jp-InputPrompt').click();
    const button = expCell.locator('.jp-cell-toolbar [data-command="trainbook:toggle-experiment"]');
    await button.waitFor({ state: 'visible', timeout: 10_000 });
    await button.click();
    const badge = expCell.locator('.tb-ExperimentBadge[data-kind="experiment"]');
    await badge.waitFor({ state: 'attached', timeout: 10_000 });
    expect(await badge.getAttribute('data-runs')).toBe('0');

    for (const lr of [0.1, 0.2, 0.3]) {
      await paramsCell.locator('.cm-content').click();
      await page.keyboard.press('Control+a');
      await page.keyboard.insertText(PARAMS(lr));
      await expCell.locator('.cm-content').click();
      await page.keyboard.press('Control+Enter');
      await expect.poll(async () => badge.getAttribute('data-runs'), { timeout: 90_000 }).toBe(String([0.1, 0.2, 0.3].indexOf(lr) + 1));
    }
    await expect.poll(() => badge.textContent()).toBe('experiment · 3 runs');

    // The store holds the three SDK runs (no duplicates) and one execution record each.
    const store = path.join(root, 'exp.trainbook');
    const runIds = fs.readdirSync(path.join(store, 'runs')).sort();
    expect(runIds).toHaveLength(3);
    const records = runIds.map((id) => JSON.parse(fs.readFileSync(path.join(store, 'runs', id, 'run.json'), 'utf8')));
    expect(records.map((r) => r.params.lr)).toEqual([0.1, 0.2, 0.3]);
    expect(records.every((r) => r.params['optimizer.name'] === 'adam' && r.cell.id === 'exp-cell')).toBe(true);
    const executions = fs.readdirSync(path.join(store, 'executions')).map((f) => JSON.parse(fs.readFileSync(path.join(store, 'executions', f), 'utf8')));
    expect(executions).toHaveLength(3);
    expect(executions.every((e) => e.success && !e.synthesized && e.runs.length === 1 && e.cell.id === 'exp-cell')).toBe(true);
    expect(executions.map((e) => e.runs[0]).sort()).toEqual(runIds);
    // The real execution counts; tslab counts the silent context requests too, so they are not 1, 2, 3.
    const counts = executions.map((e) => e.cell.executionCount as number).sort((a, b) => a - b);
    expect(counts.every((c, i) => Number.isInteger(c) && (i === 0 || c > counts[i - 1]!))).toBe(true);
    expect(await expCell.locator('.jp-InputPrompt').textContent()).toContain(`[${counts[2]}]`);
    // Once the kernel's counting is known, the run context predicts the count the SDK records.
    const sdkCounts = records.map((r) => r.cell.executionCount);
    expect(sdkCounts.slice(1)).toEqual(counts.slice(1));

    // The runs panel lists them, filters, and reports a bad query with its position.
    await runCommand(page, 'Show Runs Panel');
    const panel = page.locator('#trainbook-runs');
    await expect.poll(() => panel.locator('.tb-RunsTable-row').count(), { timeout: 20_000 }).toBe(3);
    const query = panel.locator('.tb-RunsPanel-query');
    await query.fill('loss <');
    await expect.poll(() => panel.locator('.tb-RunsPanel-queryError').textContent()).toMatch(/column 7: expected a value/);
    await query.fill('loss < 0.25 and optimizer.name = "adam"');
    await expect.poll(() => panel.locator('.tb-RunsTable-row').count()).toBe(2);
    expect(await panel.locator('.tb-RunsPanel-queryError').isHidden()).toBe(true);

    // Compare the two.
    const boxes = panel.locator('.tb-RunsTable-row input[type="checkbox"]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await panel.locator('.tb-RunsPanel-compare').click();
    await panel.locator('.tb-DiffTable').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await panel.locator('.tb-DiffTable tr[data-param="lr"]').getAttribute('data-differs')).toBe('true');
    expect(await panel.locator('.tb-DiffTable tr[data-param="optimizer.name"]').getAttribute('data-differs')).toBe('false');
    const chart = panel.locator('.tb-Compare .tb-Chart[data-metric="loss"]');
    await chart.waitFor({ state: 'attached', timeout: 20_000 });
    expect(await chart.getAttribute('data-runs')).toBe('2');
    await expect.poll(() => chart.locator('path[aria-roledescription="line mark"], .mark-line path').count(), { timeout: 20_000 }).toBe(2);
    await panel.locator('.tb-Compare').scrollIntoViewIfNeeded();
    await screenshot(page, 'experiments-compare.png');
    expect(browser.errors).toEqual([]);
    expect(browser.external).toEqual([]);
  }, 300_000);
});
