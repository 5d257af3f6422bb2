// trainbook benchmark: `npm run bench` (builds sdk/dist first), or `node bench/run.js` after a build.
//
// Prints, measured side by side in this one process:
//   (a) metric points per second through run.log, against writing the same data with batched
//       fs.writeSync (the "raw write" of the target is a naive JSONL writer, see below);
//   (b) how much a tfjs model.fit slows down with run.tfCallback() logging every batch;
//   (c) how fast a run of 1,000,000 points is read back into columns;
//   (d) what system metrics sampling costs: one sample, and a run with sampling against one without.
// Each number has its target and a PASS/MISS mark. This is a benchmark, not a test: it exits 0
// whether targets are met or not, and non-zero only when something crashes.
//
// Knobs (environment): BENCH_POINTS (default 1000000), BENCH_REPEATS (default 5),
// BENCH_FIT_ROUNDS (default 20), BENCH_SKIP=a,b,c,d to leave sections out.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import * as trainbook from '../sdk/dist/index.js';
import { parseEvents } from '../core/dist/format/events.js';
import { collectSeries } from '../core/dist/format/series.js';
import { eventProblem } from '../core/dist/format/shape.js';
import { FLUSH_POINTS } from '../sdk/dist/run/recorder.js';
import {
  Targets,
  bytes,
  canGc,
  heading,
  makeTempDir,
  median,
  ms,
  nowMs,
  percent,
  printTable,
  quantile,
  rate,
  ratio,
  removeTempDir,
  repeat,
  watchOtherLoad,
  withTempDir,
  writeInChunks,
} from './lib.js';

const POINTS = intFromEnv('BENCH_POINTS', 1_000_000);
const REPEATS = intFromEnv('BENCH_REPEATS', 5);
const FIT_ROUNDS = intFromEnv('BENCH_FIT_ROUNDS', 20);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const CHUNK = 64 * 1024;
const EVENTS_FILE = 'events.jsonl';

const TARGET_LOG_RATE = 1_000_000; // points/s through run.log, finish() included
const TARGET_LOG_VS_RAW = 2; // trainbook time / naive-JSONL batched-writeSync time
const TARGET_FIT_SLOWDOWN = 2; // % slower model.fit with run.tfCallback() logging every batch
const TARGET_READ_RATE = 5_000_000; // points/s through openStore(dir).read(runId)

function intFromEnv(name, fallback) {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** A loss-like curve (decay plus noise), rounded to float32 as tfjs losses are. Deterministic. */
function lossCurve(n) {
  const values = new Float64Array(n);
  let seed = 0x2545f491;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    values[i] = Math.fround(2.3 * Math.exp(-i / (n / 4)) + 0.05 + 0.02 * (seed / 2 ** 32 - 0.5));
  }
  return values;
}

const fsyncClose = (fd) => {
  fs.fsyncSync(fd);
  fs.closeSync(fd);
};

// ---------------------------------------------------------------------------------------------
// (a) run.log throughput

