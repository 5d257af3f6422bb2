import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  OutputBuffer,
  OutputHooks,
  outputCaptureLimit,
  RunOutputCapture,
  utf8Prefix,
  type HookableStream,
} from '../../../sdk/src/run/outputCapture.js';
import { withoutCapture } from '../../../sdk/src/console/ownLines.js';
import { collectOutput, outputTail, plainTerminalText } from '../../../core/src/format/series.js';
import { eventProblem } from '../../../core/src/format/shape.js';
import { InvalidValueError } from '../../../core/src/errors.js';
import type { RunRecord } from '../../../core/src/format/types.js';

/** A real Writable that remembers what reached it, as a terminal would. */
function sinkStream(): Writable & { written: string[] } {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk.toString('utf8'));
      callback();
    },
  });
  return Object.assign(stream, { written });
}

function pair() {
  const stdout = sinkStream();
  const stderr = sinkStream();
  const hooks = new OutputHooks(() => ({ stdout, stderr }));
  return { stdout, stderr, hooks };
}

describe('OutputBuffer', () => {
  it('merges consecutive writes to one stream into one event stamped with the first time', () => {
    const buffer = new OutputBuffer(100);
    buffer.add('stdout', 'a\n', 1);
    buffer.add('stdout', 'b\n', 2);
    buffer.add('stderr', 'oops\n', 3);
    buffer.add('stdout', '', 4);
    expect(buffer.drain()).toEqual([
      { type: 'output', time: 1, stream: 'stdout', text: 'a\nb\n' },
      { type: 'output', time: 3, stream: 'stderr', text: 'oops\n' },
    ]);
    expect(buffer.drain()).toEqual([]);
    expect(buffer.stats()).toEqual({ keptBytes: 9, droppedBytes: 0 });
  });

  it('keeps up to the cap, then writes one cut note and counts what it drops', () => {
    const buffer = new OutputBuffer(10);
    buffer.add('stdout', '12345678', 1);
    buffer.add('stdout', 'abcdef', 2); // 2 bytes fit, 4 dropped
    buffer.add('stderr', 'more', 3);
    buffer.add('stdout', 'and more', 4);
    expect(buffer.drain()).toEqual([
      { type: 'output', time: 1, stream: 'stdout', text: '12345678ab' },
      { type: 'output-cut', time: 2, afterBytes: 10 },
    ]);
    expect(buffer.stats()).toEqual({ keptBytes: 10, droppedBytes: 4 + 4 + 8 });
  });

  it('counts bytes of UTF-8 and never splits a character at the cut', () => {
    expect(utf8Prefix('añ🚀b', 4)).toBe('añ'); // a=1, ñ=2, 🚀=4 bytes
    expect(utf8Prefix('añ🚀b', 7)).toBe('añ🚀');
    const buffer = new OutputBuffer(5);
    buffer.add('stdout', 'é🚀', 1);
    expect(buffer.drain()[0]).toMatchObject({ text: 'é' });
    expect(buffer.stats()).toEqual({ keptBytes: 2, droppedBytes: 4 });
  });

  it('with a cap of 0 keeps nothing but says so', () => {
    const buffer = new OutputBuffer(0);
    buffer.add('stdout', 'x', 1);
    expect(buffer.drain()).toEqual([{ type: 'output-cut', time: 1, afterBytes: 0 }]);
  });
});

describe('outputCaptureLimit()', () => {
  it('is 1 MiB by default, takes maxBytes, and turns off by option or env', () => {
    expect(outputCaptureLimit(undefined, {})).toBe(1 << 20);
    expect(outputCaptureLimit({ maxBytes: 10 }, {})).toBe(10);
    expect(outputCaptureLimit(false, {})).toBeNull();
    expect(outputCaptureLimit(undefined, { TRAINBOOK_CAPTURE_OUTPUT: 'off' })).toBeNull();
    expect(() => outputCaptureLimit({ maxBytes: -1 }, {})).toThrow(InvalidValueError);
    expect(() => outputCaptureLimit({ maxBytes: 1.5 }, {})).toThrow(/maxBytes/);
  });
});

