import { decodeNumber } from './numbers.js';
import { decodeFloat64Into, float64Count } from './base64.js';
import type { ChronoEvent, MetricsEvent, OutputEvent, RunEvent } from './types.js';

/** One metric's points as columns, in arrival order (steps may repeat or go back). */
export interface Series {
  name: string;
  length: number;
  step: Float64Array;
  /** Wall-clock time of each point, ms since the Unix epoch. */
  time: Float64Array;
  value: Float64Array;
  /** Epoch of each point, NaN where none was given. */
  epoch: Float64Array;
}

/** One timer's measurements as columns. */
export interface ChronoSeries {
  name: string;
  length: number;
  time: Float64Array;
  /** Seconds. */
  value: Float64Array;
}

/**
 * Gathers the metric points of many `metrics` events into one typed-array column set per metric.
 * Two passes (count, then fill) so each column is allocated once at its final size.
 */
export function collectSeries(events: readonly RunEvent[]): Map<string, Series> {
  const lengths = new Map<string, number>();
  for (const event of events) {
    if (event.type !== 'metrics') continue;
    for (const name of Object.keys(event.series)) {
      const columns = event.series[name]!;
      lengths.set(name, (lengths.get(name) ?? 0) + columnLength(columns));
    }
  }
  const result = new Map<string, Series>();
  for (const [name, length] of lengths) {
    result.set(name, {
      name,
      length: 0,
      step: new Float64Array(length),
      time: new Float64Array(length),
      value: new Float64Array(length),
      epoch: new Float64Array(length).fill(NaN),
    });
  }
  for (const event of events) if (event.type === 'metrics') appendMetrics(result, event);
  return result;
}

function appendMetrics(result: Map<string, Series>, event: MetricsEvent): void {
  for (const name of Object.keys(event.series)) {
    const columns = event.series[name]!;
    const series = result.get(name)!;
    const offset = series.length;
    const n = columnLength(columns);
    const { value, time, step, epoch } = columns;
    const base = event.time;
    if (value) {
      for (let i = 0; i < n; i++) {
        const v = value[i];
        series.value[offset + i] = typeof v === 'number' ? v : decodeNumber(v);
      }
    } else {
      decodeFloat64Into(columns.valueF64!, series.value, offset);
    }
    for (let i = 0; i < n; i++) series.time[offset + i] = base + (time[i] ?? 0);
    if (step) for (let i = 0; i < n; i++) series.step[offset + i] = step[i]!;
    else {
      const start = columns.stepStart ?? 0;
      for (let i = 0; i < n; i++) series.step[offset + i] = start + i;
    }
    if (epoch) {
      for (let i = 0; i < n; i++) {
        const e = epoch[i];
        if (typeof e === 'number') series.epoch[offset + i] = e;
      }
    }
    series.length = offset + n;
  }
}

function columnLength(columns: MetricsEvent['series'][string]): number {
  return columns.value ? columns.value.length : Math.max(0, float64Count(columns.valueF64 ?? ''));
}

/** Gathers `chrono` events into one column set per timer. */
export function collectChronos(events: readonly RunEvent[]): Map<string, ChronoSeries> {
  const parts = new Map<string, ChronoEvent['series'][string][]>();
  const bases = new Map<string, number[]>();
  for (const event of events) {
    if (event.type !== 'chrono') continue;
    for (const [name, columns] of Object.entries(event.series)) {
      if (!parts.has(name)) {
        parts.set(name, []);
        bases.set(name, []);
      }
      parts.get(name)!.push(columns);
      bases.get(name)!.push(event.time);
    }
  }
  const result = new Map<string, ChronoSeries>();
  for (const [name, chunks] of parts) {
    const length = chunks.reduce((sum, c) => sum + c.value.length, 0);
    const series: ChronoSeries = { name, length, time: new Float64Array(length), value: new Float64Array(length) };
    let offset = 0;
    chunks.forEach((chunk, k) => {
      const base = bases.get(name)![k]!;
      for (let i = 0; i < chunk.value.length; i++) {
        series.time[offset + i] = base + (chunk.time[i] ?? 0);
        series.value[offset + i] = chunk.value[i]!;
      }
      offset += chunk.value.length;
    });
    result.set(name, series);
  }
  return result;
}

/** What a run's process printed, as the reader gives it. */
export interface RunOutput {
  /** In the order written; consecutive writes to one stream arrive merged. */
  chunks: Array<Pick<OutputEvent, 'time' | 'stream' | 'text'>>;
  /** Set when output reached the run's cap: bytes kept before the cut. */
  cutAfterBytes: number | null;
}

/** Gathers `output` and `output-cut` events. */
export function collectOutput(events: readonly RunEvent[]): RunOutput {
  const output: RunOutput = { chunks: [], cutAfterBytes: null };
  for (const event of events) {
    if (event.type === 'output') output.chunks.push({ time: event.time, stream: event.stream, text: event.text });
    else if (event.type === 'output-cut') output.cutAfterBytes ??= event.afterBytes;
  }
  return output;
}

/** The last `maxChars` characters of the output, streams interleaved as written. */
export function outputTail(output: RunOutput, maxChars: number): { text: string; omittedChars: number } {
  const text = output.chunks.map((chunk) => chunk.text).join('');
  return text.length <= maxChars ? { text, omittedChars: 0 } : { text: text.slice(text.length - maxChars), omittedChars: text.length - maxChars };
}

// CSI and OSC sequences and other escapes that colour or move a terminal's cursor.
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])|\u009b[0-?]*[ -/]*[@-~]/g;
// Controls other than tab and newline.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Terminal text as plain text: ANSI escape codes removed, `\r` line rewrites turned into new lines, other controls dropped. */
export function plainTerminalText(text: string): string {
  return text.replace(ANSI, '').replace(/\r\n?/g, '\n').replace(CONTROLS, '');
}
