import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labSession, openNotebook, runCommand, screenshot } from '../helpers/lab.js';
import { runCli } from '../helpers/sdk.js';

const PARAMS = (lr: number) => `const lr = ${lr};\nconst optimizer = { name: "adam", betas: [0.9, 0.999], };`;
const EXPERIMENT = [
  "import * as trainbook from 'trainbook';",
  '// The run context the extension set: params from the parameters cell.',
  'const lrFromContext: number = (globalThis as any).__trainbook_context.params.lr;',
  "const run = trainbook.init({ tags: ['mnist'], tagValues: { workers: Math.round(lrFromContext * 10), hpo: 'byopt' } });",
  'for (let step = 0; step < 5; step++) run.log({ loss: lrFromContext * (5 - step) }, { step });',
  'console.log("training with lr", lrFromContext, "<b>not bold</b>");',
  'await run.finish();',
].join('\n');

const SLOW_STEPS = 25;
const SLOW_EXPERIMENT = [
  "import * as trainbook from 'trainbook';",
  'const slow = trainbook.init();',
  `for (let step = 0; step < ${SLOW_STEPS}; step++) {`,
  '  slow.log({ loss: 1 / (step + 1) }, { step });',
  '  await new Promise((resolve) => setTimeout(resolve, 400));',
  '}',
  'await slow.finish();',
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

/** Pids of the processes whose command line contains `text` (read from /proc). */
function processesWith(text: string): number[] {
  return fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  }).map(Number);
}

const session = labSession('exp', (root) => fs.writeFileSync(path.join(root, 'exp.ipynb'), notebook()));

