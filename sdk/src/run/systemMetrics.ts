/**
 * System metrics: while a run is active it samples, every few seconds, the machine's CPU and
 * memory use, the process's own share, and each GPU's utilisation and memory where `nvidia-smi`
 * exists. Samples are stored as ordinary metrics named `sys/...` with their own step (the sample
 * index), never touching the user's step counter; charts draw them over wall time.
 *
 * The arithmetic (CPU deltas, the nvidia-smi CSV) is pure and exported for tests; the sampler
 * reads the machine through a {@link SystemProbe}, so it can be driven by a fake clock.
 */
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import { InvalidValueError, SYSTEM_METRIC_PREFIX } from 'trainbook/core';

export const DEFAULT_SYSTEM_INTERVAL_MS = 5_000;
/** Faster sampling than this would cost more than it tells. */
export const MIN_SYSTEM_INTERVAL_MS = 50;
/** The nvidia-smi query fails this many times, then the sampler stops asking. */
export const GPU_MAX_FAILURES = 2;
const GPU_QUERY_TIMEOUT_MS = 10_000;
const MIB = 2 ** 20;

export const NVIDIA_SMI_ARGS = ['--query-gpu=utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'] as const;

/** `init({ systemMetrics })`: false turns sampling off; `intervalMs` sets the period (default 5 s). */
export type SystemMetricsOption = boolean | { intervalMs?: number };

/** The sampling period, or null when sampling is off (by option or `TRAINBOOK_SYSTEM_METRICS=off`). */
export function systemMetricsInterval(option: SystemMetricsOption | undefined, env: NodeJS.ProcessEnv = process.env): number | null {
  if (option === false || env.TRAINBOOK_SYSTEM_METRICS === 'off') return null;
  if (option === undefined || option === true) return DEFAULT_SYSTEM_INTERVAL_MS;
  if (typeof option !== 'object' || option === null) {
    throw new InvalidValueError('systemMetrics takes false or { intervalMs }, e.g. init({ systemMetrics: { intervalMs: 10_000 } }).');
  }
  const interval = option.intervalMs ?? DEFAULT_SYSTEM_INTERVAL_MS;
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < MIN_SYSTEM_INTERVAL_MS) {
    throw new InvalidValueError(`systemMetrics.intervalMs must be a number of milliseconds ≥ ${MIN_SYSTEM_INTERVAL_MS}; got ${String(interval)}.`);
  }
  return interval;
}

/** CPU time of all cores together, in ms, as `os.cpus()` counts it. */
export interface CpuTimes {
  idle: number;
  total: number;
}

export function sumCpuTimes(cpus: ReadonlyArray<{ times: { user: number; nice: number; sys: number; idle: number; irq: number } }>): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/** Busy share of all cores between two readings, 0–100; null when no time was counted. */
export function systemCpuPercent(previous: CpuTimes, next: CpuTimes): number | null {
  const total = next.total - previous.total;
  if (!(total > 0)) return null;
  const busy = total - (next.idle - previous.idle);
  return clampPercent((busy / total) * 100);
}

/**
 * This process's share of the whole machine between two `process.cpuUsage()` readings, 0–100
 * (100 = every core busy with this process; one busy core of eight reads 12.5).
 */
export function processCpuPercent(previous: NodeJS.CpuUsage, next: NodeJS.CpuUsage, elapsedMs: number, cores: number): number | null {
  if (!(elapsedMs > 0) || !(cores > 0)) return null;
  const usedMicros = next.user - previous.user + (next.system - previous.system);
  return clampPercent((usedMicros / 1000 / (elapsedMs * cores)) * 100);
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, value));
}

export interface GpuReading {
  index: number;
  utilPercent: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
}

/**
 * Parses `nvidia-smi --query-gpu=utilization.gpu,memory.used,memory.total
 * --format=csv,noheader,nounits`: one line per GPU, `45, 1234, 81559`. Fields nvidia-smi cannot
 * tell (`[N/A]`, `[Not Supported]`) read as null; lines that are not three fields are skipped.
 */
export function parseNvidiaSmiCsv(text: string): GpuReading[] {
  const readings: GpuReading[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length !== 3) continue;
    const [util, used, total] = fields.map(parseField) as [number | null, number | null, number | null];
    readings.push({ index: readings.length, utilPercent: util, memoryUsedMiB: used, memoryTotalMiB: total });
  }
  return readings;
}

