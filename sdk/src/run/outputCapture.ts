/**
 * Output capture: what the process prints to stdout and stderr while a run is active is kept with
 * the run, as `output` events written with its normal batched flush, up to a cap (1 MiB by
 * default; then one `output-cut` note and a count of dropped bytes in run.json).
 *
 * The hook is an accessor on the stream's `write` property rather than a plain replacement: the
 * tslab kernel assigns a fresh `process.stdout.write` at the start of every cell execution (that
 * is how a cell's output reaches the notebook), which would silently throw a plain hook away.
 * Through the accessor, every function assigned while a run is active is wrapped as it arrives,
 * so a cell's `console.log` is captured in whichever cell it runs. Libraries that hook the stream
 * too keep working: each function is wrapped on its own, a write that passes through several
 * wrappers is captured once, and releasing the hook restores the last function assigned.
 */
import { InvalidValueError, type OutputCutEvent, type OutputEvent, type OutputStats, type RunEvent, type RunRecord } from 'trainbook/core';
import { capturing, withoutCapture } from '../console/ownLines.js';

export const DEFAULT_OUTPUT_LIMIT_BYTES = 1 << 20;
export type OutputStream = 'stdout' | 'stderr';

/** `init({ captureOutput })`: false turns capture off; `maxBytes` sets the cap (default 1 MiB). */
export type CaptureOutputOption = boolean | { maxBytes?: number };

/** The cap in bytes, or null when capture is off (by option or `TRAINBOOK_CAPTURE_OUTPUT=off`). */
export function outputCaptureLimit(option: CaptureOutputOption | undefined, env: NodeJS.ProcessEnv = process.env): number | null {
  if (option === false || env.TRAINBOOK_CAPTURE_OUTPUT === 'off') return null;
  if (option === undefined || option === true) return DEFAULT_OUTPUT_LIMIT_BYTES;
  if (typeof option !== 'object' || option === null) {
    throw new InvalidValueError('captureOutput takes false or { maxBytes }, e.g. init({ captureOutput: { maxBytes: 65536 } }).');
  }
  const limit = option.maxBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
    throw new InvalidValueError(`captureOutput.maxBytes must be a whole number of bytes ≥ 0; got ${String(limit)}.`);
  }
  return limit;
}

/** Bytes of `text` in UTF-8. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest start of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function utf8Prefix(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  if (utf8Length(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * Captured text waiting to be written, capped at `limitBytes` for the whole run. Consecutive
 * writes to one stream merge into one event (stamped with the first write's time). Pure.
 */
export class OutputBuffer {
  private pending: Array<OutputEvent | OutputCutEvent> = [];
  private kept = 0;
  private dropped = 0;
  private cut = false;

  constructor(readonly limitBytes: number = DEFAULT_OUTPUT_LIMIT_BYTES) {}

  add(stream: OutputStream, text: string, time: number): void {
    if (text === '') return;
    const room = this.limitBytes - this.kept;
    let keep = text;
    if (room <= 0 || utf8Length(text) > room) {
      keep = utf8Prefix(text, room);
      this.dropped += utf8Length(text) - utf8Length(keep);
    }
    if (keep !== '') {
      this.kept += utf8Length(keep);
      const last = this.pending.at(-1);
      if (last?.type === 'output' && last.stream === stream) last.text += keep;
      else this.pending.push({ type: 'output', time, stream, text: keep });
    }
    if (this.dropped > 0 && !this.cut) {
      this.cut = true;
      this.pending.push({ type: 'output-cut', time, afterBytes: this.kept });
    }
  }

  /** Takes the pending events (output, then the cut note once), oldest first. */
  drain(): RunEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  stats(): OutputStats {
    return { keptBytes: this.kept, droppedBytes: this.dropped };
  }
}

type WriteFunction = (...args: unknown[]) => unknown;
/** Anything with a `write` method: process.stdout, process.stderr, a test's fake stream. */
export interface HookableStream {
  write: WriteFunction | ((...args: never[]) => unknown);
}
export type OutputSink = (stream: OutputStream, text: string) => void;

function chunkText(chunk: unknown, encoding: unknown): string {
  if (typeof chunk === 'string') {
    return typeof encoding === 'string' && Buffer.isEncoding(encoding) && encoding !== 'utf8' && encoding !== 'utf-8'
      ? Buffer.from(chunk, encoding).toString('utf8')
      : chunk;
  }
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
  return '';
}

