/**
 * The run renderer in a real JupyterLab (the prebuilt labextension in .venv) and headless
 * Chromium: saved outputs, live updates from a tslab kernel, hostile outputs, theme switches.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUN_MIME } from '../../core/src/live/payload.js';
import { labSession, openNotebook, screenshot, type Browser, type Lab } from '../helpers/lab.js';

const EVIL = '<img src=x onerror=window.__pwned=1>';
const BREAKOUT = '"}]};alert(1)//';

function series(name: string, count: number, f: (i: number) => number | string) {
  const step: number[] = [];
  const value: (number | string)[] = [];
  for (let i = 0; i < count; i++) {
    step.push(i);
    value.push(f(i));
  }
  return { name, count, last: value[count - 1], step, value };
}

function payload(overrides: { run?: object; progress?: object | null; series?: object[] } & Record<string, unknown> = {}) {
  return {
    version: 1,
    progress: { epoch: 6, epochs: 10, batch: 312, batches: 469, fraction: 0.6665, elapsedSeconds: 95, etaSeconds: 47.6 },
    updatedAt: Date.now(),
    series: [
      series('loss', 200, (i) => 2 * Math.exp(-i / 40) + 0.1),
      series('val_loss', 200, (i) => 2.1 * Math.exp(-i / 40) + 0.15),
      series('batch/loss', 200, (i) => 2 * Math.exp(-i / 40) + 0.1 + 0.05 * Math.sin(i)),
      series('acc', 200, (i) => 1 - Math.exp(-i / 30)),
      series('val_acc', 200, (i) => 0.97 - Math.exp(-i / 30)),
    ],
    ...overrides,
    run: {
      id: 'r-1', name: 'mlp', experiment: 'mnist', store: '.trainbook', status: 'running',
      startedAt: '2026-01-01T00:00:00Z', endedAt: null, error: null, ...overrides.run,
    },
  };
}

function notebook(file: string, kernel: string, cells: { source: string; outputs?: object[] }[]) {
  fs.writeFileSync(file, JSON.stringify({
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: kernel, display_name: kernel, language: kernel === 'tslab' ? 'typescript' : 'python' } },
    cells: cells.map((cell, i) => ({ cell_type: 'code', id: `c${i}`, execution_count: null, metadata: {}, source: cell.source, outputs: cell.outputs ?? [] })),
  }));
}

const display = (data: object) => ({ output_type: 'display_data', metadata: {}, data: { [RUN_MIME]: data, 'text/plain': 'run' } });

const LIVE_CELL = `
import * as tslab from 'tslab';
const d = tslab.newDisplay();
const series = (name: string, n: number, f: (i: number) => number) => ({ name, count: n, last: f(n - 1),
  step: Array.from({ length: n }, (_, i) => i), value: Array.from({ length: n }, (_, i) => f(i)) });
const payload = (n: number) => ({ version: 1, updatedAt: Date.now(),
  run: { id: 'live', name: 'live', experiment: null, store: '', status: n >= 100 ? 'completed' : 'running', startedAt: '', endedAt: null, error: null },
  progress: { epoch: 0, epochs: 1, batch: n, batches: 100, fraction: n / 100, elapsedSeconds: n / 10, etaSeconds: 1 },
  series: [series('loss', n, (i) => 1 / (1 + i)), series('val_loss', n, (i) => (1 + 1 / n) / (1 + i)),
    ...(n >= 60 ? [series('lr', n, (i) => 0.01)] : [])] });
let n = 20;
d.raw('${RUN_MIME}', payload(n) as any);
const timer = setInterval(() => { n += 20; d.raw('${RUN_MIME}', payload(n) as any); if (n >= 100) clearInterval(timer); }, 500);
`;

interface OutputState {
  status?: string;
  runId?: string;
  charts: Record<string, number>;
  embeds: number;
  progress: string | null;
}

const outputs = (page: Page): Promise<OutputState[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.tb-RunOutput')].map((o) => ({
      status: o.dataset.status,
      runId: o.dataset.runId,
      charts: Object.fromEntries([...o.querySelectorAll<HTMLElement>('.tb-Chart')].map((c) => [c.dataset.group, Number(c.dataset.points)])),
      embeds: o.querySelectorAll('.vega-embed').length,
      progress: o.querySelector<HTMLElement>('.tb-Progress')!.hidden ? null : o.querySelector('.tb-Progress-label')!.textContent,
    })),
  );

describe('RunOutputRenderer in JupyterLab', () => {
  const session = labSession('ext', (root) => {
    notebook(path.join(root, 'saved.ipynb'), 'python3', [
      { source: '# running', outputs: [display(payload())] },
      { source: '# failed', outputs: [display(payload({
        run: { status: 'failed', error: { name: 'DivergedError', message: 'loss is NaN' } },
        series: [series('loss', 10, (i) => (i < 9 ? i : 'NaN'))],
      }))] },
      { source: '# resumed, with system metrics', outputs: [display(payload({
        run: { id: 'r-2', status: 'completed' },
        progress: null,
        resumes: [120],
        series: [series('loss', 200, (i) => 1 / (i + 1)), { ...series('sys/cpu_percent', 30, (i) => 40 + (i % 7)), xAxis: 'elapsed' }],
      }))] },
    ]);
    notebook(path.join(root, 'hostile.ipynb'), 'python3', [{ source: '# hostile', outputs: [display(payload({
      run: { id: `x"><img src=x onerror=window.__pwned=2>`, name: EVIL, experiment: BREAKOUT, error: { name: '<b>b</b>', message: '<script>window.__pwned=3</script>' } },
      series: [series(EVIL, 20, (i) => i), series(BREAKOUT, 20, (i) => -i)],
      spec: { signals: [{ name: 'x', init: 'window.__pwned=4' }] },
      embedOptions: { actions: true, loader: { baseURL: 'https://example.invalid/' } },
      $schema: 'https://vega.github.io/schema/vega/v5.json',
    }))] }]);
    notebook(path.join(root, 'live.ipynb'), 'tslab', [{ source: LIVE_CELL }]);
  });
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(() => {
    ({ lab, browser } = session);
    page = browser.page;
    page.on('dialog', (dialog) => {
      if (dialog.type() !== 'beforeunload') errors.push(`dialog: ${dialog.message()}`);
      void (dialog.type() === 'beforeunload' ? dialog.accept() : dialog.dismiss());
    });
  });

  async function open(name: string): Promise<void> {
    await page.goto(lab.url(name));
    await page.waitForSelector('.jp-Notebook .jp-Cell .cm-content', { state: 'attached', timeout: 60_000 });
  }

  const chartsDrawn = (count: number) =>
    page.waitForFunction((count) => {
      const charts = [...document.querySelectorAll<HTMLElement>('.tb-Chart')];
      return charts.length >= count && charts.every((c) => Number(c.dataset.points) > 0);
    }, count, { timeout: 30_000 });

  it('draws a saved output: status, progress, one chart per metric group', async () => {
    await open('saved.ipynb');
    await chartsDrawn(3);
    const [running, failed] = await outputs(page);
    expect(running).toEqual({
      status: 'running', runId: 'r-1', embeds: 2, charts: { loss: 600, acc: 400 },
      progress: 'epoch 7/10 · batch 312/469 · 66% · ETA 48s',
    });
    expect(failed).toMatchObject({ status: 'failed', charts: { loss: 9 }, progress: null });
    const failedText = await page.locator('.tb-RunOutput').nth(1).innerText();
    expect(failedText).toContain('DivergedError: loss is NaN');
    expect(failedText).toContain('loss: NaN at last point');
    // A resumed run: a dashed rule labelled "resumed" at the resume step on the step axis; system
    // metrics on a clock axis without it.
    const resumed = page.locator('.tb-RunOutput').nth(2);
    const lossChart = resumed.locator('.tb-Chart[data-group="loss"]');
    await expect.poll(() => lossChart.locator('text', { hasText: /^resumed$/ }).count(), { timeout: 20_000 }).toBe(1);
    expect(await lossChart.locator('.mark-rule line, .mark-rule path').count()).toBeGreaterThan(0);
    // System metrics sit in their own section, closed until opened.
    const system = resumed.locator('details.tb-Charts-system');
    expect(await system.getAttribute('open')).toBeNull();
    await system.locator('summary').click();
    const sysChart = system.locator('.tb-Chart[data-group^="sys/"]');
    await expect.poll(() => sysChart.locator('text', { hasText: 'seconds since start' }).count(), { timeout: 20_000 }).toBe(1);
    expect(await sysChart.locator('text', { hasText: /^resumed$/ }).count()).toBe(0);
    await resumed.scrollIntoViewIfNeeded();
    await screenshot(page, 'renderer-resumed.png');
    await screenshot(page, 'renderer-saved-light.png');
    expect(errors).toEqual([]);
  }, 90_000);

  it('follows the JupyterLab theme and keeps its data', async () => {
    const labelFill = () => page.evaluate(() => document.querySelector('.tb-Chart svg .role-axis-label text')?.getAttribute('fill'));
    const light = await labelFill();
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Theme$/ }).first().hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^JupyterLab Dark$/ }).first().click();
    await page.waitForFunction(() => document.body.dataset.jpThemeLight === 'false');
    await expect.poll(labelFill, { timeout: 10_000 }).not.toBe(light);
    const [running] = await outputs(page);
    expect(running).toMatchObject({ embeds: 2, charts: { loss: 600, acc: 400 } });
    await screenshot(page, 'renderer-saved-dark.png');
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Theme$/ }).first().hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^JupyterLab Light$/ }).first().click();
    await page.waitForFunction(() => document.body.dataset.jpThemeLight === 'true');
  }, 60_000);

  it('shows hostile names as text and uses nothing else from the output', async () => {
    await open('hostile.ipynb');
    await chartsDrawn(2);
    const seen = await page.evaluate(() => {
      const o = document.querySelector<HTMLElement>('.tb-RunOutput')!;
      return {
        pwned: (window as { __pwned?: unknown }).__pwned,
        name: o.querySelector('.tb-RunHeader-name')!.textContent,
        experiment: o.querySelector('.tb-RunHeader-experiment')!.textContent,
        titles: [...o.querySelectorAll('.tb-Chart-title')].map((t) => t.textContent),
        legend: [...o.querySelectorAll('.role-legend-label text')].map((t) => t.textContent),
        elements: o.querySelectorAll('img, script, .vega-actions, details:not(.tb-Charts-system)').length,
      };
    });
    expect(seen).toEqual({ pwned: undefined, name: EVIL, experiment: BREAKOUT, titles: [EVIL, BREAKOUT], legend: [EVIL, BREAKOUT], elements: 0 });
    await screenshot(page, 'renderer-hostile.png');
    expect(errors).toEqual([]);
    expect(browser.errors).toEqual([]);
    expect(browser.external).toEqual([]);
  }, 90_000);

  it('streams live updates into the views it has (tslab display)', async () => {
    await openNotebook(page, lab.url('live.ipynb'));
    await page.locator('.jp-Cell .cm-content').first().click();
    await page.keyboard.press('Shift+Enter');
    const seen: OutputState[] = [];
    for (let i = 0; i < 60; i++) {
      const [state] = await outputs(page);
      if (state) seen.push(state);
      if (state?.status === 'completed' && state.charts.lr === 100) break;
      await page.waitForTimeout(250);
    }
    const last = seen[seen.length - 1]!;
    expect(last).toEqual({ status: 'completed', runId: 'live', charts: { loss: 200, lr: 100 }, embeds: 2, progress: null });
    const lossPoints = seen.map((s) => s.charts.loss ?? 0);
    expect(new Set(lossPoints).size).toBeGreaterThan(2);
    expect(lossPoints).toEqual([...lossPoints].sort((a, b) => a - b));
    // One view per group for the whole run: the loss chart was never embedded again.
    expect(seen.every((s) => s.embeds === Object.keys(s.charts).length)).toBe(true);
    expect(await page.locator('.tb-RunOutput').count()).toBe(1);
    expect(errors).toEqual([]);
  }, 90_000);
});