function parseField(field: string): number | null {
  if (!/^-?\d+(\.\d+)?$/.test(field)) return null;
  const value = Number(field);
  return Number.isFinite(value) ? value : null;
}

/** `sys/gpu0_util_percent`, `sys/gpu0_memory_used_mb`, `sys/gpu0_memory_percent`, ... (unknown fields left out). */
export function gpuMetricValues(readings: readonly GpuReading[]): Record<string, number> {
  const values: Record<string, number> = {};
  for (const gpu of readings) {
    const prefix = `${SYSTEM_METRIC_PREFIX}gpu${gpu.index}_`;
    if (gpu.utilPercent !== null) values[`${prefix}util_percent`] = gpu.utilPercent;
    if (gpu.memoryUsedMiB !== null) values[`${prefix}memory_used_mb`] = gpu.memoryUsedMiB;
    if (gpu.memoryUsedMiB !== null && gpu.memoryTotalMiB) values[`${prefix}memory_percent`] = clampPercent((gpu.memoryUsedMiB / gpu.memoryTotalMiB) * 100);
  }
  return values;
}

/** Memory metrics; `_mb` values are MiB (2^20 bytes), as nvidia-smi counts them. */
export function memoryMetricValues(memory: { total: number; free: number }, processMemory: { rss: number; heapUsed: number }): Record<string, number> {
  const used = memory.total - memory.free;
  const values: Record<string, number> = {
    [`${SYSTEM_METRIC_PREFIX}process_rss_mb`]: processMemory.rss / MIB,
    [`${SYSTEM_METRIC_PREFIX}process_heap_mb`]: processMemory.heapUsed / MIB,
  };
  if (memory.total > 0) {
    values[`${SYSTEM_METRIC_PREFIX}memory_used_percent`] = clampPercent((used / memory.total) * 100);
    values[`${SYSTEM_METRIC_PREFIX}memory_used_mb`] = used / MIB;
  }
  return values;
}

/** How the sampler reads the machine. */
export interface SystemProbe {
  now(): number;
  cpuTimes(): CpuTimes;
  cpuCount(): number;
  processCpu(): NodeJS.CpuUsage;
  memory(): { total: number; free: number };
  processMemory(): { rss: number; heapUsed: number };
  /** nvidia-smi's CSV output; rejects when it is missing or fails. Never blocks the event loop. */
  queryGpus(): Promise<string>;
}

export const nodeProbe: SystemProbe = {
  now: () => Date.now(),
  cpuTimes: () => sumCpuTimes(os.cpus()),
  cpuCount: () => os.availableParallelism?.() ?? os.cpus().length,
  processCpu: () => process.cpuUsage(),
  memory: () => ({ total: os.totalmem(), free: os.freemem() }),
  processMemory: () => {
    const usage = process.memoryUsage();
    return { rss: usage.rss, heapUsed: usage.heapUsed };
  },
  queryGpus: () =>
    new Promise((resolve, reject) => {
      const child = execFile('nvidia-smi', [...NVIDIA_SMI_ARGS], { timeout: GPU_QUERY_TIMEOUT_MS, windowsHide: true }, (error, stdout) => {
        if (error) reject(error);
        else resolve(stdout);
      });
      // A pending query must not keep a finished script alive.
      child.unref();
      (child.stdout as { unref?: () => void } | null)?.unref?.();
      (child.stderr as { unref?: () => void } | null)?.unref?.();
    }),
};

/** Where samples go: `index` counts samples from 0; `time` is ms since the Unix epoch. */
export type SystemSampleSink = (values: Record<string, number>, index: number, time: number) => void;

/**
 * Samples the machine every `intervalMs` from {@link start} until {@link close}. CPU and memory
 * are read synchronously (microseconds); the GPU query runs as a child process, one at a time
 * (a tick while one is running skips the GPU), and after {@link GPU_MAX_FAILURES} failures (no
 * nvidia-smi, no driver, no GPU in its output) the sampler stops asking, quietly.
 *
 * @example
 * const sampler = new SystemSampler((values, index, time) => console.log(index, values), { intervalMs: 5000 });
 * sampler.start();
 * // ... later
 * sampler.close();
 */
/** Samples that fail in a row (a probe throwing) before the sampler stops. */
export const SAMPLE_MAX_FAILURES = 3;