async function benchLog(targets) {
  heading(`(a) run.log throughput: ${POINTS.toLocaleString('en-US')} scalar points, median of ${REPEATS} (best in brackets)`);
  const values = lossCurve(POINTS);

  // trainbook: a fresh store per repeat; timed from the first log() to the end of finish()
  // (which writes what is pending, fsyncs events.jsonl and writes run.json). init() is not timed.
  let eventsBytes = null;
  const initTimes = [];
  const tb = await repeat(REPEATS, (i) =>
    withTempDir('log', async (dir) => {
      const t0 = nowMs();
      const run = trainbook.init({ dir, git: false });
      const t1 = nowMs();
      for (let step = 0; step < POINTS; step++) run.log({ loss: values[step] }, { step });
      const result = await run.finish();
      const t2 = nowMs();
      if (result.points !== POINTS || result.lost.points !== 0) throw new Error(`run.log kept ${result.points} points, lost ${result.lost.points}`);
      if (i === 0) eventsBytes = fs.readFileSync(path.join(run.dir, EVENTS_FILE));
      initTimes.push(t1 - t0);
      return { ms: t2 - t1 };
    }),
  );

  // Naive JSONL: one JSON.stringify'd object per point, joined into ~64 KiB strings, each written
  // with one fs.writeSync; fsync + close at the end, as finish() does. This is the "raw write"
  // the 2x target is measured against.
  let naiveSize = 0;
  const naive = await repeat(REPEATS, () =>
    withTempDir('naive', (dir) => {
      const file = path.join(dir, 'naive.jsonl');
      const t0 = nowMs();
      const fd = fs.openSync(file, 'a');
      let batch = '';
      for (let step = 0; step < POINTS; step++) {
        batch += JSON.stringify({ type: 'metric', time: Date.now(), step, name: 'loss', value: values[step] }) + '\n';
        if (batch.length >= CHUNK) {
          fs.writeSync(fd, batch);
          batch = '';
        }
      }
      if (batch.length > 0) fs.writeSync(fd, batch);
      fsyncClose(fd);
      const elapsed = nowMs() - t0;
      naiveSize = fs.statSync(file).size;
      return { ms: elapsed };
    }),
  );

  // Byte copy: the exact bytes of the events.jsonl trainbook produced (already in memory),
  // written in 64 KiB chunks with fs.writeSync, fsync + close. For information: no encoding at all.
  const copy = await repeat(REPEATS, () =>
    withTempDir('copy', (dir) => {
      const t0 = nowMs();
      const fd = fs.openSync(path.join(dir, EVENTS_FILE), 'a');
      writeInChunks(fd, eventsBytes, CHUNK);
      fsyncClose(fd);
      return { ms: nowMs() - t0 };
    }),
  );

  const row = (name, r, size) => ({
    name,
    time: `${ms(r.median)} (${ms(r.best)})`,
    rate: `${rate(POINTS / (r.median / 1000))} (${rate(POINTS / (r.best / 1000))})`,
    size: bytes(size),
    perPoint: `${(size / POINTS).toFixed(1)} B`,
    vsRaw: ratio(r.median / naive.median),
  });
  printTable(
    [
      { key: 'name', title: 'case', align: 'left' },
      { key: 'time', title: 'time', align: 'right' },
      { key: 'rate', title: 'points/s', align: 'right' },
      { key: 'size', title: 'file', align: 'right' },
      { key: 'perPoint', title: 'per point', align: 'right' },
      { key: 'vsRaw', title: 'time / raw write', align: 'right' },
    ],
    [
      row('trainbook run.log() + finish()', tb, eventsBytes.length),
      row('raw write: naive JSONL, 64 KiB writeSync', naive, naiveSize),
      row('byte copy of events.jsonl, 64 KiB writeSync', copy, eventsBytes.length),
    ],
  );
  console.log(`  All cases end with fsync + close (finish() fsyncs events.jsonl). init() took ${ms(median(initTimes))} (median), not counted.`);
  console.log(`  run.log flushes every ${FLUSH_POINTS.toLocaleString('en-US')} points: ${Math.ceil(POINTS / FLUSH_POINTS)} 'metrics' lines for ${POINTS.toLocaleString('en-US')} points.`);

  const logRate = POINTS / (tb.median / 1000);
  targets.add('(a)', 'points/s through run.log', rate(logRate), `>= ${rate(TARGET_LOG_RATE)}`, logRate >= TARGET_LOG_RATE);
  const vsRaw = tb.median / naive.median;
  targets.add('(a)', 'run.log time / raw write (naive JSONL)', ratio(vsRaw), `<= ${ratio(TARGET_LOG_VS_RAW)}`, vsRaw <= TARGET_LOG_VS_RAW);
}

// ---------------------------------------------------------------------------------------------
// (c) reading a run back into columns

