import { describe, expect, it } from 'vitest';
import {
  gpuMetricValues,
  memoryMetricValues,
  parseNvidiaSmiCsv,
  processCpuPercent,
  sumCpuTimes,
  systemCpuPercent,
  systemMetricsInterval,
  SystemSampler,
  type SystemProbe,
} from '../../../sdk/src/run/systemMetrics.js';
import { LiveSeriesTracker } from '../../../sdk/src/live/liveSeries.js';
import { parseLivePayload, summaryLine, type LivePayload } from '../../../core/src/live/payload.js';
import { InvalidValueError } from '../../../core/src/errors.js';

const times = (user: number, sys: number, idle: number) => ({ times: { user, nice: 0, sys, idle, irq: 0 } });

/** A machine whose readings the test sets; GPU queries resolve or fail when the test says. */
function fakeProbe(gpu: Array<(resolve: (csv: string) => void, reject: (e: Error) => void) => void> = []) {
  const state = { now: 1_000_000, idle: 0, total: 0, cpuMicros: 0, gpuCalls: 0 };
  const pending: Array<{ resolve: (csv: string) => void; reject: (e: Error) => void }> = [];
  const probe: SystemProbe = {
    now: () => state.now,
    cpuTimes: () => ({ idle: state.idle, total: state.total }),
    cpuCount: () => 4,
    processCpu: () => ({ user: state.cpuMicros, system: 0 }),
    memory: () => ({ total: 8 * 2 ** 30, free: 6 * 2 ** 30 }),
    processMemory: () => ({ rss: 100 * 2 ** 20, heapUsed: 30 * 2 ** 20 }),
    queryGpus: () => {
      state.gpuCalls++;
      return new Promise<string>((resolve, reject) => {
        const script = gpu.shift();
        if (script) script(resolve, reject);
        else pending.push({ resolve, reject });
      });
    },
  };
  return { probe, state, pending };
}

