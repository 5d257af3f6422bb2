import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_MIME } from '../../core/src/live/payload.js';
import { ROOT } from '../helpers/sdk.js';
import { labSession, openNotebook, runAllCells, screenshot } from '../helpers/lab.js';
import { VENV_PYTHON } from '../helpers/kernel.js';

const session = labSession('lab', (root) => fs.copyFileSync(path.join(ROOT, 'examples', 'train.ipynb'), path.join(root, 'train.ipynb')));

describe('JupyterLab with trainbook (real lab, real tslab kernel, Chromium)', () => {
  it('runs the example notebook with a live chart that grows, ends completed, and saves a valid notebook', async () => {
    const { lab, browser, root } = session;
    const { page } = browser;
    await openNotebook(page, lab.url('train.ipynb'));
    await runAllCells(page);
    const output = page.locator('.tb-RunOutput').first();
    await output.waitFor({ state: 'attached', timeout: 90_000 });
    await output.scrollIntoViewIfNeeded();

    // Sample the number of points drawn in the loss chart while training runs.
    const samples: number[] = [];
    const embedsSeen = new Set<number>();
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const state = await page.evaluate(() => {
        const root = document.querySelector('.tb-RunOutput') as HTMLElement | null;
        const chart = root?.querySelector('[data-group="loss"]') as HTMLElement | null;
        return {
          status: root?.dataset.status ?? null,
          points: Number(chart?.dataset.points ?? 0),
          // The training charts (system metrics join later, in their own section).
          embeds: root?.querySelectorAll(':scope > .tb-Charts .vega-embed').length ?? 0,
          pathLength: chart?.querySelector('path[aria-roledescription="line mark"], .mark-line path')?.getAttribute('d')?.length ?? 0,
        };
      });
      if (state.points > 0) samples.push(state.points);
      if (state.embeds > 0) embedsSeen.add(state.embeds);
      if (state.status === 'completed') break;
      await page.waitForTimeout(250);
    }
    const final = await output.getAttribute('data-status');
    expect(final).toBe('completed');
    expect(new Set(samples).size).toBeGreaterThan(2); // the chart grew across updates
    expect(samples.at(-1)!).toBeGreaterThan(samples[0]!);
    expect(embedsSeen.size).toBe(1); // views were kept, not re-embedded per update (count never changed)
    await expect.poll(() => page.locator('.tb-RunOutput [data-group="acc"]').count()).toBe(1);
    await screenshot(page, 'lab-example-notebook.png');

    // The final picture of the charts (image/png) follows the completed payload: save until the file has both.
    const saved = path.join(root, 'train.ipynb');
    await expect
      .poll(
        async () => {
          await page.keyboard.press('Control+s');
          await page.waitForTimeout(500);
          const text = fs.readFileSync(saved, 'utf8');
          return text.includes('"completed"') && text.includes('"image/png"');
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(true);
    const notebook = JSON.parse(fs.readFileSync(saved, 'utf8'));
    const outputs = notebook.cells.flatMap((cell: { outputs?: Array<{ data?: Record<string, unknown> }> }) => cell.outputs ?? []);
    const runOutput = outputs.find((o: { data?: Record<string, unknown> }) => o.data?.[RUN_MIME]);
    expect(runOutput).toBeDefined();
    // The trainbook MIME type, the Vega-Lite fallback and a picture for viewers without either; no text/html.
    expect(Object.keys(runOutput.data).sort()).toEqual([RUN_MIME, 'application/vnd.vegalite.v5+json', 'image/png', 'text/plain']);
    expect(JSON.stringify(runOutput).length).toBeLessThan(150_000);
    const validate = spawnSync(VENV_PYTHON, ['-c', 'import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print("valid")', saved], { encoding: 'utf8' });
    expect(validate.stdout.trim()).toBe('valid');
    // The run went to the notebook's sidecar store.
    expect(fs.readdirSync(path.join(root, 'train.trainbook', 'runs'))).toHaveLength(1);
    expect(browser.errors).toEqual([]);
    expect(browser.external).toEqual([]);
  }, 240_000);
});