async function benchRead(targets) {
  heading(`(c) openStore(dir).read(runId): a run of ${POINTS.toLocaleString('en-US')} points back into columns, median of ${REPEATS} (best in brackets)`);
  const values = lossCurve(POINTS);
  await withTempDir('read', async (dir) => {
    const run = trainbook.init({ dir, git: false });
    for (let step = 0; step < POINTS; step++) run.log({ loss: values[step] }, { step });
    await run.finish();
    const eventsFile = path.join(run.dir, EVENTS_FILE);
    const size = fs.statSync(eventsFile).size;

    const read = await repeat(REPEATS, () => {
      const t0 = nowMs();
      const data = trainbook.openStore(dir).read(run.id);
      const elapsed = nowMs() - t0;
      const loss = data.series.get('loss');
      if (!loss || loss.length !== POINTS || data.problems.length > 0) throw new Error('read() did not return the points written');
      if (loss.value[POINTS - 1] !== values[POINTS - 1] || loss.step[POINTS - 1] !== POINTS - 1) throw new Error('read() returned other values than written');
      return { ms: elapsed };
    });

    // Where the time goes, step by step (the same work read() does, run separately).
    const nodeCrc = (b, start, end) => crc32(b.subarray(start, end));
    let fileBytes = null;
    let events = null;
    const readFile = await repeat(REPEATS, () => {
      fileBytes = fs.readFileSync(eventsFile);
    });
    const parse = await repeat(REPEATS, () => {
      events = parseEvents(fileBytes, nodeCrc).events;
    });
    const crcOnly = await repeat(REPEATS, () => {
      let lines = 0;
      for (let start = 0; start < fileBytes.length; ) {
        let end = fileBytes.indexOf(0x0a, start);
        if (end === -1) end = fileBytes.length;
        crc32(fileBytes.subarray(start + 18, end));
        lines++;
        start = end + 1;
      }
      return { lines };
    });
    const jsonOnly = await repeat(REPEATS, () => {
      const decoder = new TextDecoder();
      for (let start = 0; start < fileBytes.length; ) {
        let end = fileBytes.indexOf(0x0a, start);
        if (end === -1) end = fileBytes.length;
        JSON.parse(decoder.decode(fileBytes.subarray(start, end)));
        start = end + 1;
      }
    });
    const shape = await repeat(REPEATS, () => {
      for (const event of events) if (eventProblem(event) !== null) throw new Error('shape check failed');
    });
    const collect = await repeat(REPEATS, () => {
      collectSeries(events);
    });

    const rows = [
      { name: 'openStore(dir).read(runId), total', r: read },
      null,
      { name: '  readFileSync(events.jsonl)', r: readFile },
      { name: '  parseEvents (CRC check + JSON.parse + shape check)', r: parse },
      { name: '    of which: CRC-32 of every line (zlib.crc32)', r: crcOnly },
      { name: '    of which: TextDecoder + JSON.parse of every line', r: jsonOnly },
      { name: '    of which: shape check of every value (eventProblem)', r: shape },
      { name: '  collectSeries (JSON arrays -> Float64Array columns)', r: collect },
    ];
    printTable(
      [
        { key: 'name', title: 'step', align: 'left' },
        { key: 'time', title: 'time', align: 'right' },
        { key: 'rate', title: 'points/s', align: 'right' },
        { key: 'share', title: 'share of read()', align: 'right' },
      ],
      rows.map((row) =>
        row
          ? {
              name: row.name,
              time: `${ms(row.r.median)} (${ms(row.r.best)})`,
              rate: rate(POINTS / (row.r.median / 1000)),
              share: `${((row.r.median / read.median) * 100).toFixed(0)} %`,
            }
          : null,
      ),
    );
    const lines = crcOnly.last.lines;
    console.log(`  events.jsonl: ${size.toLocaleString('en-US')} bytes, ${lines} lines, ${(size / POINTS).toFixed(2)} bytes per point; disk read is from the page cache.`);

    const readRate = POINTS / (read.median / 1000);
    targets.add('(c)', 'points/s through openStore().read()', rate(readRate), `>= ${rate(TARGET_READ_RATE)}`, readRate >= TARGET_READ_RATE);
    targets.info('(c)', 'events.jsonl bytes per point', `${(size / POINTS).toFixed(2)} B`);
  });
}

// ---------------------------------------------------------------------------------------------
// (b) tfjs model.fit with and without run.tfCallback()

// The reference MLP of ENVIRONMENT.md (784-128-10, batch 64: 7-8k samples/s on wasm SIMD here).
const FIT = { samples: 4096, features: 784, hidden: 128, classes: 10, batchSize: 64, epochs: 2 };

/**
 * The slowdown of one callback (well under the noise of one fit on this machine) is also measured
 * amplified: AMPLIFY runs log every batch of the same fit, and the slope (their slowdown / AMPLIFY)
 * estimates one callback's cost with the noise divided by AMPLIFY.
 */
const AMPLIFY = 8;