describe('cell experiments and the runs panel (real lab, tslab, Chromium)', () => {
  it('tags a cell, records three runs with their params, filters to two and compares them', async () => {
    const { lab, browser, root } = session;
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
    // No hub configured on this server: nothing of the team shows.
    expect(await panel.locator('.tb-RunsPanel-team').isHidden()).toBe(true);
    expect(await panel.locator('.tb-RunsPanel-teamLine').isHidden()).toBe(true);
    const query = panel.locator('.tb-RunsPanel-query');
    // Tags: a column (labels, then key=value) and the query's tag / tags.<key> fields.
    expect(await panel.locator('th[data-column="tags"]').textContent()).toBe('tags');
    const tagCells = await panel.locator('.tb-RunsTable-row td[data-column="tags"]').allTextContents();
    expect([...tagCells].sort()).toEqual([1, 2, 3].map((w) => `mnist, workers=${w}, hpo=byopt`));
    await query.fill('tag = "mnist" and tags.workers >= 2 and tags.hpo = "byopt"');
    await expect.poll(() => panel.locator('.tb-RunsTable-row').count()).toBe(2);
    await query.fill('not tag ~ "mni"');
    await expect.poll(() => panel.locator('.tb-RunsTable-row').count()).toBe(0);
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

    // Sorting by a metric's lowest value: the stat choice changes the cells and the order.
    await query.fill('');
    await expect.poll(() => panel.locator('.tb-RunsTable-row').count()).toBe(3);
    await panel.locator('.tb-RunsPanel-stat').selectOption('max');
    await panel.locator('th[data-column="metric:loss"]').click();
    const maxima = await panel.locator('.tb-RunsTable-row td[data-column="metric:loss"]').evaluateAll((cells) => cells.map((c) => c.firstChild?.textContent ?? ''));
    expect(maxima.map(Number)).toEqual([0.5, 1, 1.5]);
    await panel.locator('.tb-RunsPanel-stat').selectOption('last');

    // Three runs: parallel coordinates with one line per run over lr and loss.
    for (let i = 0; i < 3; i++) await panel.locator('.tb-RunsTable-row input[type="checkbox"]').nth(i).check();
    await panel.locator('.tb-RunsPanel-compare').click();
    const parallel = panel.locator('.tb-Compare-parallel svg.tb-Parallel');
    await parallel.waitFor({ state: 'attached', timeout: 10_000 });
    expect(Number(await parallel.getAttribute('data-dimensions'))).toBeGreaterThanOrEqual(2);
    expect(await parallel.locator('polyline.tb-Parallel-line').count()).toBe(3);
    const axisLabels = await parallel.locator('text').allTextContents();
    expect(axisLabels).toEqual(expect.arrayContaining(['lr', 'loss']));
    await expect.poll(() => panel.locator('.tb-Compare .tb-Chart[data-metric="loss"]').getAttribute('data-runs'), { timeout: 20_000 }).toBe('3');
    await panel.locator('.tb-Compare-parallel').scrollIntoViewIfNeeded();
    await screenshot(page, 'experiments-parallel.png');

    // A live comparison: compare a run while it trains; its curve grows until it ends.
    await expCell.locator('.cm-content').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText(SLOW_EXPERIMENT);
    await page.keyboard.press('Control+Enter');
    await panel.locator('.tb-RunsTable-row[data-status="running"]').waitFor({ state: 'attached', timeout: 30_000 });
    const slowId = await panel.locator('.tb-RunsTable-row[data-status="running"]').getAttribute('data-run-id');
    const runningBox = panel.locator(`.tb-RunsTable-row[data-run-id="${slowId}"] input[type="checkbox"]`);
    for (const id of runIds.slice(1)) await panel.locator(`.tb-RunsTable-row[data-run-id="${id}"] input[type="checkbox"]`).uncheck();
    await runningBox.check();
    await panel.locator('.tb-RunsPanel-compare').click();
    const liveChart = panel.locator('.tb-Compare .tb-Chart[data-metric="loss"]');
    await liveChart.waitFor({ state: 'attached', timeout: 20_000 });
    const pointsAtFirst = Number(await liveChart.getAttribute('data-points'));
    await expect.poll(async () => Number(await liveChart.getAttribute('data-points')), { timeout: 60_000 }).toBe(5 + SLOW_STEPS);
    expect(pointsAtFirst).toBeLessThan(5 + SLOW_STEPS);

    // One run selected: its details, with what it printed while it trained (as text).
    await runningBox.uncheck();
    const details = panel.locator('.tb-RunDetails');
    await details.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await details.getAttribute('data-run-id')).toBe(runIds[0]);
    expect(await details.locator('.tb-RunDetails-tags').textContent()).toBe('Tags: mnist, workers=1, hpo=byopt');
    expect(await details.locator('.tb-RunDetails-tag[data-tag-key="workers"]').textContent()).toBe('workers=1');
    await expect.poll(() => details.locator('.tb-RunDetails-text').textContent(), { timeout: 10_000 }).toContain('training with lr 0.1 <b>not bold</b>');
    expect(await details.locator('b').count()).toBe(0);
    await details.scrollIntoViewIfNeeded();
    await screenshot(page, 'experiments-details.png');
    expect(browser.errors).toEqual([]);
    expect(browser.external).toEqual([]);
  }, 300_000);

  it('tags from the context menu, names with the dialog, toggles with Alt+E, records cells that never call the SDK and failing cells, goes to the cell, and restores the panel after a reload', async () => {
    const { lab, browser, root } = session;
    const cell = (id: string, source: string, tags: string[]) => ({ cell_type: 'code', id, metadata: tags.length ? { tags } : {}, source, outputs: [], execution_count: null });
    fs.writeFileSync(
      path.join(root, 'plain.ipynb'),
      JSON.stringify({
        cells: [cell('p', 'const lr = 0.5;', ['parameters']), cell('quiet', 'const twice = lr * 2;\ntwice;', []), cell('fails', 'throw new RangeError("boom " + lr);', []), cell('other', '1 + 1;', []), cell('slow', SLOW_EXPERIMENT.replace(`< ${SLOW_STEPS}`, '< 1000'), ['experiment'])],
        metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );
    // One tab at a time: every open tab saves its layout into the same workspace.
    const page = await browser.newPage();
    if (!browser.page.isClosed()) await browser.page.close();
    await openNotebook(page, lab.url('plain.ipynb'));
    const cells = page.locator('.jp-Notebook .jp-Cell');
    const quiet = cells.nth(1);
    const fails = cells.nth(2);

    // Context menu: tag, then name the experiment in the dialog.
    await quiet.locator('.jp-InputPrompt').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Toggle Experiment Cell' }).click();
    const quietBadge = quiet.locator('.tb-ExperimentBadge[data-kind="experiment"]');
    await quietBadge.waitFor({ state: 'attached', timeout: 10_000 });
    await quiet.locator('.jp-InputPrompt').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Name Experiment…' }).click();
    const dialogInput = page.locator('.jp-Dialog input');
    await dialogInput.waitFor({ state: 'visible', timeout: 10_000 });
    await dialogInput.fill('sweep <b>1</b>');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect.poll(() => quietBadge.textContent()).toBe('experiment sweep <b>1</b> · 0 runs');

    // Keyboard: Alt+E in command mode tags the failing cell, and again untags it, and again tags it.
    await fails.locator('.jp-InputPrompt').click();
    const failsBadge = fails.locator('.tb-ExperimentBadge[data-kind="experiment"]');
    await page.keyboard.press('Alt+e');
    await failsBadge.waitFor({ state: 'attached', timeout: 10_000 });
    await page.keyboard.press('Alt+e');
    await failsBadge.waitFor({ state: 'detached', timeout: 10_000 });
    await page.keyboard.press('Alt+e');
    await failsBadge.waitFor({ state: 'attached', timeout: 10_000 });
    // The command palette does the same.
    await runCommand(page, 'Toggle Experiment Cell');
    await failsBadge.waitFor({ state: 'detached', timeout: 10_000 });
    await runCommand(page, 'Toggle Experiment Cell');
    await failsBadge.waitFor({ state: 'attached', timeout: 10_000 });

    // Run the parameters cell, then both: the quiet one never calls the SDK, the other throws.
    await cells.nth(0).locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => cells.nth(0).locator('.jp-InputPrompt').textContent(), { timeout: 60_000 }).toMatch(/\[\d+\]/);
    await quiet.locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => quietBadge.getAttribute('data-runs'), { timeout: 60_000 }).toBe('1');
    await fails.locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => failsBadge.getAttribute('data-runs'), { timeout: 60_000 }).toBe('1');

    const store = path.join(root, 'plain.trainbook');
    // Jupyter's checkpoint folder appears beside a renamed run folder; the store skips hidden entries.
    const records = fs.readdirSync(path.join(store, 'runs')).filter((id) => !id.startsWith('.')).map((id) => JSON.parse(fs.readFileSync(path.join(store, 'runs', id, 'run.json'), 'utf8')));
    const byCell = Object.fromEntries(records.map((r) => [r.cell.id, r]));
    expect(byCell.quiet).toMatchObject({ status: 'completed', experiment: 'sweep <b>1</b>', params: { lr: 0.5 }, error: null });
    expect(byCell.fails).toMatchObject({ status: 'failed', experiment: null, params: { lr: 0.5 }, error: { name: 'RangeError', message: 'boom 0.5' } });
    const executions = fs.readdirSync(path.join(store, 'executions')).map((f) => JSON.parse(fs.readFileSync(path.join(store, 'executions', f), 'utf8')));
    expect(executions.map((e) => [e.cell.id, e.success, e.synthesized]).sort()).toEqual([
      ['fails', false, true],
      ['quiet', true, true],
    ]);
    expect(executions.find((e) => e.cell.id === 'fails').error).toEqual({ ename: 'RangeError', evalue: 'boom 0.5' });

    // The panel: both runs, the failed one marked; clicking a row goes to its cell.
    await runCommand(page, 'Show Runs Panel');
    const panel = page.locator('#trainbook-runs');
    await expect.poll(() => panel.locator('.tb-RunsTable-row').count(), { timeout: 20_000 }).toBe(2);
    const failedRow = panel.locator(`.tb-RunsTable-row[data-run-id="${byCell.fails.id}"]`);
    expect(await failedRow.getAttribute('data-status')).toBe('failed');
    // Archived from a terminal: the panel marks the run with its archive name.
    const archived = runCli(['archive', byCell.fails.id, path.join(root, 'plain.trainbook')], root);
    expect(archived.status, archived.stderr).toBe(0);
    await panel.locator('.tb-RunsPanel-refresh').click();
    await expect.poll(() => failedRow.getAttribute('data-archive'), { timeout: 20_000 }).toMatch(/^archived_v1_\d{4}-\d{2}-\d{2}$/);
    expect(await failedRow.locator('.tb-ArchiveBadge').textContent()).toBe('archived');
    expect(await panel.locator(`.tb-RunsTable-row[data-run-id="${byCell.quiet.id}"] td[data-column="experiment"]`).textContent()).toBe('sweep <b>1</b>');
    expect(await page.locator('#trainbook-runs b').count()).toBe(0);
    await cells.nth(3).locator('.jp-InputPrompt').click();
    await failedRow.locator('td[data-column="name"]').click();
    await expect.poll(() => fails.evaluate((node) => node.classList.contains('jp-mod-active'))).toBe(true);
    await screenshot(page, 'experiments-plain.png');

    // The kernel dies (kill -9) while a run trains: the server restarts it, the run shows as crashed.
    await cells.nth(4).locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
    const liveRow = panel.locator('.tb-RunsTable-row[data-status="running"]');
    await liveRow.waitFor({ state: 'attached', timeout: 30_000 });
    const liveId = await liveRow.getAttribute('data-run-id');
    const sessions = (await (await fetch(`${lab.base}/api/sessions?token=trainbook-test`)).json()) as Array<{ path: string; kernel: { id: string } }>;
    const kernelId = sessions.find((s) => s.path.endsWith('plain.ipynb'))!.kernel.id;
    const kernelPids = processesWith(`kernel-${kernelId}.json`);
    expect(kernelPids.length).toBeGreaterThan(0);
    for (const pid of kernelPids) process.kill(pid, 'SIGKILL');
    await expect.poll(() => panel.locator(`.tb-RunsTable-row[data-run-id="${liveId}"]`).getAttribute('data-status'), { timeout: 30_000 }).toBe('crashed');
    expect(JSON.parse(fs.readFileSync(path.join(store, 'runs', liveId!, 'run.json'), 'utf8')).status).toBe('running');

    // Reload without resetting the workspace: the runs panel comes back by itself.
    await page.keyboard.press('Control+s');
    await page.waitForTimeout(1500); // the workspace is saved to the server a moment after a change
    const reloaded = await browser.newPage();
    await page.close();
    await reloaded.goto(lab.url('plain.ipynb', { reset: false }));
    await reloaded.waitForSelector('.jp-Notebook .jp-Cell .cm-content', { state: 'attached', timeout: 60_000 });
    const restored = reloaded.locator('#trainbook-runs');
    await restored.waitFor({ state: 'visible', timeout: 30_000 });
    await expect.poll(() => restored.locator('.tb-RunsTable-row').count(), { timeout: 20_000 }).toBe(3);
    await reloaded.close();
    expect(browser.errors).toEqual([]);
    expect(browser.external).toEqual([]);
  }, 300_000);
});
