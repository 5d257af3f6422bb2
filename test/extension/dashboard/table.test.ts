/**
 * The dashboard's runs table in a real browser: the real DashboardModel and DashboardTable
 * (bundled from the sources with esbuild) in Chromium, over stores the SDK wrote into temp
 * folders and read through the extension's store (its Contents calls answered by the test's Node
 * process over the real folder). No JupyterLab: the table alone, as the user drives it with the
 * mouse and the keyboard. Skipped where there is no Chromium.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareRunRecord } from '../../../core/src/format/records.js';
import { init } from '../../../sdk/src/index.js';
import { writeFinishedRun } from '../../../sdk/src/store/finishedRuns.js';
import { fakeContents } from '../../helpers/contents.js';
import { ROOT } from '../../helpers/sdk.js';

const CHROMIUM = '/usr/bin/chromium';
const BIG = 5_000;

interface Recorded {
  id: string;
  lr: number;
}

/** a.ipynb: lr 0.1, 0.2, 0.3; b.ipynb: lr 0.05, 0.4. Each logs loss = lr * (5 - step) over 5 steps. */
async function smallFolder(root: string): Promise<Recorded[]> {
  const runs: Recorded[] = [];
  for (const [notebook, lrs] of [['a.ipynb', [0.1, 0.2, 0.3]], ['b.ipynb', [0.05, 0.4]]] as const) {
    fs.writeFileSync(path.join(root, notebook), '{}');
    for (const lr of lrs) {
      const run = init({ dir: path.join(root, notebook.replace('.ipynb', '.trainbook')), notebook, git: false, display: false, systemMetrics: false, name: `lr-${lr}`, params: { lr, optimizer: 'adam' } });
      for (let step = 0; step < 5; step++) run.log({ loss: lr * (5 - step), acc: 1 - lr }, { step });
      await run.finish();
      runs.push({ id: run.id, lr });
    }
  }
  return runs;
}

/** One store of 5,000 finished runs (written whole, as an import would). */
function bigFolder(root: string): void {
  for (let i = 0; i < BIG; i++) {
    const id = `20261120-10${String(i).padStart(7, '0')}-big00`;
    const record = bareRunRecord({ id, name: `run-${i}`, status: 'completed', startedAt: '2026-11-20T10:00:00.000Z', endedAt: '2026-11-20T10:05:00.000Z', heartbeatAt: '2026-11-20T10:05:00.000Z' });
    record.params = { index: i };
    record.summary = { loss: { last: 1 / (i + 1), min: 1 / (i + 1), max: 1, count: 1, step: 0 } };
    writeFinishedRun(path.join(root, 'big.trainbook'), 'big.ipynb', record, [{ type: 'status', time: 1, status: 'completed' }]);
  }
  fs.writeFileSync(path.join(root, 'big.ipynb'), '{}');
}

const PAGE = `<!doctype html><html><head><style>
  :root { --jp-ui-font-family: sans-serif; --jp-ui-font-size0: 11px; --jp-ui-font-size1: 13px; --jp-ui-font-color0: #000; --jp-ui-font-color1: #212121; --jp-ui-font-color2: #616161;
    --jp-layout-color1: #fff; --jp-layout-color2: #eee; --jp-layout-color3: #bdbdbd; --jp-border-color1: #bdbdbd; --jp-border-color2: #e0e0e0; --jp-brand-color1: #1976d2; --jp-brand-color2: #64b5f6; }
  body { margin: 0; }
  #host { width: 1400px; height: 420px; display: flex; flex-direction: column; }
  #host > .tb-DashTable { flex: 1 1 auto; }
  ${['base.css', 'experiments.css', 'dashboard-table.css'].map((file) => fs.readFileSync(path.join(ROOT, 'style', file), 'utf8')).join('\n')}
</style></head><body><div id="host"></div></body></html>`;

