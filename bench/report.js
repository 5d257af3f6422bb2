// Report benchmark: `benchReport()` is called by bench/run.js; `node bench/report.js` runs it alone
// (after `npm run build:sdk`). It makes a store of BENCH_REPORT_RUNS runs (default 100) of
// BENCH_REPORT_POINTS points each (default 100,000), then measures
//   - the time `trainbook report` takes (reading, downsampling, SVG, templates) and the file size;
//   - the time Chromium takes to load that file from disk and render it (the load event: HTML
//     parsed, scripts run, static SVG charts laid out; median of 3), first paint, and the time until
//     every chart is interactive.
// Targets: < 5 s, < 5 MB, < 1 s to load and render. Prints its own table; exits 0 either way.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import * as trainbook from '../sdk/dist/index.js';
import { frameEvent } from '../sdk/dist/format/events.js';
import { buildReport } from '../sdk/dist/report/build.js';
import { Targets, bytes, heading, makeTempDir, median, ms, nowMs, removeTempDir } from './lib.js';

const RUNS = intFromEnv('BENCH_REPORT_RUNS', 100);
const POINTS = intFromEnv('BENCH_REPORT_POINTS', 100_000);
const TARGET_MS = 5_000;
const TARGET_BYTES = 5 * 1024 * 1024;
const TARGET_LOAD_MS = 1_000;

function intFromEnv(name, fallback) {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Runs made by the SDK (valid run.json), their points appended as metrics records of 16k points. */
export async function makeStore(dir) {
  const storeDir = path.join(dir, 'bench.trainbook');
  for (let r = 0; r < RUNS; r++) {
    const run = trainbook.init({ dir: storeDir, name: `run-${r}`, params: { lr: 10 ** -(1 + (r % 4)), batch: 32 << (r % 3), seed: r }, git: false, display: false });
    await run.finish();
    const file = path.join(storeDir, 'runs', run.id, 'events.jsonl');
    const start = Date.now();
    let text = '';
    for (let offset = 0; offset < POINTS; offset += 16_384) {
      const n = Math.min(16_384, POINTS - offset);
      const time = new Array(n);
      const value = new Array(n);
      const val = new Array(n);
      for (let i = 0; i < n; i++) {
        const step = offset + i;
        time[i] = i;
        value[i] = Math.fround(Math.exp(-step / (20_000 + r * 300)) + 0.05 * Math.sin(step * 0.37 + r) * Math.sin(step * 0.011));
        val[i] = Math.fround(value[i] + 0.04);
      }
      text += frameEvent({ type: 'metrics', time: start + offset, series: { loss: { stepStart: offset, time, value } } }, (s) => crc32(s));
    }
    fs.appendFileSync(file, text);
  }
  return storeDir;
}

async function chromiumLoad(file, charts) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return null;
  }
  if (!fs.existsSync('/usr/bin/chromium')) return null;
  const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-bench-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const loads = [];
    const paints = [];
    let interactive = 0;
    for (let i = 0; i < 3; i++) {
      await page.goto('about:blank');
      const start = nowMs();
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      // The browser's own clock: the load event (HTML parsed, scripts run, static SVG charts laid
      // out) and the first contentful paint, both from navigation start.
      const timing = await page.evaluate(() => {
        const navigation = performance.getEntriesByType('navigation')[0];
        const paint = performance.getEntriesByName('first-contentful-paint')[0];
        return { load: navigation.loadEventEnd, paint: paint ? paint.startTime : NaN };
      });
      loads.push(timing.load);
      paints.push(timing.paint);
      await page.waitForSelector(`html[data-charts-live="${charts}"]`, { state: 'attached', timeout: 60_000 });
      if (i === 0) interactive = nowMs() - start;
    }
    return { loaded: median(loads), painted: median(paints), interactive };
  } finally {
    await context.close();
  }
}

export async function benchReport() {
  heading(`Report: ${RUNS} runs x ${POINTS.toLocaleString('en-US')} points`);
  const dir = makeTempDir('report');
  const targets = new Targets();
  try {
    const setupStart = nowMs();
    const storeDir = await makeStore(dir);
    console.log(`  store written in ${ms(nowMs() - setupStart)} (setup, not measured)`);
    const store = trainbook.openStore(storeDir);
    const start = nowMs();
    const result = await buildReport({ stores: [store] });
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, result.html);
    const took = nowMs() - start;
    const size = fs.statSync(file).size;
    targets.add('report', 'trainbook report (read, M4, SVG, write)', ms(took), `< ${ms(TARGET_MS)}`, took < TARGET_MS);
    targets.add('report', 'report file size', bytes(size), `< ${bytes(TARGET_BYTES)}`, size < TARGET_BYTES);
    const browser = await chromiumLoad(file, result.model.charts.length);
    if (browser) {
      targets.add('report', 'Chromium: load event, file:// (median of 3)', ms(browser.loaded), `< ${ms(TARGET_LOAD_MS)}`, browser.loaded < TARGET_LOAD_MS);
      targets.info('report', 'Chromium: first contentful paint', ms(browser.painted));
      targets.info('report', 'Chromium: every chart interactive (first load)', ms(browser.interactive));
    } else {
      targets.skipped('report', 'Chromium load time', 'no /usr/bin/chromium or playwright-core');
    }
  } finally {
    removeTempDir(dir);
  }
  targets.print();
  return targets;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchReport();
}