/** The hook on one stream's `write`; see the module comment. */
class WriteHook {
  private readonly saved: PropertyDescriptor | undefined;
  private readonly initial: unknown;
  private current: unknown;
  private wrapped: unknown;
  private readonly getter = (): unknown => this.wrapped;

  constructor(
    private readonly target: HookableStream,
    private readonly name: OutputStream,
    private readonly deliver: OutputSink,
  ) {
    this.saved = Object.getOwnPropertyDescriptor(target, 'write');
    this.initial = target.write;
    this.assign(this.initial);
    Object.defineProperty(target, 'write', {
      configurable: true,
      enumerable: this.saved?.enumerable ?? true,
      get: this.getter,
      set: (next: unknown) => this.assign(next),
    });
  }

  private assign(next: unknown): void {
    this.current = next;
    this.wrapped = typeof next === 'function' ? this.wrap(next as WriteFunction) : next;
  }

  private wrap(write: WriteFunction): WriteFunction {
    const { name, deliver } = this;
    return function capturingWrite(this: unknown, ...args: unknown[]): unknown {
      if (capturing()) {
        const text = chunkText(args[0], args[1]);
        if (text !== '') deliver(name, text);
      }
      // What the wrapped function writes (through other wrappers, too) is captured once, here.
      return withoutCapture(() => write.apply(this, args));
    };
  }

  /**
   * Puts back the last function assigned (the original one unless someone replaced it meanwhile).
   * If someone redefined the property over ours, theirs stays; our wrappers in their chain only
   * pass writes through once nothing captures.
   */
  release(): void {
    if (Object.getOwnPropertyDescriptor(this.target, 'write')?.get !== this.getter) return;
    const prototypeWrite = (Object.getPrototypeOf(this.target) as HookableStream | null)?.write;
    if (this.saved?.get || this.saved?.set) {
      // It was an accessor already: put it back, and pass on what was assigned meanwhile.
      Object.defineProperty(this.target, 'write', this.saved);
      if (this.current !== this.initial) (this.target as { write: unknown }).write = this.current;
    } else if (this.saved === undefined && this.current === prototypeWrite) {
      delete (this.target as Partial<HookableStream>).write;
    } else {
      Object.defineProperty(this.target, 'write', {
        configurable: this.saved?.configurable ?? true,
        enumerable: this.saved?.enumerable ?? true,
        writable: this.saved?.writable ?? true,
        value: this.current,
      });
    }
  }
}

/**
 * Captures writes to a pair of streams for any number of listeners: the hooks go in with the
 * first listener and come out with the last, so two active runs (or nested captures) both see
 * every write, and finishing one leaves the other's capture in place.
 */
export class OutputHooks {
  private readonly sinks = new Set<OutputSink>();
  private hooks: WriteHook[] = [];

  constructor(private readonly streams: () => Record<OutputStream, HookableStream> = () => ({ stdout: process.stdout, stderr: process.stderr })) {}

  /** Starts delivering every write to `sink`; returns the function that stops it. */
  capture(sink: OutputSink): () => void {
    const entry: OutputSink = (stream, text) => sink(stream, text);
    this.sinks.add(entry);
    if (this.hooks.length === 0) {
      const streams = this.streams();
      const deliver: OutputSink = (stream, text) => {
        for (const each of this.sinks) {
          try {
            each(stream, text);
          } catch {
            // Capture must never break printing.
          }
        }
      };
      this.hooks = (['stdout', 'stderr'] as const).map((name) => new WriteHook(streams[name], name, deliver));
    }
    return () => {
      if (!this.sinks.delete(entry) || this.sinks.size > 0) return;
      for (const hook of this.hooks.splice(0)) hook.release();
    };
  }

  get active(): boolean {
    return this.sinks.size > 0;
  }
}

/** The hooks on this process's stdout and stderr, shared by every run. */
export const processOutput = new OutputHooks();

/**
 * A run's output capture: buffers what is printed while the run is active, hands it to the run's
 * flush as events, reports its size in run.json, and lets go of the streams when the run ends.
 */
export class RunOutputCapture {
  private readonly buffer: OutputBuffer;
  private release: (() => void) | null;

  constructor(limitBytes: number, hooks: OutputHooks = processOutput, now: () => number = Date.now) {
    this.buffer = new OutputBuffer(limitBytes);
    this.release = hooks.capture((stream, text) => this.buffer.add(stream, text, now()));
  }

  drain(): RunEvent[] {
    return this.buffer.drain();
  }

  annotate(record: RunRecord): void {
    record.output = this.buffer.stats();
  }

  close(): void {
    this.release?.();
    this.release = null;
  }
}
