import { SYSTEM_METRIC_PREFIX, invalidMetricName, invalidMetricValue, invalidStep, isValidStep, encodeNumber, encodeFloat64, type MetricColumns, type MetricsEvent, type MetricSummary, InvalidValueError, nameRecord } from 'trainbook/core';

export const MAX_NAME_LENGTH = 1024;
/** Batches of at least this many points of one metric store their values as base64 float64. */
export const BINARY_MIN_POINTS = 64;

interface MetricState {
  steps: number[];
  times: number[];
  values: number[];
  epochs: Array<number | null> | null;
  // Summary over every point ever logged, kept as raw numbers until written.
  last: number;
  min: number;
  max: number;
  count: number;
  lastStep: number;
}

/**
 * Metric points waiting to be written, grouped per metric as columns, plus each metric's running
 * summary. Pure: the caller decides when to drain it into a `metrics` event.
 */
export class MetricBuffer {
  private readonly metrics = new Map<string, MetricState>();
  /** Points waiting to be written. */
  pending = 0;
  /** Points accepted since the run began. */
  total = 0;

  /**
   * Checks a whole `log` call before any of it is kept, so a bad value never leaves half a row.
   * Throws InvalidValueError naming the metric.
   */
  validate(values: Record<string, unknown>, step: unknown, epoch: unknown): void {
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw new InvalidValueError('log() takes an object of metric values, e.g. run.log({ loss: 0.3 }).');
    }
    for (const name in values) {
      const value = values[name];
      if (typeof value !== 'number') throw invalidMetricValue(name, value);
      if (name.length === 0) throw invalidMetricName(name);
      if (name.length > MAX_NAME_LENGTH) {
        throw new InvalidValueError(`Metric name of ${name.length} characters is too long; names hold at most ${MAX_NAME_LENGTH}.`);
      }
      if (name.startsWith(SYSTEM_METRIC_PREFIX)) {
        throw new InvalidValueError(`Metric name "${name}" starts with "${SYSTEM_METRIC_PREFIX}", which is kept for trainbook's system metrics (CPU, memory, GPU); choose another name.`);
      }
    }
    if (step !== undefined && !isValidStep(step)) throw invalidStep(step);
    if (epoch !== undefined && !isValidStep(epoch)) {
      throw new InvalidValueError(`Epoch ${String(epoch)} is not allowed; epochs are whole numbers from 0 to 2^53-1.`);
    }
  }

  /** Adds one validated row. */
  add(values: Record<string, number>, step: number, time: number, epoch: number | undefined): void {
    for (const name in values) {
      const value = values[name]!;
      let state = this.metrics.get(name);
      if (state === undefined) {
        state = newState();
        this.metrics.set(name, state);
      }
      state.steps.push(step);
      state.times.push(time);
      state.values.push(value);
      if (epoch !== undefined) (state.epochs ??= new Array<number | null>(state.values.length - 1).fill(null)).push(epoch);
      else if (state.epochs) state.epochs.push(null);
      state.last = value;
      if (value < state.min) state.min = value;
      if (value > state.max) state.max = value;
      state.count++;
      state.lastStep = step;
      this.pending++;
      this.total++;
    }
  }

  /**
   * Continues a stored metric's summary (a resumed run): later points update these numbers
   * instead of starting over. Nothing is pending afterwards; `total` counts this process's points.
   */
  seed(name: string, stored: { last: number; min: number; max: number; count: number; lastStep: number }): void {
    const state = this.metrics.get(name) ?? newState();
    Object.assign(state, stored);
    this.metrics.set(name, state);
  }

  /** Takes the pending points as one event, or null when there are none. */
  drain(): MetricsEvent | null {
    if (this.pending === 0) return null;
    let base = Infinity;
    for (const state of this.metrics.values()) if (state.times.length > 0 && state.times[0]! < base) base = state.times[0]!;
    // Records keyed by metric names have no prototype: a metric called __proto__ is kept like any other.
    const series: Record<string, MetricColumns> = nameRecord();
    for (const [name, state] of this.metrics) {
      if (state.values.length === 0) continue;
      const columns: MetricColumns = { time: state.times.map((t) => t - base) };
      // Large batches as binary float64 (exact, fast to read); small ones stay readable JSON.
      if (state.values.length >= BINARY_MIN_POINTS) columns.valueF64 = encodeFloat64(state.values);
      else columns.value = state.values.map((v) => (Number.isFinite(v) ? v : encodeNumber(v)));
      if (countsUpByOne(state.steps)) columns.stepStart = state.steps[0]!;
      else columns.step = state.steps;
      if (state.epochs) columns.epoch = state.epochs;
      series[name] = columns;
      state.steps = [];
      state.times = [];
      state.values = [];
      state.epochs = null;
    }
    this.pending = 0;
    return { type: 'metrics', time: base, series };
  }

  summaries(): Record<string, MetricSummary> {
    const result: Record<string, MetricSummary> = nameRecord();
    for (const [name, state] of this.metrics) {
      if (state.count === 0) continue;
      result[name] = {
        last: encodeNumber(state.last),
        // Min and max leave NaN out; a series of NaN only has NaN for both.
        min: encodeNumber(state.min === Infinity && state.max === -Infinity ? NaN : state.min),
        max: encodeNumber(state.min === Infinity && state.max === -Infinity ? NaN : state.max),
        count: state.count,
        step: state.lastStep,
      };
    }
    return result;
  }
}

function newState(): MetricState {
  return { steps: [], times: [], values: [], epochs: null, last: NaN, min: Infinity, max: -Infinity, count: 0, lastStep: 0 };
}

function countsUpByOne(steps: number[]): boolean {
  for (let i = 1; i < steps.length; i++) if (steps[i] !== steps[i - 1]! + 1) return false;
  return true;
}