/** A closing sample needs this much time since the previous one for a meaningful CPU share. */
export const FINAL_SAMPLE_MIN_GAP_MS = 200;

export class SystemSampler {
  private timer: NodeJS.Timeout | null = null;
  private previousCpu: CpuTimes | null = null;
  private previousProcessCpu: NodeJS.CpuUsage | null = null;
  private previousTime = 0;
  private index = 0;
  private gpuInFlight = false;
  private gpuFailures = 0;
  private closed = false;
  private failures = 0;

  constructor(
    private readonly sink: SystemSampleSink,
    private readonly options: { intervalMs: number; gpu?: boolean },
    private readonly probe: SystemProbe = nodeProbe,
  ) {}

  /** Takes the CPU baseline now; the first sample comes one interval later, and a last one at {@link close}. */
  start(): void {
    if (this.timer || this.closed) return;
    this.baseline();
    this.timer = setInterval(() => this.sample(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Whether GPUs are still being asked about. */
  get gpuActive(): boolean {
    return this.options.gpu !== false && this.gpuFailures < GPU_MAX_FAILURES;
  }

  /** Takes one sample now (the timer calls this; tests and the bench too). */
  sample(): void {
    this.takeSample(true);
  }

  private takeSample(withGpu: boolean): void {
    if (this.closed) return;
    try {
      this.readSample(withGpu);
      this.failures = 0;
    } catch {
      // A probe can throw (out of file descriptors, say): sampling never breaks training. After a
      // few failures in a row it stops asking.
      if (++this.failures >= SAMPLE_MAX_FAILURES) this.stopTimer();
    }
  }

  private readSample(withGpu: boolean): void {
    if (!this.previousCpu) this.baseline();
    const time = this.probe.now();
    const cpu = this.probe.cpuTimes();
    const processCpu = this.probe.processCpu();
    const values: Record<string, number> = {};
    const systemPercent = systemCpuPercent(this.previousCpu!, cpu);
    if (systemPercent !== null) values[`${SYSTEM_METRIC_PREFIX}cpu_percent`] = systemPercent;
    const processPercent = processCpuPercent(this.previousProcessCpu!, processCpu, time - this.previousTime, this.probe.cpuCount());
    if (processPercent !== null) values[`${SYSTEM_METRIC_PREFIX}process_cpu_percent`] = processPercent;
    Object.assign(values, memoryMetricValues(this.probe.memory(), this.probe.processMemory()));
    this.previousCpu = cpu;
    this.previousProcessCpu = processCpu;
    this.previousTime = time;
    const index = this.index++;
    this.deliver(values, index, time);
    if (withGpu && this.gpuActive && !this.gpuInFlight) this.queryGpus(index, time);
  }

  /**
   * Stops sampling. A sampler that was started takes a last CPU and memory sample first (when the
   * previous one is at least {@link FINAL_SAMPLE_MIN_GAP_MS} old), so a run shorter than one
   * interval still has its averages; the GPU is not asked (its answer would come too late).
   */
  close(): void {
    if (this.timer && !this.closed && this.probe.now() - this.previousTime >= FINAL_SAMPLE_MIN_GAP_MS) this.takeSample(false);
    this.closed = true;
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private baseline(): void {
    this.previousCpu = this.probe.cpuTimes();
    this.previousProcessCpu = this.probe.processCpu();
    this.previousTime = this.probe.now();
  }

  private queryGpus(index: number, time: number): void {
    this.gpuInFlight = true;
    let query: Promise<string>;
    try {
      query = this.probe.queryGpus();
    } catch (error) {
      query = Promise.reject(error);
    }
    query.then(
      (csv) => {
        this.gpuInFlight = false;
        const readings = parseNvidiaSmiCsv(csv);
        if (readings.length === 0) {
          this.gpuFailures++;
          return;
        }
        // The GPU reading belongs to the tick that asked for it.
        this.deliver(gpuMetricValues(readings), index, time);
      },
      () => {
        this.gpuInFlight = false;
        this.gpuFailures++;
      },
    );
  }

  private deliver(values: Record<string, number>, index: number, time: number): void {
    if (this.closed || Object.keys(values).length === 0) return;
    try {
      this.sink(values, index, time);
    } catch {
      // Sampling is a side show: it never breaks training.
    }
  }
}
