// trainbook team hub benchmark: `npm run bench` (builds first), or `node bench/hub.js` after a build.
//
// Starts a throwaway PostgreSQL cluster (Debian's server binaries; fsync on, as a real hub), then
// measures side by side:
//   (a) pushing a finished 1,000,000-point run (read the local store, COPY events + point chunks,
//       one transaction) against a raw text COPY of the same 1M rows into a plain points table, and
//       a multi-row INSERT of the same rows (on a sample, extrapolated);
//   (b) listing, filtering and sorting 100,000 runs by a param and a metric;
//   (c) compare: fetching 20 runs x 10 metrics x 10,000 points and M4-downsampling them;
//   (d) a live run: model.fit with run.tfCallback() with no hub, the hub up, slow (+100 ms each way
//       through a proxy) and down, and how far the hub lags behind a live run.
// A benchmark, not a test: exits 0 whether targets are met or not.
//
// How (d) measures the hub's cost. One live syncer (what `init({ hub })` attaches: a timer that
// pushes the run every 2 s in the background) costs the fit well under the fit-to-fit noise of a
// small shared machine (+-5 points), so it is amplified, as bench/run.js (b) does for callbacks:
// SYNCERS runs (BENCH_HUB_SYNCERS) record the same fit at once, each through its own tfCallback()
// and, in the hub cases, its own live syncer made by init({ hub }) itself (the SDK's code path,
// nothing re-created here). The same SYNCERS runs without a hub are the comparison, so what the
// runs themselves cost cancels out; SYNCERS syncers do SYNCERS times one's work, and
//   the hub's cost per run = (SYNCERS runs with the hub - SYNCERS runs without) / SYNCERS
// as a share of a plain fit (no run, no callback) of the same round, with the noise divided by
// SYNCERS. The cases (plain; 1 and SYNCERS runs with no hub / up / slow / down) run once per
// round, each round starting with another case, and the figures are computed round by round (a
// case against the no-hub case and the plain fit of its own round, so that the machine's drift
// between rounds cancels): the median over rounds is the target's measure, with its IQR and
// min .. max. The same for this process's CPU time (the training process's own
// cost: PostgreSQL and the proxy share the cores), and the direct one-run figures, for information.
// So that no figure passes by not syncing: when each fit returns (before finish()'s last push) the
// bench asks the hub how many points of each run it holds (shown as "on the hub when the fit
// ended"; any up/slow run with none makes the target a MISS), and after finish() it checks that
// the hub holds all of them. Runs are made before the clock starts and finished after it stops.
// Knobs: BENCH_HUB_POINTS (1000000), BENCH_HUB_RUNS (100000), BENCH_REPEATS (5), BENCH_FIT_ROUNDS (4),
// BENCH_FIT_EPOCHS (20: epochs per fit in (d)), BENCH_HUB_SYNCERS (8), BENCH_SKIP=a,b,c,d.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import * as trainbook from '../sdk/dist/index.js';
import { m4 } from '../sdk/dist/format/downsample.js';
import { localRunSource } from '../sdk/dist/sync/runSource.js';
import { fetchSeries, listRuns, migrate, openHub, pushRun } from '../hub/dist/index.js';
import { parseQuery } from '../sdk/dist/experiments/query.js';
import { Targets, heading, median, ms, nowMs, percent, printTable, quantile, rate, ratio } from './lib.js';

const POINTS = intFromEnv('BENCH_HUB_POINTS', 1_000_000);
const RUNS = intFromEnv('BENCH_HUB_RUNS', 100_000);
const REPEATS = intFromEnv('BENCH_REPEATS', 5);
const FIT_ROUNDS = intFromEnv('BENCH_FIT_ROUNDS', 4);
const FIT_EPOCHS = intFromEnv('BENCH_FIT_EPOCHS', 20);
const SYNCERS = intFromEnv('BENCH_HUB_SYNCERS', 8);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean));

