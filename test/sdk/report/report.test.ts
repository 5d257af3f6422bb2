import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, screenshot, type Browser } from '../../helpers/lab.js';
import { requireBuilt, runCli } from '../../helpers/sdk.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeStore, PAYLOAD, runIds, storedRecord } from './fixtures.js';

// One store and one report for the whole file: making them is the slow part.
let dir: string;
let reportFile: string;
let ids: string[];
let browser: Browser;

beforeAll(async () => {
  requireBuilt();
  dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'trainbook-report-'));
  makeStore(dir);
  ids = runIds(dir);
  reportFile = path.join(dir, 'out', 'report.html');
  const result = runCli(['report', 'train.ipynb', '-o', 'out/report.html', '--title', `LR sweep ${PAYLOAD}`], dir);
  if (result.status !== 0) throw new Error(`report failed (${result.status}):\n${result.stderr}`);
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function openReport(url: string) {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('html[data-report-ready]', { state: 'attached', timeout: 10_000 });
  return page;
}

describe('trainbook report', () => {
  it('writes one self-contained file and reports progress on stderr', () => {
    const again = runCli(['report', '-o', 'again.html'], dir);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/reading 3 runs…/);
    expect(again.stderr).toMatch(/rendering charts 1\/\d+…/);
    expect(again.stdout).toContain(pathToFileURL(path.join(dir, 'again.html')).href);
    const html = fs.readFileSync(reportFile, 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; script-src &#x27;sha256-/);
    // Charts are there as SVG before any script runs: one per metric group (loss with val_loss, acc).
    expect(html.match(/<figure class="chart"/g)).toHaveLength(2);
    expect(html).toMatch(/<div class="chart-static"><svg /);
    expect(html).toContain('NaN/Infinity');
  });

  it('escapes every run value in the HTML and keeps the embedded JSON parseable to the same data', () => {
    const html = fs.readFileSync(reportFile, 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<svg onload');
    expect(html).not.toContain('window.__xss=1</script>');
    // The hostile run's saved model (tagged with the payload) and captured output are shown, as text.
    expect(html).toContain('<h4>Saved models</h4>');
    const models = /<div class="models">([\s\S]*?)<\/div>/.exec(html)![1]!;
    expect(models).toContain('&lt;/script&gt;&lt;script&gt;window.__xss'); // handlebars also escapes = as &#x3D;
    const output = /<pre class="output-text"[^>]*>([\s\S]*?)<\/pre>/.exec(html)![1]!;
    expect(output).toContain('&lt;img src');
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    const data = JSON.parse(json) as { runs: Array<{ id: string; record: unknown }> };
    expect(data.runs.map((run) => run.id).sort()).toEqual(ids);
    for (const run of data.runs) expect(run.record).toEqual(storedRecord(dir, run.id));
  });

  it('opens offline from disk in Chromium: no request, no console error, no script from the data, charts interactive', async () => {
    const page = await openReport(pathToFileURL(reportFile).href);
    await page.waitForSelector('html[data-charts-live="2"]', { state: 'attached', timeout: 15_000 });
    expect(browser.external).toEqual([]);
    expect(browser.errors).toEqual([]);
    const state = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: unknown }).__xss ?? null,
      images: document.querySelectorAll('img').length,
      scripts: document.querySelectorAll('script').length,
      external: document.querySelectorAll('[src], link[href], iframe, object, embed').length,
      handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
      liveSvgs: document.querySelectorAll('.chart-live:not([hidden]) svg.marks').length,
      title: document.querySelector('h1')!.textContent,
      payloadRun: document.querySelector('.run:last-of-type h3')!.textContent,
      stack: document.querySelector('.stack')!.textContent,
      code: [...document.querySelectorAll('.code-block pre')].map((pre) => pre.textContent),
      highlighted: document.querySelectorAll('.code-block .tok-keyword').length,
    }));
    expect(state).toMatchObject({ xss: null, external: 0, images: 0, scripts: 4, handlers: 0, liveSvgs: 2 });
    expect(state.title).toBe(`LR sweep ${PAYLOAD}`);
    expect(state.payloadRun).toBe(PAYLOAD);
    expect(state.stack).toContain(`at train (${PAYLOAD}:1:1)`);
    expect(state.code.some((text) => text!.includes(`const s = "${PAYLOAD}";`))).toBe(true);
    expect(state.highlighted).toBeGreaterThan(2);
    // The embedded data as the page's own script reads it matches the store exactly.
    const records = await page.evaluate(() => JSON.parse(document.getElementById('report-data')!.textContent!).runs);
    for (const run of records) expect(run.record).toEqual(storedRecord(dir, run.id));
    // Tooltips: hovering a line shows its values.
    const box = (await page.locator('#chart-0 .chart-live svg').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    await page.evaluate(() => window.scrollTo(0, document.getElementById('runs')!.offsetTop - 16));
    await page.waitForTimeout(200);
    const file = await screenshot(page, 'report.png');
    expect(fs.statSync(file).size).toBeGreaterThan(20_000);
    await page.close();
  });

  it('prints every run\'s captured output, opened or not', async () => {
    const page = await openReport(pathToFileURL(reportFile).href);
    await page.waitForSelector('html[data-report-ready]', { state: 'attached', timeout: 15_000 });
    expect(await page.evaluate(() => [...document.querySelectorAll('details.output')].map((d) => (d as HTMLDetailsElement).open))).toEqual([false]);
    await page.pdf({ path: path.join(dir, 'report.pdf') });
    expect(await page.evaluate(() => [...document.querySelectorAll('details.output')].map((d) => (d as HTMLDetailsElement).open))).toEqual([true]);
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('.output-text')!).maxHeight)).toBe('360px'); // on screen: scrolls
    await page.emulateMedia({ media: 'print' });
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('.output-text')!).maxHeight)).toBe('none'); // printed: whole
    await page.close();
  });

  it('stays inert with the Content-Security-Policy removed: the escaping alone keeps data as text', async () => {
    const html = fs.readFileSync(reportFile, 'utf8').replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
    const bare = path.join(dir, 'out', 'no-csp.html');
    fs.writeFileSync(bare, html);
    const page = await openReport(pathToFileURL(bare).href);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss ?? null)).toBeNull();
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    await page.close();
  });

  it('opens a #run= link at that run and a #compare= link with those runs selected', async () => {
    const url = pathToFileURL(reportFile).href;
    const [a, b, c] = ids as [string, string, string];
    const page = await openReport(`${url}#run=${encodeURIComponent(c)}`);
    expect(await page.evaluate(() => document.documentElement.dataset.targetRun)).toBe(c);
    await expect.poll(() => page.evaluate((id) => {
      const rect = document.getElementById(`run=${id}`)!.getBoundingClientRect();
      return rect.top >= -5 && rect.top < window.innerHeight - 100;
    }, c)).toBe(true);
    await page.goto(`${url}#compare=${a},${b}`);
    await page.waitForSelector('html[data-report-ready]', { state: 'attached' });
    expect(await page.evaluate(() => document.documentElement.dataset.selected)).toBe(`${a},${b}`);
    expect(await page.locator('#runs-table tr.selected').count()).toBe(2);
    expect(await page.locator(`#runs-table tr[data-run="${c}"] .run-select`).isChecked()).toBe(false);
    await page.close();
  });

  it('resolves a link by run name as the CLI does (the core run lookup), and leaves an ambiguous prefix unresolved', async () => {
    const url = pathToFileURL(reportFile).href;
    const fast = ids[1]!;
    const page = await openReport(`${url}#run=fast`);
    expect(await page.evaluate(() => document.documentElement.dataset.targetRun)).toBe(fast);
    // Every id starts with the year: a prefix that matches three runs names none of them.
    await page.goto(`${url}#run=${ids[0]!.slice(0, 4)}`);
    await page.reload();
    await page.waitForSelector('html[data-report-ready]', { state: 'attached' });
    expect(await page.evaluate(() => document.documentElement.dataset.targetRun ?? null)).toBeNull();
    await page.close();
  });

  it('sorts and filters the runs table', async () => {
    const page = await openReport(pathToFileURL(reportFile).href);
    const names = () => page.$$eval('#runs-table tbody tr:not([hidden]) td:nth-child(2)', (cells) => cells.map((cell) => cell.textContent));
    await page.click('#runs-table th:has-text("lr")');
    expect(await names()).toEqual(['baseline', 'fast', PAYLOAD]);
    await page.click('#runs-table th:has-text("lr")');
    expect(await names()).toEqual([PAYLOAD, 'fast', 'baseline']);
    await page.fill('#run-filter', 'fast');
    expect(await names()).toEqual(['fast']);
    await page.close();
  });
});