/** The cases timed in (b); `trainbook` is the one the target is about. */
const FIT_VARIANTS = [
  { key: 'none', label: 'model.fit, no callbacks' },
  { key: 'empty', label: 'model.fit, empty tfjs callback (info)' },
  { key: 'trainbook', label: 'model.fit, run.tfCallback()' },
  { key: 'quiet', label: "  same, init({ display: false }) (info)" },
  { key: 'amplified', label: `model.fit, ${AMPLIFY} runs' tfCallback() at once` },
  { key: 'emptyAmplified', label: `model.fit, ${AMPLIFY} empty callbacks (info)` },
];

async function benchFit(targets) {
  const batches = Math.ceil(FIT.samples / FIT.batchSize) * FIT.epochs;
  heading(
    `(b) tfjs model.fit slowdown with run.tfCallback() (every batch logged): MLP ${FIT.features}-${FIT.hidden}-${FIT.classes}, ` +
      `${FIT.samples} samples, batch ${FIT.batchSize}, ${FIT.epochs} epochs (${batches} batches per fit)`,
  );
  let tf;
  try {
    tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    console.log(`  skipped: cannot load @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm (${error.message.split('\n')[0]}); run npm install.`);
    targets.skipped('(b)', 'model.fit slowdown with run.tfCallback()', 'tfjs not installed');
    return;
  }
  const choice = await trainbook.selectBackend(tf, { backend: 'wasm', quiet: true });
  const version = tf.version?.['tfjs-core'] ?? '?';
  console.log(
    `  tfjs ${version}, backend ${choice.backend}${choice.simd ? ' (SIMD)' : ''}, ` +
      `threads: ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'yes' : 'no'}; shuffle off, verbose 0; ` +
      `each fit gets a new model with the same seeded initial weights and a new Adam optimizer.`,
  );

  // Synthetic data: labels from a fixed random linear map of the inputs, so the model learns.
  const xs = tf.randomUniform([FIT.samples, FIT.features], -1, 1, 'float32', 1);
  const ys = tf.tidy(() => {
    const w = tf.randomNormal([FIT.features, FIT.classes], 0, 1, 'float32', 2);
    return tf.oneHot(tf.argMax(tf.matMul(xs, w), 1), FIT.classes).toFloat();
  });

  const makeModel = () => {
    const model = tf.sequential();
    model.add(
      tf.layers.dense({ inputShape: [FIT.features], units: FIT.hidden, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    );
    model.add(tf.layers.dense({ units: FIT.classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  };

  const storeDir = tempDirKept('fit');
  const runCosts = [];
  const lastLoss = {};
  let tensorLeak = 0;

  // Wraps every hook of a tfjs callback object so the time spent inside it is added to `clock.ms`.
  // Used only for the separate in-hook measurement, never in the timed rounds.
  const timedHooks = (callbacks, clock) => {
    const wrapped = {};
    for (const [key, fn] of Object.entries(callbacks)) {
      wrapped[key] = function (...args) {
        const t0 = process.hrtime.bigint();
        try {
          return fn.apply(this, args);
        } finally {
          clock.ms += Number(process.hrtime.bigint() - t0) / 1e6;
        }
      };
    }
    return wrapped;
  };

  // One timed fit. Model building, run init() and finish() happen outside the clock.
  const fitOnce = async (variant, clock = null) => {
    const tensorsBefore = tf.memory().numTensors;
    const model = makeModel();
    let run = null;
    let callbacks;
    let extraRuns = [];
    if (variant === 'trainbook' || variant === 'quiet') {
      const t0 = nowMs();
      run = trainbook.init({ dir: storeDir.dir, git: false, name: 'bench-fit', ...(variant === 'quiet' ? { display: false } : {}) });
      runCosts.push(nowMs() - t0);
      callbacks = clock ? timedHooks(run.tfCallback(), clock) : run.tfCallback();
    } else if (variant === 'amplified') {
      extraRuns = Array.from({ length: AMPLIFY }, (_, i) => trainbook.init({ dir: storeDir.dir, git: false, name: `bench-fit-${i}` }));
      callbacks = extraRuns.map((r) => r.tfCallback());
    } else if (variant === 'empty' || variant === 'emptyAmplified') {
      // A callback with the same hooks that does nothing: what tfjs itself charges for any callback
      // (it resolves the loss/acc scalars before each call and yields every 125 ms).
      const noop = () => {};
      const empty = () => ({ onTrainBegin: noop, onEpochBegin: noop, onBatchEnd: noop, onEpochEnd: noop, onTrainEnd: noop });
      callbacks = variant === 'empty' ? empty() : Array.from({ length: AMPLIFY }, empty);
    }
    // No forced GC here (unlike the repeats of (a) and (c)): a forced full GC makes V8 drop
    // compiled code, and the next fit then runs up to 2x slower while tfjs is compiled again.
    const cpu0 = process.cpuUsage();
    const t0 = nowMs();
    const history = await model.fit(xs, ys, { epochs: FIT.epochs, batchSize: FIT.batchSize, shuffle: false, verbose: 0, callbacks });
    const wall = nowMs() - t0;
    const cpuUsed = process.cpuUsage(cpu0);
    if (run) {
      const t1 = nowMs();
      const result = await run.finish();
      runCosts[runCosts.length - 1] += nowMs() - t1;
      const expected = batches * 2 + FIT.epochs * 2; // batch/loss + batch/acc per batch, loss + acc per epoch
      if (result.points !== expected) throw new Error(`tfCallback logged ${result.points} points, expected ${expected}`);
    }
    for (const extra of extraRuns) {
      const result = await extra.finish();
      if (result.points !== batches * 2 + FIT.epochs * 2) throw new Error(`an amplified run logged ${result.points} points`);
    }
    lastLoss[variant] = history.history.loss.at(-1);
    model.optimizer.dispose();
    model.dispose();
    tensorLeak = tf.memory().numTensors - tensorsBefore;
    return { wall, cpu: (cpuUsed.user + cpuUsed.system) / 1000 };
  };

  const otherLoad = watchOtherLoad();
  const keys = FIT_VARIANTS.map((v) => v.key);
  const wall = Object.fromEntries(keys.map((k) => [k, []]));
  const cpu = Object.fromEntries(keys.map((k) => [k, []]));
  const inHooks = { trainbook: [], quiet: [] };
  // init()'s default live display prints progress lines on stderr during fit (one per epoch when
  // stderr is not a terminal). They are produced as usual (their cost is measured) and only kept
  // off the bench's output. trainbook's warnings ("trainbook: ...") still go through.
  const stderrWrite = process.stderr.write;
  let hiddenLines = 0;
  process.stderr.write = function (chunk, ...rest) {
    if (/^(?:\r\u001b\[2K)?trainbook /.test(typeof chunk === 'string' ? chunk : String(chunk))) {
      hiddenLines++;
      const done = rest.find((arg) => typeof arg === 'function');
      if (done) process.nextTick(done);
      return true;
    }
    return stderrWrite.call(this, chunk, ...rest);
  };
  try {
    // Warm-up: JIT, wasm kernels, tfjs caches, trainbook's first init. Fit times settle only
    // after about ten fits in a fresh process, hence three full rounds.
    for (let i = 0; i < 3; i++) for (const k of keys) await fitOnce(k);
    // Rounds ABCD, BCDA, CDAB, ...: every case runs once per round, in a rotating order.
    for (let round = 0; round < FIT_ROUNDS; round++) {
      for (let i = 0; i < keys.length; i++) {
        const k = keys[(round + i) % keys.length];
        const t = await fitOnce(k);
        wall[k].push(t.wall);
        cpu[k].push(t.cpu);
      }
    }
    // Separately: the time spent inside trainbook's own hooks (3 extra fits per case).
    for (let i = 0; i < 3; i++) {
      for (const k of ['trainbook', 'quiet']) {
        const clock = { ms: 0 };
        await fitOnce(k, clock);
        inHooks[k].push(clock.ms);
      }
    }
  } finally {
    process.stderr.write = stderrWrite;
    storeDir.remove();
    xs.dispose();
    ys.dispose();
  }

  const base = median(wall.none);
  const cpuBase = median(cpu.none);
  const paired = (k) => wall[k].map((t, i) => (t / wall.none[i] - 1) * 100);
  // The least of 3: being preempted or hit by a GC while inside a hook only ever adds time.
  const hookMs = (k) => (inHooks[k] ? Math.min(...inHooks[k]) : null);
  printTable(
    [
      { key: 'name', title: `case (${FIT_ROUNDS} rounds)`, align: 'left' },
      { key: 'median', title: 'wall, median', align: 'right' },
      { key: 'range', title: 'min .. max', align: 'right' },
      { key: 'slowdown', title: 'vs none', align: 'right' },
      { key: 'pairedMedian', title: 'per round vs none: median [IQR]', align: 'right' },
      { key: 'cpu', title: 'CPU, median', align: 'right' },
      { key: 'cpuSlowdown', title: 'CPU vs none', align: 'right' },
      { key: 'hooks', title: 'in trainbook hooks', align: 'right' },
    ],
    FIT_VARIANTS.map(({ key, label }) => {
      const p = paired(key);
      const h = hookMs(key);
      return {
        name: label,
        median: ms(median(wall[key])),
        range: `${ms(Math.min(...wall[key]))} .. ${ms(Math.max(...wall[key]))}`,
        slowdown: key === 'none' ? '-' : percent((median(wall[key]) / base - 1) * 100),
        pairedMedian: key === 'none' ? '-' : `${percent(median(p))} [${quantile(p, 0.25).toFixed(1)} .. ${quantile(p, 0.75).toFixed(1)}]`,
        cpu: ms(median(cpu[key])),
        cpuSlowdown: key === 'none' ? '-' : percent((median(cpu[key]) / cpuBase - 1) * 100),
        hooks: h === null ? '-' : `${ms(h)} = ${((h / base) * 100).toFixed(2)} %`,
      };
    }),
  );
  console.log(`  wall: elapsed time of 'await model.fit(...)', the target's measure; ${((base / batches) * 1000).toFixed(0)} us per batch without callbacks.`);
  console.log(`  CPU: this process's user+system time during the fit, a cross-check less sensitive to other load on the machine.`);
  console.log(
    `  in trainbook hooks: time spent inside run.tfCallback()'s functions (run.log, setProgress and what it triggers, the` +
      ` epoch-end flush), least of 3 extra fits, as a share of the no-callback fit;` +
      ` ${(((hookMs('trainbook') ?? 0) / batches) * 1000).toFixed(1)} us per batch by default.`,
  );
  const others = otherLoad.stop();
  if (others !== null) {
    console.log(
      `  Other processes kept ${others.toFixed(2)} of ${os.cpus().length} cores busy on average during this section` +
        (others > 0.25 ? ' -- they competed with the fits: wall times are unreliable in this run.' : '.'),
    );
  }
  const noise = quantile(paired('empty'), 0.75) - quantile(paired('empty'), 0.25);
  console.log(
    `  Noise: the per-round IQR of 'empty' vs 'none' spans ${noise.toFixed(1)} percentage points` +
      (noise > TARGET_FIT_SLOWDOWN ? `, wider than the ${TARGET_FIT_SLOWDOWN} % target; more rounds: BENCH_FIT_ROUNDS=<n>.` : '.'),
  );
  console.log(
    `  init() + finish() per run, outside the clock: ${ms(median(runCosts))}. Live-display lines kept off this output: ${hiddenLines}. ` +
      `Same work every fit: final loss ${keys.map((k) => lastLoss[k]?.toFixed(4)).join(' / ')}; tensors left behind: ${tensorLeak}.`,
  );

  // What one callback costs is below this machine's fit-to-fit noise, so it is measured amplified:
  // AMPLIFY callbacks on one fit cost AMPLIFY times what one does (tfjs calls and awaits each one
  // separately), and the slope divides the noise by AMPLIFY. The slowdown of one run.tfCallback() =
  // (AMPLIFY runs' callbacks vs none) / AMPLIFY; of that, tfjs's own part is what AMPLIFY empty
  // callbacks cost, and trainbook's part (hooks, flushes, live display, timers) the rest.
  const over = (series, of) => (median(series) / of - 1) * 100;
  const total = over(wall.amplified, base) / AMPLIFY;
  const totalCpu = over(cpu.amplified, cpuBase) / AMPLIFY;
  const tfjsPart = over(wall.emptyAmplified, base) / AMPLIFY;
  console.log(
    `  Amplified: ${AMPLIFY} runs' callbacks slow one fit by ${percent(over(wall.amplified, base))} (wall) and ${percent(over(cpu.amplified, cpuBase))} (CPU), ` +
      `${AMPLIFY} empty callbacks by ${percent(over(wall.emptyAmplified, base))}: one run.tfCallback() costs ${percent(total)} (wall), ${percent(totalCpu)} (CPU), ` +
      `of which tfjs's own callback machinery ${percent(tfjsPart)} and trainbook ${percent(total - tfjsPart)}. ` +
      `The direct medians of one callback are within the noise (IQR ${noise.toFixed(1)} pp), shown for information.`,
  );
  targets.add('(b)', `model.fit slowdown per run.tfCallback(), wall (${AMPLIFY} at once / ${AMPLIFY})`, percent(total), `< ${TARGET_FIT_SLOWDOWN} %`, total < TARGET_FIT_SLOWDOWN);
  targets.add('(b)', `  cross-check: CPU time (${AMPLIFY} at once / ${AMPLIFY})`, percent(totalCpu), `< ${TARGET_FIT_SLOWDOWN} %`, totalCpu < TARGET_FIT_SLOWDOWN);
  targets.info('(b)', `  of which tfjs's own callback machinery (${AMPLIFY} empty / ${AMPLIFY})`, percent(tfjsPart));
  const slowdown = (median(wall.trainbook) / base - 1) * 100;
  targets.info('(b)', `  direct, one callback: wall (medians, noise IQR ${noise.toFixed(1)} pp)`, percent(slowdown));
  const cpuSlowdown = (median(cpu.trainbook) / cpuBase - 1) * 100;
  targets.info('(b)', '  direct, one callback: CPU time (medians)', percent(cpuSlowdown));
  const hookShare = (hookMs('trainbook') / base) * 100;
  targets.add('(b)', "  cross-check: in trainbook's hooks", `${hookShare.toFixed(2)} %`, `< ${TARGET_FIT_SLOWDOWN} %`, hookShare < TARGET_FIT_SLOWDOWN);
}

// ---------------------------------------------------------------------------------------------
// (d) system metrics sampling

const TARGET_SAMPLE_SHARE = 0.1; // % of the default 5 s interval that one sample may take on the event loop
const SYS_WORK = { chunks: 100, pointsPerChunk: 5_000, pauseMs: 5, stressIntervalMs: 100 };

async function benchSystem(targets) {
  const { SystemSampler, nodeProbe, DEFAULT_SYSTEM_INTERVAL_MS } = await import('../sdk/dist/run/systemMetrics.js');
  heading(`(d) system metrics: one sample, and a run sampled every ${SYS_WORK.stressIntervalMs} ms (${DEFAULT_SYSTEM_INTERVAL_MS / SYS_WORK.stressIntervalMs}x the default rate) against one without`);

  // One sample as the timer takes it: CPU times, process CPU, memory, handed to a sink. The GPU
  // query is timed apart: it runs in a child process, off the event loop.
  let values = 0;
  const sampler = new SystemSampler((v) => (values = Object.keys(v).length), { intervalMs: 1e9, gpu: false });
  sampler.sample();
  const sampleTimes = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = nowMs();
    sampler.sample();
    sampleTimes.push(nowMs() - t0);
  }
  sampler.close();
  const sampleMs = median(sampleTimes);
  const share = (sampleMs / DEFAULT_SYSTEM_INTERVAL_MS) * 100;

  let gpu = null;
  try {
    const t0 = nowMs();
    const query = nodeProbe.queryGpus();
    const spawned = nowMs() - t0;
    const csv = await query;
    gpu = { spawned, wall: nowMs() - t0, gpus: csv.trim().split('\n').length };
  } catch (error) {
    gpu = { error: error?.code ?? error?.message ?? String(error) };
  }

  // The same loop of log() calls with pauses (so timers can fire), with and without sampling.
  const loop = (systemMetrics) =>
    repeat(REPEATS, () =>
      withTempDir('sys', async (dir) => {
        const run = trainbook.init({ dir, git: false, display: false, captureOutput: false, systemMetrics });
        const t0 = nowMs();
        let step = 0;
        for (let c = 0; c < SYS_WORK.chunks; c++) {
          for (let i = 0; i < SYS_WORK.pointsPerChunk; i++) run.log({ loss: 1 / (step + 1) }, { step: step++ });
          await new Promise((resolve) => setTimeout(resolve, SYS_WORK.pauseMs));
        }
        await run.finish();
        const samples = run.toRecord().summary['sys/cpu_percent']?.count ?? 0;
        return { ms: nowMs() - t0, samples };
      }),
    );
  const off = await loop(false);
  const on = await loop({ intervalMs: SYS_WORK.stressIntervalMs });

  printTable(
    [
      { key: 'name', title: 'case', align: 'left' },
      { key: 'time', title: 'time', align: 'right' },
      { key: 'share', title: 'share of a 5 s interval', align: 'right' },
    ],
    [
      { name: `one sample (CPU + memory, ${values} values), median of ${sampleTimes.length}`, time: `${(sampleMs * 1000).toFixed(1)} us`, share: `${share.toFixed(5)} %` },
      gpu.error
        ? { name: `nvidia-smi query: not available (${gpu.error}); the sampler stops asking after 2 failures`, time: '', share: '' }
        : { name: `nvidia-smi query (${gpu.gpus} GPU): spawn on the event loop / wall in a child process`, time: `${ms(gpu.spawned)} / ${ms(gpu.wall)}`, share: `${((gpu.spawned / DEFAULT_SYSTEM_INTERVAL_MS) * 100).toFixed(4)} %` },
      null,
      { name: `run without sampling: ${(SYS_WORK.chunks * SYS_WORK.pointsPerChunk).toLocaleString('en-US')} log() calls in ${SYS_WORK.chunks} chunks`, time: `${ms(off.median)} (${ms(off.best)})`, share: '' },
      { name: `same run sampled every ${SYS_WORK.stressIntervalMs} ms (${on.last.samples} samples)`, time: `${ms(on.median)} (${ms(on.best)})`, share: percent(((on.median - off.median) / off.median) * 100) },
    ],
  );
  console.log(`  Runs: median of ${REPEATS} (best in brackets); each chunk ends with a ${SYS_WORK.pauseMs} ms pause so timers fire, as between batches.`);
  console.log(`  The difference between the two runs is within the noise of this machine unless it is several times the one-sample time x samples (${ms(sampleMs * on.last.samples)}).`);
  targets.add('(d)', 'one system sample / 5 s interval', `${share.toFixed(5)} %`, `<= ${TARGET_SAMPLE_SHARE} %`, share <= TARGET_SAMPLE_SHARE);
  targets.info('(d)', `run sampled every ${SYS_WORK.stressIntervalMs} ms vs none`, percent(((on.median - off.median) / off.median) * 100));
}

/** A temp folder that lives across many awaits (removed by the caller, or at exit by lib.js). */
function tempDirKept(label) {
  const dir = makeTempDir(label);
  return { dir, remove: () => removeTempDir(dir) };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = nowMs();
  const cpu = os.cpus();
  console.log(`trainbook ${trainbook.version} benchmark`);
  console.log(
    `node ${process.version}, ${os.platform()} ${os.arch()}, ${cpu.length} x ${cpu[0]?.model.trim() ?? 'cpu'}, ` +
      `temp dir ${os.tmpdir()}, GC between repeats: ${canGc ? 'yes' : 'no'}, load average ${os.loadavg()[0].toFixed(2)}`,
  );
  const targets = new Targets();
  const otherLoad = watchOtherLoad();
  if (!SKIP.has('a')) await benchLog(targets);
  if (!SKIP.has('b')) await benchFit(targets);
  if (!SKIP.has('c')) await benchRead(targets);
  if (!SKIP.has('d')) await benchSystem(targets);

  heading('Summary');
  targets.print();
  console.log(`\n  "raw write" = one JSON.stringify per point ({"type":"metric","time":..,"step":..,"name":"loss","value":..}), 64 KiB fs.writeSync batches, fsync.`);
  const others = otherLoad.stop();
  console.log(
    `  bench time ${((nowMs() - started) / 1000).toFixed(1)} s` +
      (others === null ? '' : `; other processes kept ${others.toFixed(2)} of ${cpu.length} cores busy on average meanwhile (0 on a quiet machine)`),
  );
}

try {
  await main();
} catch (error) {
  console.error(`\nbench crashed: ${error?.stack ?? error}`);
  process.exit(1);
}
