// Renderer bench: the live chart's cost per update as more points are logged, ours (streaming a
// bounded, M4-downsampled payload into existing Vega views) against re-embedding every point (the
// approach tfjs-vis takes), measured side by side in one Chromium. Also the kernel's cost to
// build each update. Run with `npm run bench` (or `node bench/renderer.js` after a build).
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { LiveSeriesTracker } from '../sdk/dist/live/liveSeries.js';
import { liveBundle } from '../sdk/dist/live/bundle.js';
import { buildPayload } from '../sdk/dist/live/liveOutput.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SIZES = [1_000, 100_000, 1_000_000];
const UPDATES = 8;
const TARGET_MS = 50;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function servePage(dir) {
  await build({
    entryPoints: [path.join(here, 'renderer-page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile: path.join(dir, 'page.js'),
    logLevel: 'silent',
  });
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><body style="width:900px"><script type="module" src="page.js"></script>');
  const server = http.createServer((request, response) => {
    const name = request.url === '/' ? 'index.html' : path.basename(request.url ?? '');
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(fs.readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/** Logs `points` points the way a run does, snapshotting UPDATES times near the end (as a live display would). */
function kernelUpdates(points) {
  const tracker = new LiveSeriesTracker();
  const snapshots = [];
  const kernelMs = [];
  const record = {
    id: 'bench', name: 'bench', experiment: null, status: 'running', startedAt: new Date().toISOString(), endedAt: null,
    heartbeatAt: new Date().toISOString(), progress: null, error: null,
  };
  const marks = new Set(Array.from({ length: UPDATES + 1 }, (_, k) => Math.max(1, Math.round(points * (0.9 + (0.1 * k) / UPDATES)))));
  for (let i = 0; i < points; i++) {
    tracker.add({ 'batch/loss': Math.sin(i / 1000) + 1 / (1 + i / 1000) }, i);
    if (i % 100 === 0) tracker.add({ loss: 1 / (1 + i / 1000), val_loss: 1.1 / (1 + i / 1000) }, i);
    if (marks.has(i + 1)) {
      const start = performance.now();
      const series = tracker.snapshot();
      const bundle = JSON.stringify(liveBundle(buildPayload(record, series, 's', Date.now())));
      kernelMs.push(performance.now() - start);
      snapshots.push({ series, bytes: bundle.length });
    }
  }
  return { snapshots, kernelMs };
}

export async function benchRenderer() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-bench-renderer-'));
  const { server, url } = await servePage(dir);
  const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-bench-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const rows = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    await page.waitForFunction(() => window.bench !== undefined);
    for (const points of SIZES) {
      const { snapshots, kernelMs } = kernelUpdates(points);
      await page.evaluate(() => window.bench.reset());
      await page.evaluate((series) => window.bench.update(series), snapshots[0].series); // first embed, not timed
      const updateMs = [];
      for (const snapshot of snapshots.slice(1)) updateMs.push(await page.evaluate((series) => window.bench.update(series), snapshot.series));
      const reembedMs = [];
      for (let k = 0; k < (points >= 1_000_000 ? 1 : 3); k++) reembedMs.push(await page.evaluate((n) => window.bench.reembed(n), points));
      const ours = median(updateMs);
      const theirs = median(reembedMs);
      rows.push({
        points,
        ours,
        kernel: median(kernelMs),
        bytes: Math.max(...snapshots.map((s) => s.bytes)),
        theirs,
      });
    }
  } finally {
    await context.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const format = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  console.log('\nRenderer: one live update of the chart, as more points are logged (Chromium, median)');
  console.log(['points logged', 'ours ms/update', 'kernel ms/update', 'output bytes', 're-embed all ms', 're-embed / ours', `target: ours < ${TARGET_MS} ms, flat`].join(' | '));
  for (const row of rows) {
    console.log(
      [
        row.points.toLocaleString('en'),
        format(row.ours),
        format(row.kernel),
        row.bytes.toLocaleString('en'),
        format(row.theirs),
        `${(row.theirs / row.ours).toFixed(1)}x`,
        row.ours < TARGET_MS ? 'PASS' : 'MISS',
      ].join(' | '),
    );
  }
  const flat = rows.at(-1).ours / rows[0].ours;
  console.log(`flatness: ours at ${rows.at(-1).points.toLocaleString('en')} points / at ${rows[0].points.toLocaleString('en')} = ${flat.toFixed(2)}x ${flat < 3 ? 'PASS' : 'MISS'} (target: under 3x)`);
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchRenderer();
