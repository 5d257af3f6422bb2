// Measuring helpers for bench/run.js: timers, repeats, temp dirs, number formatting and tables.
// Plain ESM, no dependencies beyond Node itself.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** Monotonic clock in milliseconds (fractional), from process.hrtime.bigint(). */
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Runs `fn` once (sync or async) and returns { ms, result }. */
export async function timeIt(fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, result };
}

// A full GC between repeats keeps one repeat's garbage from being collected on the next one's
// clock. `node --expose-gc` is not needed: the flag can be set at run time and `gc` fetched from
// a fresh context.
// BENCH_GC=0 turns it off.
let gcFunction = null;
if (process.env.BENCH_GC !== '0') try {
  v8.setFlagsFromString('--expose-gc');
  gcFunction = vm.runInNewContext('gc');
} catch {
  gcFunction = null;
}
export const canGc = typeof gcFunction === 'function';
export function collectGarbage() {
  if (gcFunction) {
    gcFunction();
    gcFunction();
  }
}

/**
 * Runs `fn(i)` `n` times, each after a full GC, and returns the times with their median and best.
 * `fn` may return { ms } to report a time it measured itself (e.g. excluding setup); otherwise
 * the whole call is timed.
 */
export async function repeat(n, fn) {
  const samples = [];
  let last;
  for (let i = 0; i < n; i++) {
    // Let the event loop turn (timers, Ctrl-C) between repeats: a synchronous `fn` never would.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    const start = process.hrtime.bigint();
    const result = await fn(i);
    const outer = Number(process.hrtime.bigint() - start) / 1e6;
    samples.push(result && typeof result.ms === 'number' ? result.ms : outer);
    last = result;
  }
  return { samples, median: median(samples), best: Math.min(...samples), worst: Math.max(...samples), last };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The value below which a share `q` (0..1) of `values` fall (linear interpolation). */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

const tempDirs = new Set();

/** Makes a fresh folder under os.tmpdir(); removeTempDir (or removeAllTempDirs) deletes it. */
export function makeTempDir(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `trainbook-bench-${label}-`));
  tempDirs.add(dir);
  keepCleanupLast();
  return dir;
}

export function removeTempDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export function removeAllTempDirs() {
  for (const dir of [...tempDirs]) removeTempDir(dir);
}

/** Runs `fn(dir)` with a fresh temp folder and removes it afterwards, even on error. */
export async function withTempDir(label, fn) {
  const dir = makeTempDir(label);
  try {
    return await fn(dir);
  } finally {
    removeTempDir(dir);
  }
}

// Temp folders go even when the bench crashes or is interrupted. The exit listener is kept after
// trainbook's own (which finishes open runs at exit), so runs are closed before their folders go.
function keepCleanupLast() {
  process.removeListener('exit', removeAllTempDirs);
  process.on('exit', removeAllTempDirs);
}
keepCleanupLast();
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) process.once(signal, () => process.exit(code));

/**
 * Starts watching how much CPU other processes take; `stop()` returns the average number of cores
 * they kept busy (from /proc/stat, Linux only; null elsewhere), to tell a quiet run from a noisy one.
 */
export function watchOtherLoad() {
  const busyMs = () => {
    try {
      const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
      // user nice system idle iowait irq softirq steal: all but idle and iowait are busy; ticks are 10 ms.
      const [user, nice, system, , , irq, softirq, steal] = fields;
      return (user + nice + system + irq + softirq + (steal ?? 0)) * 10;
    } catch {
      return null;
    }
  };
  const busy0 = busyMs();
  const own0 = process.cpuUsage();
  const t0 = nowMs();
  return {
    stop() {
      const busy1 = busyMs();
      if (busy0 === null || busy1 === null) return null;
      const own = process.cpuUsage(own0);
      const others = busy1 - busy0 - (own.user + own.system) / 1000;
      return Math.max(0, others / (nowMs() - t0));
    },
  };
}

/** Writes `buffer` to `fd` in chunks of `chunk` bytes with fs.writeSync. */
export function writeInChunks(fd, buffer, chunk = 64 * 1024) {
  for (let offset = 0; offset < buffer.length; ) {
    const end = Math.min(offset + chunk, buffer.length);
    let at = offset;
    while (at < end) at += fs.writeSync(fd, buffer, at, end - at);
    offset = end;
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** 1234567 -> "1.23 M", with an SI prefix and three significant digits. */
export function si(value, unit = '') {
  const abs = Math.abs(value);
  const [div, prefix] = abs >= 1e9 ? [1e9, 'G'] : abs >= 1e6 ? [1e6, 'M'] : abs >= 1e3 ? [1e3, 'k'] : [1, ''];
  return `${(value / div).toPrecision(3)} ${prefix}${unit}`.trimEnd();
}

export const rate = (perSecond) => si(perSecond, 'pts/s');
export const ms = (value) => (value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`);
export const ratio = (value) => `${value.toFixed(2)}x`;
export const percent = (value) => `${value >= 0 ? '+' : ''}${value.toFixed(2)} %`;
export const bytes = (value) => si(value, 'B');
export const int = (value) => Math.round(value).toLocaleString('en-US');

/** PASS/MISS mark for a target. */
export const mark = (ok) => (ok ? 'PASS' : 'MISS');

/**
 * Prints rows as a text table. `columns` are { key, title, align: 'left'|'right' }; each row is an
 * object of strings. A row `null` prints a separator.
 */
export function printTable(columns, rows, indent = '  ') {
  const widths = columns.map((c) => Math.max(c.title.length, ...rows.filter(Boolean).map((r) => String(r[c.key] ?? '').length)));
  const line = (cells) =>
    indent +
    cells
      .map((cell, i) => (columns[i].align === 'right' ? String(cell).padStart(widths[i]) : String(cell).padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = indent + widths.map((w) => '-'.repeat(w)).join('  ');
  console.log(line(columns.map((c) => c.title)));
  console.log(rule);
  for (const row of rows) console.log(row ? line(columns.map((c) => row[c.key] ?? '')) : rule);
}

/** A section heading. */
export function heading(text) {
  console.log(`\n${text}\n${'='.repeat(Math.min(text.length, 100))}`);
}

/** Collects target results for the summary at the end. */
export class Targets {
  constructor() {
    this.rows = [];
  }
  /** Records a target; returns whether it was met. */
  add(section, what, measured, target, ok) {
    this.rows.push({ section, what, measured, target, result: mark(ok) });
    return ok;
  }
  /** Records a number shown for information, without a target. */
  info(section, what, measured) {
    this.rows.push({ section, what, measured, target: '(information)', result: '-' });
  }
  /** Records a target that could not be measured. */
  skipped(section, what, reason) {
    this.rows.push({ section, what, measured: 'not run', target: reason, result: 'SKIP' });
  }
  print(indent = '  ') {
    printTable(
      [
        { key: 'section', title: '', align: 'left' },
        { key: 'what', title: 'measure', align: 'left' },
        { key: 'measured', title: 'measured', align: 'right' },
        { key: 'target', title: 'target', align: 'left' },
        { key: 'result', title: 'result', align: 'left' },
      ],
      this.rows,
      indent,
    );
  }
}