describe('trainbook report: templates and errors', () => {
  it('takes templates from --template, file by file', () => {
    const own = tempDir();
    fs.mkdirSync(path.join(own, 'partials'));
    fs.writeFileSync(path.join(own, 'partials', 'summary.hbs'), '<section id="summary"><p class="mine">{{summary.runs}} runs by {{title}}</p></section>\n');
    const result = runCli(['report', '-o', 'custom.html', '--template', own, '--title', '<b>x</b>'], dir);
    expect(result.status).toBe(0);
    const html = fs.readFileSync(path.join(dir, 'custom.html'), 'utf8');
    expect(html).toContain('<p class="mine">3 runs by &lt;b&gt;x&lt;/b&gt;</p>');
    expect(html).toContain('<h2>Parameters</h2>'); // the other templates are the built-in ones
  });

  it('names the file and line of a template error and writes nothing', () => {
    const own = tempDir();
    fs.mkdirSync(path.join(own, 'partials'));
    const file = path.join(own, 'partials', 'run.hbs');
    fs.writeFileSync(file, '<article>\n<h3>{{label}}</h3>\n{{#if status}}\n</article>\n');
    const result = runCli(['report', '-o', 'broken.html', '--template', own], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`Template ${file}:`);
    expect(result.stderr).toMatch(/run\.hbs:\d+: /);
    expect(fs.existsSync(path.join(dir, 'broken.html'))).toBe(false);
  });

  it('says clearly when there is no store, no run, or an unknown run', () => {
    const empty = tempDir();
    const none = runCli(['report'], empty);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/No trainbook store in/);
    fs.mkdirSync(path.join(empty, 'nb.trainbook', 'runs'), { recursive: true });
    fs.writeFileSync(path.join(empty, 'nb.trainbook', 'store.json'), '{"format":1,"notebook":"nb.ipynb"}');
    const noRuns = runCli(['report', 'nb.ipynb'], empty);
    expect(noRuns.status).toBe(2);
    expect(noRuns.stderr).toMatch(/No runs yet in/);
    const unknown = runCli(['report', '--runs', 'nope-not-a-run', '-o', 'x.html'], dir);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/No run "nope-not-a-run"/);
    const filtered = runCli(['report', '--runs', 'lr>0.05', '-o', 'filtered.html'], dir);
    expect(filtered.status).toBe(0);
    expect(filtered.stdout).toMatch(/\(2 runs, /);
    expect(runCli(['report', '--help'], dir).stdout).toMatch(/--runs <query>/);
  });
});