describe('OutputHooks', () => {
  it('captures writes to both streams, passes them on unchanged, and restores the streams', () => {
    const { stdout, stderr, hooks } = pair();
    const original = stdout.write;
    const seen: string[] = [];
    const release = hooks.capture((stream, text) => seen.push(`${stream}:${text}`));
    stdout.write('hello\n');
    stderr.write(Buffer.from('bad ñ\n'));
    stdout.write('aGk=', 'base64');
    release();
    stdout.write('after\n');
    expect(seen).toEqual(['stdout:hello\n', 'stderr:bad ñ\n', 'stdout:hi']);
    expect(stdout.written).toEqual(['hello\n', 'hi', 'after\n']);
    expect(stderr.written).toEqual(['bad ñ\n']);
    expect(stdout.write).toBe(original);
    expect(Object.prototype.hasOwnProperty.call(stdout, 'write')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(stderr, 'write')).toBe(false);
  });

  it('serves two captures at once; releasing either leaves the other capturing', () => {
    const { stdout, hooks } = pair();
    const a: string[] = [];
    const b: string[] = [];
    const releaseA = hooks.capture((_s, text) => a.push(text));
    const releaseB = hooks.capture((_s, text) => b.push(text));
    stdout.write('both\n');
    releaseA();
    releaseA(); // twice is harmless
    stdout.write('only b\n');
    releaseB();
    stdout.write('none\n');
    expect(a).toEqual(['both\n']);
    expect(b).toEqual(['both\n', 'only b\n']);
    expect(hooks.active).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(stdout, 'write')).toBe(false);
  });

  it('keeps a write function assigned meanwhile (as tslab does at each cell) captured, and leaves it in place after', () => {
    const { stdout, hooks } = pair();
    const seen: string[] = [];
    const toNotebook: string[] = [];
    const release = hooks.capture((_s, text) => seen.push(text));
    // What tslab does at the start of each execution: a fresh writer that sends to the cell.
    const cellWriter = (chunk: string) => {
      toNotebook.push(chunk);
      return true;
    };
    (stdout as HookableStream).write = cellWriter;
    stdout.write('from cell 2\n');
    release();
    stdout.write('after finish\n');
    expect(seen).toEqual(['from cell 2\n']);
    expect(toNotebook).toEqual(['from cell 2\n', 'after finish\n']);
    expect(stdout.write).toBe(cellWriter);
  });

  it('chains with a library that wraps the stream while the capture is on: one capture per write, its hook kept after release', () => {
    const { stdout, hooks } = pair();
    const seen: string[] = [];
    const libraryLog: string[] = [];
    const release = hooks.capture((_s, text) => seen.push(text));
    const previous = stdout.write;
    (stdout as HookableStream).write = function (this: unknown, ...args: unknown[]) {
      libraryLog.push(String(args[0]));
      return (previous as (...a: unknown[]) => boolean).apply(this, args);
    };
    stdout.write('x\n');
    release();
    stdout.write('y\n');
    expect(seen).toEqual(['x\n']);
    expect(libraryLog).toEqual(['x\n', 'y\n']);
    expect(stdout.written).toEqual(['x\n', 'y\n']);
  });

  it('chains with a library that hooked before: it keeps seeing every write and is restored', () => {
    const { stdout, hooks } = pair();
    const libraryLog: string[] = [];
    const plain = stdout.write;
    const libraryHook = function (this: unknown, ...args: unknown[]) {
      libraryLog.push(String(args[0]));
      return (plain as (...a: unknown[]) => boolean).apply(this, args);
    };
    (stdout as HookableStream).write = libraryHook;
    const seen: string[] = [];
    const release = hooks.capture((_s, text) => seen.push(text));
    stdout.write('x\n');
    release();
    expect(stdout.write).toBe(libraryHook);
    expect(seen).toEqual(['x\n']);
    expect(libraryLog).toEqual(['x\n']);
  });

  it("does not capture trainbook's own lines, nor let a failing listener break printing", () => {
    const { stderr, hooks } = pair();
    const seen: string[] = [];
    const releaseBad = hooks.capture(() => {
      throw new Error('listener bug');
    });
    const release = hooks.capture((_s, text) => seen.push(text));
    withoutCapture(() => stderr.write('trainbook: a warning\n'));
    stderr.write('user\n');
    release();
    releaseBad();
    expect(seen).toEqual(['user\n']);
    expect(stderr.written).toEqual(['trainbook: a warning\n', 'user\n']);
  });
});