function intFromEnv(name, fallback) {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

// --- a throwaway cluster ------------------------------------------------------------------------
function binDir() {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : null;
}
const asServer = (bin, args) =>
  execFileSync(process.getuid?.() === 0 ? 'runuser' : bin, process.getuid?.() === 0 ? ['-u', 'postgres', '--', bin, ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'] });
async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
async function startCluster() {
  const bin = binDir();
  if (!bin) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-bench-pg-'));
  fs.chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  asServer(path.join(bin, 'initdb'), ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // Durable as a real hub is (fsync on); a little more memory than the defaults.
  asServer(path.join(bin, 'pg_ctl'), ['-D', path.join(dir, 'data'), '-l', path.join(dir, 'log'), '-w', 'start', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB`]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => {
      try {
        asServer(path.join(bin, 'pg_ctl'), ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']);
      } catch {}
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const tempDirs = [];
function tempDir(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `trainbook-bench-hub-${label}-`));
  tempDirs.push(dir);
  return dir;
}

function sourceOf(dir, id) {
  return localRunSource(dir, path.join(dir, 'runs', id), id);
}

/** A finished run of `points` points of one metric (steps 0.., an epoch every 10k, a NaN and ±Infinity). */
async function recordRun(dir, points, metrics = ['loss'], name = 'bench') {
  const run = trainbook.init({ dir, git: false, display: false, systemMetrics: false, captureOutput: false, name, params: { lr: 0.01 } });
  const perMetric = Math.floor(points / metrics.length);
  for (let i = 0; i < perMetric; i++) {
    const values = {};
    for (const [k, metric] of metrics.entries()) values[metric] = i === 7 ? NaN : i === 8 ? Infinity : Math.exp(-i / perMetric) + 0.01 * Math.sin(i + k);
    run.log(values, { step: i, epoch: Math.floor(i / 10_000) });
  }
  await run.finish();
  return run.id;
}

// --- (a) push a 1M-point run -------------------------------------------------------------------
async function benchPush(targets, cluster) {
  heading(`(a) push a finished ${POINTS.toLocaleString('en-US')}-point run, against raw COPY and multi-row INSERT of the same rows`);
  const client = new pg.Client(cluster.url);
  await client.connect();
  const dir = tempDir('push');
  const id = await recordRun(dir, POINTS);
  const source = sourceOf(dir, id);
  const data = trainbook.openStore(dir).read(id).series.get('loss');
  const rowsText = () => {
    const parts = [];
    let text = '';
    for (let i = 0; i < data.length; i++) {
      const epoch = Number.isNaN(data.epoch[i]) ? '\\N' : data.epoch[i];
      text += `${id}\tloss\t${data.step[i]}\t${epoch}\t${data.time[i]}\t${data.value[i]}\n`;
      if (text.length > 1 << 16) {
        parts.push(text);
        text = '';
      }
    }
    parts.push(text);
    return parts;
  };
  await client.query('CREATE TABLE bench_points (run_id text, metric text, step float8, epoch float8, time float8, value float8)');
  const pushTimes = [];
  const copyTimes = [];
  const copyBuild = [];
  for (let r = 0; r < REPEATS; r++) {
    // The push, from the local files to committed rows; the hub is emptied between repeats.
    await client.query('TRUNCATE trainbook.runs CASCADE');
    const hub = openHub(cluster.url);
    const t0 = nowMs();
    const result = await pushRun(hub, source);
    pushTimes.push(nowMs() - t0);
    await hub.close();
    if (result.points !== POINTS) throw new Error(`pushed ${result.points} points, expected ${POINTS}`);
    // Raw COPY of the same rows (text form built first, timed apart), into a plain table.
    await client.query('TRUNCATE bench_points');
    const b0 = nowMs();
    const parts = rowsText();
    copyBuild.push(nowMs() - b0);
    const t1 = nowMs();
    await pipeline(Readable.from(parts), client.query(copyStreams.from('COPY bench_points FROM STDIN')));
    copyTimes.push(nowMs() - t1);
  }
  const counted = await client.query(`SELECT count(*)::int AS n FROM trainbook.points WHERE run_id = $1`, [id]);
  if (counted.rows[0].n !== POINTS) throw new Error(`the hub holds ${counted.rows[0].n} points`);
  // Multi-row INSERT (1000 rows of 6 parameters per statement), on a 100k-row sample.
  const sample = Math.min(100_000, data.length);
  await client.query('TRUNCATE bench_points');
  const i0 = nowMs();
  for (let start = 0; start < sample; start += 1000) {
    const values = [];
    const params = [];
    for (let i = start; i < Math.min(sample, start + 1000); i++) {
      const k = params.length;
      values.push(`($${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}, $${k + 5}, $${k + 6})`);
      params.push(id, 'loss', data.step[i], Number.isNaN(data.epoch[i]) ? null : data.epoch[i], data.time[i], data.value[i]);
    }
    await client.query(`INSERT INTO bench_points VALUES ${values.join(',')}`, params);
  }
  const insertMs = ((nowMs() - i0) * data.length) / sample;
  await client.end();
  const push = median(pushTimes);
  const copy = median(copyTimes);
  printTable(
    [
      { key: 'what', title: '', align: 'left' },
      { key: 'time', title: 'median', align: 'right' },
      { key: 'rate', title: 'points/s', align: 'right' },
    ],
    [
      { what: 'trainbook push (read store, binary COPY events + float8[] chunks, commit)', time: ms(push), rate: rate((POINTS / push) * 1000) },
      { what: 'raw text COPY of the same 1M rows into a plain table', time: ms(copy), rate: rate((POINTS / copy) * 1000) },
      { what: '  (building that COPY text, not counted above)', time: ms(median(copyBuild)), rate: '' },
      { what: `multi-row INSERT, 1000 rows per statement (${sample.toLocaleString('en-US')} rows, extrapolated)`, time: ms(insertMs), rate: rate((POINTS / insertMs) * 1000) },
    ],
  );
  targets.add('(a)', 'push a 1M-point run', ms(push), '< 2 s', push < 2000);
  targets.add('(a)', 'push rate', rate((POINTS / push) * 1000), '>= 500k pts/s', (POINTS / push) * 1000 >= 500_000);
  targets.add('(a)', 'push / raw COPY of the same rows', ratio(push / copy), '<= 2x', push / copy <= 2);
  targets.info('(a)', 'multi-row INSERT / raw COPY', ratio(insertMs / copy));
}

// --- (b) 100k runs -----------------------------------------------------------------------------
async function benchList(targets, cluster) {
  heading(`(b) list, filter and sort ${RUNS.toLocaleString('en-US')} runs on the hub by a param and a metric`);
  const client = new pg.Client(cluster.url);
  await client.connect();
  await client.query('TRUNCATE trainbook.runs CASCADE');
  const g0 = nowMs();
  // Runs made in SQL (pushing 100k runs one by one is not what is measured here), shaped as pushes make them.
  await client.query(`
    INSERT INTO trainbook.runs (id, store, host, username, record, status, name, tags, params, summary, started_at, heartbeat_at, ended_at)
    SELECT to_char(now() - (i || ' seconds')::interval, 'YYYYMMDD-HH24MISSMS') || '-' || lpad(to_hex(i), 5, '0'), 'train.trainbook', 'host' || (i % 10), 'user' || (i % 7),
      '{}', CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'completed' END, 'run-' || i, ARRAY['sweep' || (i % 20)],
      jsonb_build_object('lr', (i % 100) / 1000.0, 'optimizer.name', (ARRAY['adam', 'sgd', 'rmsprop'])[1 + i % 3], 'layers', 1 + i % 8),
      '{}', now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval
    FROM generate_series(1, ${RUNS}) AS i`);
  await client.query(`
    INSERT INTO trainbook.run_metrics (run_id, metric, last, min, max, count, step)
    SELECT id, m, random(), random() / 2, 0.5 + random() / 2, 1000, 999 FROM trainbook.runs, unnest(ARRAY['loss', 'acc', 'val_loss', 'val_acc']) AS m`);
  await client.query('ANALYZE trainbook.runs; ANALYZE trainbook.run_metrics');
  console.log(`  made ${RUNS.toLocaleString('en-US')} runs with 4 metrics each in ${ms(nowMs() - g0)}`);
  await client.end();
  const hub = openHub(cluster.url);
  const where = parseQuery('optimizer.name = "adam" and loss < 0.3');
  const cases = [
    { label: 'filter + sort by metric:loss, first 50 (what ls --hub and the panel fetch)', options: { where, sort: 'metric:loss', limit: 50 } },
    { label: 'filter + sort by metric:loss, every match', options: { where, sort: 'metric:loss' } },
    { label: 'filter + sort by param:lr desc, first 50', options: { where, sort: 'param:lr', descending: true, limit: 50 } },
    { label: 'no filter, sort by metric:val_acc desc, first 50', options: { sort: 'metric:val_acc', descending: true, limit: 50 } },
  ];
  const rows = [];
  for (const { label, options } of cases) {
    const times = [];
    let result;
    for (let r = 0; r < REPEATS; r++) {
      const t0 = nowMs();
      result = await listRuns(hub, options);
      times.push(nowMs() - t0);
    }
    rows.push({ label, time: ms(median(times)), rows: `${result.runs.length} of ${result.total}` });
    if (label.startsWith('filter + sort by metric:loss, first')) targets.add('(b)', 'filter + sort 100k runs (param and metric), first 50', ms(median(times)), '< 300 ms', median(times) < 300);
    if (label.endsWith('every match')) targets.add('(b)', 'filter + sort 100k runs, every match returned', ms(median(times)), '< 300 ms', median(times) < 300);
  }
  await hub.close();
  printTable(
    [
      { key: 'label', title: '', align: 'left' },
      { key: 'time', title: 'median', align: 'right' },
      { key: 'rows', title: 'runs', align: 'right' },
    ],
    rows,
  );
}

// --- (c) compare -------------------------------------------------------------------------------
async function benchCompare(targets, cluster) {
  const perSeries = 10_000;
  heading(`(c) compare 20 runs x 10 metrics x ${perSeries.toLocaleString('en-US')} points: fetch step + value from the hub, M4 to 1000 buckets`);
  const hub = openHub(cluster.url);
  const dir = tempDir('compare');
  const metrics = Array.from({ length: 10 }, (_, i) => `metric_${i}`);
  const ids = [];
  const p0 = nowMs();
  for (let r = 0; r < 20; r++) {
    const id = await recordRun(dir, perSeries * metrics.length, metrics, `compare-${r}`);
    await pushRun(hub, sourceOf(dir, id));
    ids.push(id);
  }
  console.log(`  recorded and pushed 20 runs (${(20 * perSeries * metrics.length).toLocaleString('en-US')} points) in ${ms(nowMs() - p0)}`);
  const times = [];
  let points = 0;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = nowMs();
    const series = await fetchSeries(hub, ids, metrics, { columns: ['step', 'value'] });
    let kept = 0;
    for (const s of series) kept += m4(s.step, s.value, s.length, 1000).x.length;
    times.push(nowMs() - t0);
    points = series.reduce((sum, s) => sum + s.length, 0);
    if (series.length !== 200 || kept === 0) throw new Error(`compare fetched ${series.length} series`);
  }
  await hub.close();
  console.log(`  ${points.toLocaleString('en-US')} points fetched per compare; median ${ms(median(times))}`);
  targets.add('(c)', 'compare 20 runs x 10 metrics (fetch + M4)', ms(median(times)), '< 0.5 s', median(times) < 500);
}

// --- (d) live run ------------------------------------------------------------------------------
/** A TCP proxy in its own process that delays every chunk by `delayMs` each way. */
async function startSlowProxy(targetPort, delayMs) {
  const port = await freePort();
  const code = `
    const net = require('node:net');
    net.createServer((client) => {
      const server = net.connect(${targetPort}, '127.0.0.1');
      const relay = (from, to) => from.on('data', (chunk) => setTimeout(() => to.write(chunk), ${delayMs}));
      relay(client, server); relay(server, client);
      const close = () => { client.destroy(); server.destroy(); };
      client.on('error', close); server.on('error', close); client.on('close', close); server.on('close', close);
    }).listen(${port}, '127.0.0.1', () => process.stdout.write('ready\\n'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () => child.kill();
  // Also when the bench crashes before it stops the proxy itself.
  process.once('exit', stop);
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return { port, stop };
}

/**
 * The cases timed in (d), `SYNCERS` runs at once in the amplified ones. `hub` is the URL each run
 * is given (false: none); `runs` how many runs record the fit (0: a plain fit, no callbacks).
 */
function liveCases(cluster, proxy) {
  const hubs = [
    { key: 'none', label: 'no hub', hub: false },
    { key: 'up', label: 'hub up', hub: cluster.url },
    { key: 'slow', label: 'hub slow (+100 ms each way)', hub: `postgres://postgres@127.0.0.1:${proxy.port}/postgres` },
    { key: 'down', label: 'hub down (closed port)', hub: 'postgres://postgres@127.0.0.1:1/postgres' },
  ];
  return [
    { key: 'plain', hubKey: null, label: 'model.fit, no run (the reference)', hub: false, runs: 0 },
    ...hubs.map((h) => ({ key: `one:${h.key}`, hubKey: h.key, label: `1 run's tfCallback(), ${h.label}`, hub: h.hub, runs: 1 })),
    ...hubs.map((h) => ({ key: `many:${h.key}`, hubKey: h.key, label: `${SYNCERS} runs' tfCallback(), ${h.label}`, hub: h.hub, runs: SYNCERS })),
  ];
}

/** Points the hub holds of each run in `ids` (0 for a run it does not hold). */
async function hubPointCounts(db, ids) {
  const result = await db.query('SELECT id, point_count FROM trainbook.runs WHERE id = ANY($1)', [ids]);
  const counts = new Map(result.rows.map((row) => [row.id, Number(row.point_count)]));
  return ids.map((id) => counts.get(id) ?? 0);
}

/** `median [q1 .. q3]` of percentages, with min .. max. */
function spread(values) {
  return {
    median: percent(median(values)),
    iqr: `${quantile(values, 0.25).toFixed(2)} .. ${quantile(values, 0.75).toFixed(2)}`,
    range: `${Math.min(...values).toFixed(2)} .. ${Math.max(...values).toFixed(2)}`,
  };
}

async function benchLive(targets, cluster) {
  heading(
    `(d) a live run: tfjs model.fit with run.tfCallback(), no hub vs the hub up, slow (+100 ms each way) and down; ` +
      `${SYNCERS} runs at once to amplify the hub's cost`,
  );
  let tf;
  try {
    tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    targets.skipped('(d)', 'live run overhead', 'tfjs not installed');
    return;
  }
  await trainbook.selectBackend(tf, { backend: 'wasm', quiet: true });
  // Long enough (7-8 s here) that each live syncer pushes during each fit, not only after it: its
  // first tick comes 2 s after init(), and during a fit a push moves on only when tfjs yields to the
  // event loop (every 125 ms), about one query per yield, so a push takes 1-2 s with the hub up and
  // 3 s or more through the slow proxy. With 8 epochs (3 s) the slow case committed nothing before
  // its fit ended.
  const FIT = { samples: 4096, features: 256, hidden: 64, classes: 10, batchSize: 32, epochs: FIT_EPOCHS };
  const batches = Math.ceil(FIT.samples / FIT.batchSize) * FIT.epochs;
  const xs = tf.randomUniform([FIT.samples, FIT.features], -1, 1, 'float32', 1);
  const ys = tf.tidy(() => tf.oneHot(tf.argMax(tf.matMul(xs, tf.randomNormal([FIT.features, FIT.classes], 0, 1, 'float32', 2)), 1), FIT.classes).toFloat());
  const makeModel = () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [FIT.features], units: FIT.hidden, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
    model.add(tf.layers.dense({ units: FIT.classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  };
  const proxy = await startSlowProxy(cluster.port, 100);
  const cases = liveCases(cluster, proxy);
  const dir = tempDir('live');
  // What the bench asks the hub, outside the timed fits (straight to the cluster, not through the proxy).
  const hubDb = new pg.Client(cluster.url);
  await hubDb.connect();
  const wall = Object.fromEntries(cases.map((c) => [c.key, []]));
  // CPU time of this (the training) process beside the wall time: PostgreSQL and the slow proxy run
  // on the same cores, so wall time also counts what the machine does for the hub.
  const cpu = Object.fromEntries(cases.map((c) => [c.key, []]));
  // Per fit with a reachable hub: the share of its runs' points the hub held when the fit ended
  // (before finish()'s last push), and the least of any one run's.
  const pushedShare = Object.fromEntries(cases.map((c) => [c.key, []]));
  const pushedLeast = Object.fromEntries(cases.map((c) => [c.key, []]));
  const expectedPoints = batches * 2 + FIT.epochs * 2; // batch/loss + batch/acc per batch, loss + acc per epoch

  /** One fit of `c`: the runs are made before the clock starts and finished after it stops. */
  const fitOnce = async (c, epochs = FIT.epochs) => {
    const model = makeModel();
    const runs = Array.from({ length: c.runs }, (_, i) => trainbook.init({ dir, git: false, display: false, systemMetrics: false, name: `live-${c.key}-${i}`, hub: c.hub }));
    const callbacks = runs.map((run) => run.tfCallback());
    const t0 = nowMs();
    const c0 = process.cpuUsage();
    await model.fit(xs, ys, { epochs, batchSize: FIT.batchSize, shuffle: false, verbose: 0, callbacks });
    const fitWall = nowMs() - t0;
    const used = process.cpuUsage(c0);
    const reachable = c.hubKey === 'up' || c.hubKey === 'slow';
    const ids = runs.map((run) => run.id);
    const duringFit = reachable ? await hubPointCounts(hubDb, ids) : null;
    const results = await Promise.all(runs.map((run) => run.finish()));
    model.optimizer.dispose();
    model.dispose();
    if (epochs === FIT.epochs) {
      for (const result of results) if (result.points !== expectedPoints) throw new Error(`a run of '${c.label}' logged ${result.points} points, expected ${expectedPoints}`);
    }
    if (reachable) {
      // After finish() (its last push) the hub must hold every point of every run.
      const after = await hubPointCounts(hubDb, ids);
      after.forEach((n, i) => {
        if (n !== results[i].points) throw new Error(`after finish() the hub holds ${n} of the ${results[i].points} points of run ${ids[i]} ('${c.label}')`);
      });
    }
    return { wall: fitWall, cpu: (used.user + used.system) / 1000, duringFit, total: results.reduce((sum, r) => sum + r.points, 0), perRun: results.map((r) => r.points) };
  };

  const stderrWrite = process.stderr.write;
  process.stderr.write = function (chunk, ...rest) {
    // The hub-down notice is expected here; keep it off the bench's output.
    if (/^trainbook: cannot push|^trainbook: run .* is not fully/.test(String(chunk))) return true;
    return stderrWrite.call(this, chunk, ...rest);
  };
  try {
    // Warm-up: tfjs, and the hub module's import and first push (so that no timed case pays them).
    await fitOnce(cases[0], 1);
    await fitOnce(cases.find((c) => c.key === 'one:up'), 1);
    for (let round = 0; round < FIT_ROUNDS; round++) {
      // Each round starts with another case, so that no case always runs first (or after the same one).
      const order = cases.map((_, i) => cases[(i + round) % cases.length]);
      for (const c of order) {
        const t = await fitOnce(c);
        wall[c.key].push(t.wall);
        cpu[c.key].push(t.cpu);
        if (t.duringFit) {
          pushedShare[c.key].push(t.duringFit.reduce((a, b) => a + b, 0) / t.total);
          pushedLeast[c.key].push(Math.min(...t.duringFit.map((n, i) => n / t.perRun[i])));
        }
      }
    }
  } finally {
    process.stderr.write = stderrWrite;
  }

  // Per round: each case against the no-hub case with as many runs, over the plain fit of that round.
  const perRun = (series, key, runs, noHubKey) => series[key].map((t, r) => ((t - series[noHubKey][r]) / runs / series.plain[r]) * 100);
  const share = (key) => (pushedShare[key].length ? `${(median(pushedShare[key]) * 100).toFixed(0)} % (least run ${(Math.min(...pushedLeast[key]) * 100).toFixed(0)} %)` : '-');
  printTable(
    [
      { key: 'label', title: `case (${FIT_ROUNDS} rounds)`, align: 'left' },
      { key: 'time', title: 'wall, median', align: 'right' },
      { key: 'range', title: 'min .. max', align: 'right' },
      { key: 'cpu', title: 'CPU, median', align: 'right' },
      { key: 'pushed', title: 'on the hub when the fit ended', align: 'right' },
    ],
    cases.map((c) => ({
      label: c.label,
      time: ms(median(wall[c.key])),
      range: `${ms(Math.min(...wall[c.key]))} .. ${ms(Math.max(...wall[c.key]))}`,
      cpu: ms(median(cpu[c.key])),
      pushed: share(c.key),
    })),
  );
  console.log(
    `  ${batches} batches per fit, ${expectedPoints} points per run; CPU: this (training) process's user+system time during the fit ` +
      '(PostgreSQL and the slow proxy run on the same cores, outside it). "On the hub": the median share of the runs\' points the hub held ' +
      'as the fit returned, before finish()\'s last push (the least of any one run in any round in brackets).',
  );
  console.log('');
  printTable(
    [
      { key: 'label', title: `hub's cost per run, % of the plain fit (${FIT_ROUNDS} rounds)`, align: 'left' },
      { key: 'median', title: 'median', align: 'right' },
      { key: 'iqr', title: 'IQR', align: 'right' },
      { key: 'range', title: 'min .. max', align: 'right' },
      { key: 'cpu', title: 'CPU, median', align: 'right' },
    ],
    ['up', 'slow', 'down'].flatMap((hubKey) => {
      const many = spread(perRun(wall, `many:${hubKey}`, SYNCERS, 'many:none'));
      const one = spread(perRun(wall, `one:${hubKey}`, 1, 'one:none'));
      return [
        { label: `${cases.find((c) => c.key === `many:${hubKey}`).label.replace(/^.*?, /, '')}: ${SYNCERS} syncers at once / ${SYNCERS}`, ...many, cpu: percent(median(perRun(cpu, `many:${hubKey}`, SYNCERS, 'many:none'))) },
        { label: '  direct, one run (information)', ...one, cpu: percent(median(perRun(cpu, `one:${hubKey}`, 1, 'one:none'))) },
      ];
    }),
  );
  const callbackCost = spread(wall['one:none'].map((t, r) => (t / wall.plain[r] - 1) * 100));
  console.log(
    `  Per round: (case - the same number of runs without a hub) / runs / that round's plain fit. ` +
      `One run's tfCallback() without a hub costs ${callbackCost.median} [${callbackCost.iqr}] of the plain fit (bench/run.js (b) measures it).`,
  );
  // The amplified figure is the target's measure, provided the syncers really pushed during the fits.
  for (const hubKey of ['up', 'slow', 'down']) {
    const key = `many:${hubKey}`;
    const over = median(perRun(wall, key, SYNCERS, 'many:none'));
    const pushed = hubKey === 'down' || pushedLeast[key].every((least) => least > 0);
    const label = cases.find((c) => c.key === key).label.replace(/^.*?, /, '');
    targets.add('(d)', `fit overhead per run, ${label} (${SYNCERS} at once / ${SYNCERS})`, percent(over), '< 2 %', over < 2 && pushed);
    if (!pushed) targets.add('(d)', `  ${label}: every run pushed during every fit`, 'no', 'yes (lengthen: BENCH_FIT_EPOCHS)', false);
    targets.info('(d)', `  cross-check: CPU time, ${label}`, percent(median(perRun(cpu, key, SYNCERS, 'many:none'))));
    targets.info('(d)', `  direct, one run, ${label}`, percent(median(perRun(wall, `one:${hubKey}`, 1, 'one:none'))));
  }
  await hubDb.end();
  // Lag: a run logging steadily for 10 s; every 250 ms, how old is the newest point the hub holds?
  const run = trainbook.init({ dir, git: false, display: false, systemMetrics: false, name: 'lag', hub: cluster.url });
  const client = new pg.Client(cluster.url);
  await client.connect();
  const lags = [];
  const end = Date.now() + 10_000;
  let step = 0;
  let nextPoll = Date.now() + 3000;
  while (Date.now() < end) {
    run.log({ loss: 1 / (step + 1) }, { step: step++ });
    if (Date.now() >= nextPoll) {
      nextPoll += 250;
      const newest = await client.query(`SELECT max(t) AS t FROM (SELECT time[n] AS t FROM trainbook.point_chunks WHERE run_id = $1) c`, [run.id]);
      if (newest.rows[0].t !== null) lags.push(Date.now() - newest.rows[0].t);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await run.finish();
  await client.end();
  proxy.stop();
  const worst = Math.max(...lags);
  console.log(`  hub lag behind a live run (hub up): median ${ms(median(lags))}, worst ${ms(worst)} (${lags.length} samples)`);
  targets.add('(d)', 'hub lag behind a live run (worst)', ms(worst), '< 5 s', worst < 5000);
}

async function main() {
  const started = nowMs();
  console.log(`trainbook hub benchmark: node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model.trim()}, load average ${os.loadavg()[0].toFixed(2)}`);
  const targets = new Targets();
  const cluster = await startCluster();
  if (!cluster) {
    console.log('  skipped: PostgreSQL is not installed (bash scripts/setup.sh --tests installs it).');
    return;
  }
  try {
    const hub = openHub(cluster.url);
    await migrate(hub);
    await hub.close();
    if (!SKIP.has('a')) await benchPush(targets, cluster);
    if (!SKIP.has('b')) await benchList(targets, cluster);
    if (!SKIP.has('c')) await benchCompare(targets, cluster);
    if (!SKIP.has('d')) await benchLive(targets, cluster);
  } finally {
    cluster.stop();
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  }
  heading('Summary (hub)');
  targets.print();
  console.log(`  bench time ${((nowMs() - started) / 1000).toFixed(1)} s, load average now ${os.loadavg()[0].toFixed(2)} (2 cores shared with other work make these noisy)`);
}

try {
  await main();
} catch (error) {
  console.error(`\nbench crashed: ${error?.stack ?? error}`);
  process.exit(1);
}
