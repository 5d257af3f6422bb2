import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveChartModel, type LivePayload } from '../../core/src/index.js';
import { liveBundle } from '../../sdk/src/live/bundle.js';
import { chartsPng } from '../../sdk/src/live/image.js';
import { makeLabRoot, openBrowser, startLab, type Browser, type Lab } from '../helpers/lab.js';
import { ROOT } from '../helpers/sdk.js';

// A notebook saved with trainbook's live output, opened in a JupyterLab where the trainbook
// extension is disabled (a colleague's lab): JupyterLab's own Vega extension draws the fallback.
let lab: Lab;
let browser: Browser;
let root: string;

const payload: LivePayload = {
  version: 1, updatedAt: 0, progress: null,
  series: [
    { name: 'batch/loss', count: 50, last: 0.1, step: Array.from({ length: 50 }, (_, i) => i), value: Array.from({ length: 50 }, (_, i) => 2 / (i + 1)) },
    { name: 'batch/acc', count: 50, last: 0.9, step: Array.from({ length: 50 }, (_, i) => i), value: Array.from({ length: 50 }, (_, i) => i / 55) },
  ],
  run: { id: 'r1', name: 'mlp', experiment: null, store: 'nb.trainbook', status: 'completed', startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:01:00Z', error: null },
};

beforeAll(async () => {
  root = makeLabRoot('saved-output');
  const png = (await chartsPng(liveChartModel(payload))).toString('base64');
  const output = { output_type: 'display_data', data: liveBundle(payload, png), metadata: {} };
  const nb = { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, cells: [{ cell_type: 'code', id: 'train', metadata: {}, source: ['await run.finish();'], outputs: [output], execution_count: 1 }] };
  fs.writeFileSync(path.join(root, 'saved.ipynb'), JSON.stringify(nb));
  // The lab's own config folder (startLab uses <root>/.jupyter-config): trainbook's frontend extension disabled.
  fs.mkdirSync(path.join(root, '.jupyter-config', 'labconfig'), { recursive: true });
  fs.writeFileSync(path.join(root, '.jupyter-config', 'labconfig', 'page_config.json'), JSON.stringify({ disabledExtensions: { trainbook: true } }));
  lab = await startLab(root);
  browser = await openBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('a saved notebook in a JupyterLab without trainbook', () => {
  it('shows the Vega-Lite chart of the live output (not the picture, not the text)', async () => {
    const page = browser.page;
    await page.goto(lab.url('saved.ipynb'));
    await page.waitForSelector('.jp-Notebook .jp-OutputArea-output', { timeout: 60_000 });
    const config = await page.evaluate(() => JSON.parse(document.getElementById('jupyter-config-data')!.textContent!) as { disabledExtensions?: string[] });
    expect(config.disabledExtensions).toContain('trainbook');
    // JupyterLab's own Vega 5 renderer (not trainbook's) drew the output: marks on a canvas or as SVG.
    await page.waitForSelector('.jp-OutputArea-output.jp-RenderedVegaCommon5 .vega-embed :is(canvas, svg)', { timeout: 30_000 });
    expect(await page.locator('.jp-OutputArea-output img').count()).toBe(0);
    await page.locator('.jp-OutputArea-output').first().screenshot({ path: path.join(ROOT, 'test-artifacts', 'lab-without-trainbook.png') });
  });
});