describe('RunOutputCapture', () => {
  it('buffers until drained, reports its size for run.json, and stops at close', () => {
    const { stdout, hooks } = pair();
    let now = 100;
    const capture = new RunOutputCapture(6, hooks, () => now++);
    stdout.write('abc');
    stdout.write('defgh');
    capture.close();
    stdout.write('late');
    expect(capture.drain()).toEqual([
      { type: 'output', time: 100, stream: 'stdout', text: 'abcdef' },
      { type: 'output-cut', time: 101, afterBytes: 6 },
    ]);
    const record = {} as RunRecord;
    capture.annotate(record);
    expect(record.output).toEqual({ keptBytes: 6, droppedBytes: 2 });
  });
});

describe('reading captured output', () => {
  it('accepts well-formed output records and names what is wrong with others', () => {
    expect(eventProblem({ type: 'output', time: 1, stream: 'stdout', text: 'x' })).toBeNull();
    expect(eventProblem({ type: 'output', time: 1, stream: 'tty', text: 'x' })).toMatch(/stream/);
    expect(eventProblem({ type: 'output', time: 1, stream: 'stderr', text: 5 })).toMatch(/text/);
    expect(eventProblem({ type: 'output-cut', time: 1 })).toMatch(/afterBytes/);
  });

  it('gathers chunks in order and the cut, and gives the tail', () => {
    const output = collectOutput([
      { type: 'output', time: 1, stream: 'stdout', text: 'one\n' },
      { type: 'status', time: 2, status: 'running' },
      { type: 'output', time: 3, stream: 'stderr', text: 'two\n' },
      { type: 'output-cut', time: 4, afterBytes: 8 },
    ]);
    expect(output).toEqual({
      chunks: [
        { time: 1, stream: 'stdout', text: 'one\n' },
        { time: 3, stream: 'stderr', text: 'two\n' },
      ],
      cutAfterBytes: 8,
    });
    expect(outputTail(output, 5)).toEqual({ text: '\ntwo\n', omittedChars: 3 });
  });

  it('strips ANSI colour and cursor codes and other controls, keeping lines', () => {
    expect(plainTerminalText('\u001b[31mred\u001b[0m\r\nbar 10%\rbar 20%\n\u001b]0;title\u0007ok\u0000\tend')).toBe('red\nbar 10%\nbar 20%\nok\tend');
  });
});

describe('Run output capture in this process', () => {
  it('hooks the real process.stdout/stderr from init() to finish() and puts them back', async () => {
    const { init, openStore } = await import('../../../sdk/src/index.js');
    const { tempDir } = await import('../../helpers/tmp.js');
    const dir = tempDir();
    const before = { stdout: Object.getOwnPropertyDescriptor(process.stdout, 'write'), stderr: Object.getOwnPropertyDescriptor(process.stderr, 'write') };
    const run = init({ dir, git: false, systemMetrics: false, display: false });
    process.stdout.write('captured line\n');
    run.log({ loss: 1 });
    await run.finish();
    process.stdout.write('');
    expect(Object.getOwnPropertyDescriptor(process.stdout, 'write')).toEqual(before.stdout);
    expect(Object.getOwnPropertyDescriptor(process.stderr, 'write')).toEqual(before.stderr);
    const data = openStore(dir).read(run.id);
    expect(data.output.chunks.map((c) => c.text).join('')).toBe('captured line\n');
  });
});