// Chromium comes with `scripts/setup.sh --tests`, as for the browser tests.
describe('DashboardTable (Chromium)', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-table-'));
  const folders = { small: path.join(base, 'small'), big: path.join(base, 'big') };
  let runs: Recorded[] = [];
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(folders.small);
    fs.mkdirSync(folders.big);
    runs = await smallFolder(folders.small);
    bigFolder(folders.big);
    const bundle = await build({
      entryPoints: [path.join(ROOT, 'test/extension/dashboard/tablePage.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      alias: { 'trainbook/core': path.join(ROOT, 'core/src/index.ts') },
      logLevel: 'error',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    page = await browser.newPage({ viewport: { width: 1500, height: 600 } });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const managers = { small: fakeContents(folders.small), big: fakeContents(folders.big) };
    await page.exposeFunction('contentsCall', async (folder: keyof typeof managers, method: 'get' | 'save' | 'rename' | 'delete', args: unknown[]) => {
      try {
        return { ok: await (managers[folder][method] as (...a: unknown[]) => Promise<unknown>)(...args) };
      } catch (error) {
        return { status: (error as { response?: { status?: number } }).response?.status ?? 500, message: (error as Error).message };
      }
    });
    await page.setContent(PAGE);
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  /** A new dashboard on a folder, in a host this wide (the small folder's columns all fit in 1400 px). */
  const open = async (folder: keyof typeof folders, width = 1400) => {
    await page.evaluate(([f, w]) => {
      document.getElementById('host')!.style.width = `${w}px`;
      return window.openDashboard(f as string, '');
    }, [folder, width] as const);
  };
  const rowIds = () => page.$$eval('.tb-DashTable-row', (rows) => rows.map((row) => (row as HTMLElement).dataset.runId!));
  const headers = () => page.$$eval('.tb-DashTable thead th[data-column]', (cells) => cells.map((cell) => (cell as HTMLElement).dataset.column!));
  const lrOf = (id: string) => runs.find((run) => run.id === id)!.lr;

  it("shows both notebooks' runs with a notebook column, every cell with its column", async () => {
    await open('small');
    expect((await rowIds()).sort()).toEqual(runs.map((run) => run.id).sort());
    expect(await headers()).toEqual(['name', 'status', 'notebook', 'started', 'duration', 'param:lr', 'param:optimizer', 'metric:acc', 'metric:loss']);
    const first = runs[0]!;
    const cells = await page.$$eval(`tr[data-run-id="${first.id}"] td[data-column]`, (tds) => Object.fromEntries(tds.map((td) => [(td as HTMLElement).dataset.column, td.textContent])));
    expect(cells).toMatchObject({ name: 'lr-0.1', status: 'completed', notebook: 'a.ipynb', 'param:lr': '0.1', 'param:optimizer': 'adam' });
    expect(await page.textContent('.tb-DashTable-count')).toBe('5 of 5 runs');
    expect(errors).toEqual([]);
  });

  it('sorts by a clicked header, and the other way on a second click', async () => {
    await open('small');
    await page.click('th[data-column="param:lr"]');
    expect((await rowIds()).map(lrOf)).toEqual([0.05, 0.1, 0.2, 0.3, 0.4]);
    expect(await page.getAttribute('th[data-column="param:lr"]', 'aria-sort')).toBe('ascending');
    await page.click('th[data-column="param:lr"]');
    expect((await rowIds()).map(lrOf)).toEqual([0.4, 0.3, 0.2, 0.1, 0.05]);
    expect(await page.getAttribute('th[data-column="param:lr"]', 'aria-sort')).toBe('descending');
  });

  it("selects runs with their checkboxes, each showing its charts' colour in selection order", async () => {
    await open('small');
    const [one, two] = [runs[3]!, runs[1]!];
    await page.check(`tr[data-run-id="${one.id}"] input[type=checkbox]`);
    await page.check(`tr[data-run-id="${two.id}"] input[type=checkbox]`);
    const colors = await page.evaluate(() => [window.paletteColor(0), window.paletteColor(1)]);
    expect(await page.getAttribute(`tr[data-run-id="${one.id}"] .tb-DashTable-swatch`, 'data-color')).toBe(colors[0]);
    expect(await page.getAttribute(`tr[data-run-id="${two.id}"] .tb-DashTable-swatch`, 'data-color')).toBe(colors[1]);
    expect(await page.$$('.tb-DashTable-swatch')).toHaveLength(2);
    expect(await page.evaluate(() => [...window.dashboard.model.runs.selected])).toEqual([one.id, two.id]);
    expect(await page.getAttribute(`tr[data-run-id="${one.id}"]`, 'aria-selected')).toBe('true');
    expect(await page.textContent('.tb-DashTable-count')).toBe('5 of 5 runs · 2 selected');
    await page.uncheck(`tr[data-run-id="${one.id}"] input[type=checkbox]`);
    expect(await page.getAttribute(`tr[data-run-id="${two.id}"] .tb-DashTable-swatch`, 'data-color')).toBe(colors[0]);
    // The header's checkbox selects every run shown.
    await page.check('.tb-DashTable-selectAll');
    expect(await page.evaluate(() => window.dashboard.model.runs.selected.size)).toBe(5);
  });

  it('hides and shows columns from the Columns menu (the run column stays), and closes it with Escape', async () => {
    await open('small');
    await page.click('.tb-DashTable-columnsButton');
    expect(await page.getAttribute('.tb-DashTable-columnsButton', 'aria-expanded')).toBe('true');
    expect(await page.isDisabled('.tb-DashTable-menu input[data-column="name"]')).toBe(true);
    await page.uncheck('.tb-DashTable-menu input[data-column="started"]');
    await page.uncheck('.tb-DashTable-menu input[data-column="metric:acc"]');
    expect(await headers()).toEqual(['name', 'status', 'notebook', 'duration', 'param:lr', 'param:optimizer', 'metric:loss']);
    expect(await page.$$('td[data-column="started"]')).toHaveLength(0);
    await page.check('.tb-DashTable-menu input[data-column="started"]');
    expect(await headers()).toContain('started');
    await page.keyboard.press('Escape');
    expect(await page.isHidden('.tb-DashTable-menu')).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.classList.contains('tb-DashTable-columnsButton'))).toBe(true);
  });

  it('moves a focused header with Alt+Left/Right, keeping the focus on it', async () => {
    await open('small');
    await page.focus('th[data-column="param:lr"]');
    await page.keyboard.press('Alt+ArrowLeft');
    await page.keyboard.press('Alt+ArrowLeft');
    expect(await headers()).toEqual(['name', 'status', 'notebook', 'param:lr', 'started', 'duration', 'param:optimizer', 'metric:acc', 'metric:loss']);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.column)).toBe('param:lr');
    await page.keyboard.press('Alt+ArrowRight');
    expect((await headers())[4]).toBe('param:lr');
    // Cells follow their headers.
    const cells = await page.$$eval(`tr[data-run-id="${runs[0]!.id}"] td[data-column]`, (tds) => tds.map((td) => (td as HTMLElement).dataset.column));
    expect(cells).toEqual(await headers());
    // Enter sorts by the focused header.
    await page.keyboard.press('Enter');
    expect((await rowIds()).map(lrOf)).toEqual([0.05, 0.1, 0.2, 0.3, 0.4]);
  });

  it('moves a header dragged onto another', async () => {
    await open('small');
    const target = await page.locator('th[data-column="status"]').boundingBox();
    await page.dragAndDrop('th[data-column="metric:loss"]', 'th[data-column="status"]', { targetPosition: { x: 4, y: target!.height / 2 } });
    expect(await headers()).toEqual(['name', 'metric:loss', 'status', 'notebook', 'started', 'duration', 'param:lr', 'param:optimizer', 'metric:acc']);
    expect(await page.$$('.tb-mod-dropBefore, .tb-mod-dropAfter, .tb-mod-dragging')).toHaveLength(0);
  });

  it("resizes a column by dragging its header's edge, without sorting by it", async () => {
    await open('small');
    const before = await page.evaluate(() => window.dashboard.model.layout.widthOf('param:optimizer'));
    const handle = await page.locator('th[data-column="param:optimizer"] .tb-DashTable-resize').boundingBox();
    const sortBefore = await page.evaluate(() => window.dashboard.model.runs.sortColumn);
    await page.mouse.move(handle!.x + handle!.width / 2, handle!.y + handle!.height / 2);
    await page.mouse.down();
    await page.mouse.move(handle!.x + 60, handle!.y + handle!.height / 2, { steps: 5 });
    await page.mouse.up();
    const after = await page.evaluate(() => window.dashboard.model.layout.widthOf('param:optimizer'));
    expect(after - before).toBeGreaterThan(50);
    expect(after - before).toBeLessThan(70);
    const drawn = await page.$eval('th[data-column="param:optimizer"]', (th) => th.getBoundingClientRect().width);
    expect(Math.abs(drawn - after)).toBeLessThan(2);
    expect(await page.evaluate(() => window.dashboard.model.runs.sortColumn)).toBe(sortBefore);
    // Alt+Shift+Right widens the focused column.
    await page.focus('th[data-column="param:optimizer"]');
    await page.keyboard.press('Alt+Shift+ArrowRight');
    expect(await page.evaluate(() => window.dashboard.model.layout.widthOf('param:optimizer'))).toBe(after + 16);
  });

  it('renders only the rows in view of 5,000, with the header and the run column staying in place as it scrolls', async () => {
    await open('big', 600);
    await page.waitForFunction((count) => document.querySelector('.tb-DashTable')?.getAttribute('data-rows') === String(count), BIG, { timeout: 60_000 });
    const rendered = async () => page.$$eval('.tb-DashTable-row', (rows) => rows.map((row) => Number(row.getAttribute('aria-rowindex'))));
    const top = await rendered();
    expect(top.length).toBeGreaterThan(5);
    expect(top.length).toBeLessThan(40);
    expect(await page.$eval('.tb-DashTable-row', (row) => (row as HTMLElement).getBoundingClientRect().height)).toBeCloseTo(28, 0);
    // The scrollbar spans every row.
    expect(await page.$eval('.tb-DashTable-scroll', (el) => el.scrollHeight)).toBeGreaterThan(BIG * 28);

    const scroll = (x: number, y: number) =>
      page.$eval('.tb-DashTable-scroll', (el, [left, top]) => {
        el.scrollLeft = left!;
        el.scrollTop = top!;
        el.dispatchEvent(new Event('scroll'));
      }, [x, y]);
    await scroll(300, 2500 * 28);
    await page.waitForFunction(() => [...document.querySelectorAll('.tb-DashTable-row')].some((row) => row.getAttribute('aria-rowindex') === '2502'));
    const middle = await rendered();
    expect(middle.length).toBeLessThan(40);
    expect(Math.min(...middle)).toBeGreaterThan(2400);
    const places = await page.evaluate(() => {
      const scrollNode = document.querySelector('.tb-DashTable-scroll')!;
      const box = scrollNode.getBoundingClientRect();
      const scroller = { top: box.top + scrollNode.clientTop, left: box.left + scrollNode.clientLeft };
      const header = document.querySelector('thead th[data-column="status"]')!.getBoundingClientRect();
      const row = [...document.querySelectorAll('.tb-DashTable-row')].find((r) => r.getBoundingClientRect().top > header.bottom)!;
      const name = row.querySelector('td[data-column="name"]')!.getBoundingClientRect();
      const select = row.querySelector('td.tb-DashTable-select')!.getBoundingClientRect();
      return { headerTop: header.top - scroller.top, nameLeft: name.left - scroller.left, boxLeft: select.left - scroller.left };
    });
    expect(places).toEqual({ headerTop: 0, nameLeft: 32, boxLeft: 0 });

    await scroll(0, BIG * 28);
    await page.waitForFunction((last) => [...document.querySelectorAll('.tb-DashTable-row')].some((row) => row.getAttribute('aria-rowindex') === String(last)), BIG + 1);
    expect((await rendered()).length).toBeLessThan(40);
    expect(await page.getAttribute('.tb-DashTable-table', 'aria-rowcount')).toBe(String(BIG + 1));
    expect(errors).toEqual([]);
  }, 120_000);
});