describe('systemMetrics', () => {
  describe('CPU deltas', () => {
    it('sums the times of every core', () => {
      expect(sumCpuTimes([times(100, 50, 850), times(10, 0, 990)])).toEqual({ idle: 1840, total: 2000 });
    });
    it('gives the busy share of all cores between two readings', () => {
      const before = sumCpuTimes([times(100, 0, 900), times(100, 0, 900)]);
      const after = sumCpuTimes([times(400, 100, 1500), times(100, 0, 1900)]); // 400 busy of 2000 ms
      expect(systemCpuPercent(before, after)).toBeCloseTo(20, 10);
    });
    it('says nothing when no CPU time passed, and clamps odd counters', () => {
      expect(systemCpuPercent({ idle: 5, total: 10 }, { idle: 5, total: 10 })).toBeNull();
      expect(systemCpuPercent({ idle: 50, total: 100 }, { idle: 20, total: 200 })).toBe(100);
    });
    it('gives the process share of the whole machine (one busy core of four is 25 %)', () => {
      expect(processCpuPercent({ user: 0, system: 0 }, { user: 600_000, system: 400_000 }, 1000, 4)).toBeCloseTo(25, 10);
      expect(processCpuPercent({ user: 0, system: 0 }, { user: 1, system: 0 }, 0, 4)).toBeNull();
    });
  });

  describe('parseNvidiaSmiCsv()', () => {
    it('reads one GPU per line', () => {
      expect(parseNvidiaSmiCsv('45, 1234, 81559\n0, 3, 81559\n')).toEqual([
        { index: 0, utilPercent: 45, memoryUsedMiB: 1234, memoryTotalMiB: 81559 },
        { index: 1, utilPercent: 0, memoryUsedMiB: 3, memoryTotalMiB: 81559 },
      ]);
    });
    it('reads [N/A] and [Not Supported] as unknown, and skips lines that are not three fields', () => {
      expect(parseNvidiaSmiCsv('[N/A], 512, [Not Supported]\r\nNo devices were found\n\n')).toEqual([
        { index: 0, utilPercent: null, memoryUsedMiB: 512, memoryTotalMiB: null },
      ]);
      expect(parseNvidiaSmiCsv('')).toEqual([]);
    });
    it('names the metrics per GPU and leaves unknown ones out', () => {
      expect(gpuMetricValues(parseNvidiaSmiCsv('45, 1000, 4000\n[N/A], 10, [N/A]'))).toEqual({
        'sys/gpu0_util_percent': 45,
        'sys/gpu0_memory_used_mb': 1000,
        'sys/gpu0_memory_percent': 25,
        'sys/gpu1_memory_used_mb': 10,
      });
    });
  });

  it('gives memory in MiB and the system share used', () => {
    expect(memoryMetricValues({ total: 4 * 2 ** 30, free: 2 ** 30 }, { rss: 2 ** 20, heapUsed: 2 ** 19 })).toEqual({
      'sys/process_rss_mb': 1,
      'sys/process_heap_mb': 0.5,
      'sys/memory_used_percent': 75,
      'sys/memory_used_mb': 3 * 1024,
    });
  });

  describe('systemMetricsInterval()', () => {
    it('samples every 5 s by default, takes intervalMs, and turns off by option or env', () => {
      expect(systemMetricsInterval(undefined, {})).toBe(5000);
      expect(systemMetricsInterval({ intervalMs: 250 }, {})).toBe(250);
      expect(systemMetricsInterval(false, {})).toBeNull();
      expect(systemMetricsInterval(undefined, { TRAINBOOK_SYSTEM_METRICS: 'off' })).toBeNull();
    });
    it('refuses an interval that is not a number of ms ≥ 50', () => {
      expect(() => systemMetricsInterval({ intervalMs: 0 }, {})).toThrow(InvalidValueError);
      expect(() => systemMetricsInterval({ intervalMs: Number.NaN }, {})).toThrow(/intervalMs/);
      expect(() => systemMetricsInterval('often' as never, {})).toThrow(InvalidValueError);
    });
  });

  describe('SystemSampler', () => {
    it('samples CPU and memory with the sample index as step, and GPUs from the same tick', async () => {
      const samples: Array<{ values: Record<string, number>; index: number; time: number }> = [];
      const { probe, state } = fakeProbe([(resolve) => resolve('50, 100, 200\n')]);
      const sampler = new SystemSampler((values, index, time) => samples.push({ values, index, time }), { intervalMs: 1000 }, probe);
      sampler.sample(); // first call takes the baseline, then a sample over no time
      state.now += 1000;
      state.total += 4000;
      state.idle += 3000;
      state.cpuMicros += 2_000_000;
      sampler.sample();
      await new Promise((r) => setImmediate(r));
      sampler.close();
      const second = samples.find((s) => s.index === 1 && 'sys/cpu_percent' in s.values)!;
      expect(second.values['sys/cpu_percent']).toBeCloseTo(25, 10);
      expect(second.values['sys/process_cpu_percent']).toBeCloseTo(50, 10);
      expect(second.values['sys/process_rss_mb']).toBe(100);
      expect(second.time).toBe(1_001_000);
      const gpu = samples.find((s) => 'sys/gpu0_util_percent' in s.values)!;
      expect(gpu).toEqual({ values: { 'sys/gpu0_util_percent': 50, 'sys/gpu0_memory_used_mb': 100, 'sys/gpu0_memory_percent': 50 }, index: 0, time: 1_000_000 });
    });

    it('skips the GPU while a query is still running, and gives up quietly after two failures', async () => {
      const { probe, state, pending } = fakeProbe();
      const sampler = new SystemSampler(() => {}, { intervalMs: 1000 }, probe);
      sampler.sample();
      sampler.sample();
      sampler.sample();
      expect(state.gpuCalls).toBe(1); // the first query has not answered
      pending.shift()!.reject(new Error('nvidia-smi: not found'));
      await new Promise((r) => setImmediate(r));
      sampler.sample();
      expect(state.gpuCalls).toBe(2);
      pending.shift()!.resolve('No devices were found\n'); // an answer without GPUs is a failure too
      await new Promise((r) => setImmediate(r));
      expect(sampler.gpuActive).toBe(false);
      sampler.sample();
      sampler.sample();
      expect(state.gpuCalls).toBe(2);
      sampler.close();
    });

    it('delivers nothing after close, not even a GPU answer that arrives late', async () => {
      const seen: number[] = [];
      const { probe, pending } = fakeProbe();
      const sampler = new SystemSampler((_values, index) => seen.push(index), { intervalMs: 1000 }, probe);
      sampler.sample();
      sampler.close();
      pending.shift()!.resolve('1, 2, 3');
      await new Promise((r) => setImmediate(r));
      sampler.sample();
      expect(seen).toEqual([0]);
    });

    it('takes a last CPU and memory sample when a started sampler closes, so short runs get averages too', () => {
      const samples: Array<{ values: Record<string, number>; index: number }> = [];
      const { probe, state } = fakeProbe();
      const sampler = new SystemSampler((values, index) => samples.push({ values, index }), { intervalMs: 60_000 }, probe);
      sampler.start(); // baseline now; the first timed sample would come in a minute
      state.now += 3000;
      state.total += 8000;
      state.idle += 2000;
      sampler.close();
      expect(samples).toHaveLength(1);
      expect(samples[0]!.index).toBe(0);
      expect(samples[0]!.values['sys/cpu_percent']).toBeCloseTo(75, 10);
      expect(state.gpuCalls).toBe(0);
      sampler.close();
      expect(samples).toHaveLength(1);
      // Closed right after a sample: nothing more.
      const again = new SystemSampler((values, index) => samples.push({ values, index }), { intervalMs: 60_000 }, probe);
      again.start();
      again.close();
      expect(samples).toHaveLength(1);
    });

    it('never lets a failing probe escape into the timer, and stops after a few failures in a row', async () => {
      const { probe } = fakeProbe();
      let broken = true;
      const failing: SystemProbe = { ...probe, processMemory: () => (broken ? (() => { throw new Error('EMFILE: too many open files, uv_resident_set_memory'); })() : probe.processMemory()) };
      const seen: number[] = [];
      const sampler = new SystemSampler((_values, index) => seen.push(index), { intervalMs: 60, gpu: false }, failing);
      sampler.start();
      expect(() => sampler.sample()).not.toThrow();
      broken = false;
      sampler.sample(); // a success in between resets the count
      broken = true;
      await new Promise((resolve) => setTimeout(resolve, 400)); // the timer's failures stop it
      const count = seen.length;
      broken = false;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen.length).toBe(count);
      expect(count).toBe(1);
      sampler.close();
    });

    it('never lets a failing sink escape into the timer', () => {
      const { probe } = fakeProbe();
      const sampler = new SystemSampler(() => {
        throw new Error('disk gone');
      }, { intervalMs: 1000, gpu: false }, probe);
      expect(() => sampler.sample()).not.toThrow();
      sampler.close();
    });
  });

  describe('system metrics in the live payload', () => {
    it('carries the axis in the live payload, and keeps sys metrics out of the summary line', () => {
      const tracker = new LiveSeriesTracker();
      tracker.add({ 'sys/cpu_percent': 12 }, 5.2, 'elapsed');
      tracker.add({ loss: 0.5 }, 0);
      const series = tracker.snapshot();
      expect(series.map((s) => [s.name, s.xAxis, s.step])).toEqual([
        ['sys/cpu_percent', 'elapsed', [5.2]],
        ['loss', undefined, [0]],
      ]);
      const payload = parseLivePayload(JSON.parse(JSON.stringify({ run: { id: 'r', name: 'mlp', status: 'running' }, series: [...series, { name: 'x', step: [1], value: [1], xAxis: '<script>' }] }))) as LivePayload;
      expect(payload.series.map((s) => s.xAxis)).toEqual(['elapsed', undefined, undefined]);
      expect(summaryLine(payload)).not.toContain('sys/');
      expect(summaryLine(payload)).toContain('loss 0.5');
    });
  });
});
