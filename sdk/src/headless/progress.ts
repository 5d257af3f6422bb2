/**
 * The state of each `trainbook run` job, driven by the driver's JSON events, and how it is shown
 * on stderr: a block redrawn in place on a terminal, one line per event otherwise. Pure.
 */
import { formatDuration } from 'trainbook/core';
import { safeText, truncate } from '../console/text.js';
import { valueSource } from './inject.js';

export type JobState = 'queued' | 'starting' | 'running' | 'completed' | 'failed' | 'interrupted';

export interface JobFailure {
  /** Index of the failed cell in the executed notebook, null when the kernel died. */
  cell: number | null;
  ename: string;
  evalue: string;
}

export interface JobProgress {
  number: number;
  params: Record<string, unknown>;
  state: JobState;
  cellsDone: number;
  cellsTotal: number;
  /** Ordinal (1-based) of the cell running now. */
  currentCell: number | null;
  startedAt: number | null;
  endedAt: number | null;
  failure: JobFailure | null;
  /** Problems outside cells (the driver could not start, wrote something unexpected). */
  notes: string[];
}

/** One JSON line from sdk/python/execute_notebook.py. */
export type DriverEvent =
  | { type: 'start'; cells: number }
  | { type: 'cell'; index: number; ordinal: number; state: 'running' | 'done' | 'error' }
  | { type: 'error'; index: number | null; ename: string; evalue: string; traceback?: string[] }
  | { type: 'end'; status: 'completed' | 'failed' | 'interrupted'; output: string }
  | { type: 'fatal'; message?: string; missing?: string[]; kernel?: string; kernelspec?: string | null };

export function newProgress(number: number, params: Record<string, unknown>, cellsTotal: number): JobProgress {
  return { number, params, state: 'queued', cellsDone: 0, cellsTotal, currentCell: null, startedAt: null, endedAt: null, failure: null, notes: [] };
}

/** Reads one line of driver output; null for a line that is not an event (reported, not thrown). */
export function parseDriverEvent(line: string): DriverEvent | null {
  try {
    const value = JSON.parse(line) as { type?: unknown };
    return typeof value === 'object' && value !== null && typeof value.type === 'string' ? (value as DriverEvent) : null;
  } catch {
    return null;
  }
}

/** The progress after an event (a new object; the old one is not changed). */
export function applyEvent(progress: JobProgress, event: DriverEvent, now: number): JobProgress {
  switch (event.type) {
    case 'start':
      return { ...progress, state: 'running', cellsTotal: event.cells, startedAt: progress.startedAt ?? now };
    case 'cell':
      if (event.state === 'running') return { ...progress, state: 'running', currentCell: event.ordinal };
      if (event.state === 'done') return { ...progress, cellsDone: Math.max(progress.cellsDone, event.ordinal), currentCell: null };
      return progress;
    case 'error':
      return { ...progress, failure: { cell: event.index, ename: String(event.ename), evalue: String(event.evalue) } };
    case 'end':
      return { ...progress, state: event.status, currentCell: null, endedAt: now };
    case 'fatal':
      return { ...progress, state: 'failed', endedAt: now, notes: [...progress.notes, event.message ?? 'the notebook driver stopped'] };
  }
}

/** `lr=0.1 batch=32`, values as the notebook reads them, control characters escaped. */
export function paramsLabel(params: Record<string, unknown>): string {
  const parts = Object.entries(params).map(([key, value]) => `${key}=${typeof value === 'string' ? value : valueSource(value)}`);
  return parts.length === 0 ? '(defaults)' : safeText(parts.join(' '));
}

function elapsed(progress: JobProgress, now: number): string {
  if (progress.startedAt === null) return '';
  return formatDuration((progress.endedAt ?? now) - progress.startedAt);
}

function cellsText(progress: JobProgress): string {
  const running = progress.currentCell !== null ? ` (running ${progress.currentCell})` : '';
  return `cells ${progress.cellsDone}/${progress.cellsTotal}${running}`;
}

/**
 * One job as a line of the redrawn block.
 *
 * @example
 * progressLine(progress, 4, Date.now()); // '[2/4] lr=0.01  running    cells 3/7 (running 4)  12.3s'
 */
export function progressLine(progress: JobProgress, jobs: number, now: number, width = 100): string {
  const label = truncate(paramsLabel(progress.params), Math.max(12, width - 50));
  return `[${progress.number}/${jobs}] ${label}  ${progress.state.padEnd(11)} ${cellsText(progress)}  ${elapsed(progress, now)}`.trimEnd();
}

/** The whole block: one line per job. */
export function renderProgress(progresses: readonly JobProgress[], now: number, width = 100): string {
  return progresses.map((progress) => progressLine(progress, progresses.length, now, width)).join('\n');
}

/** The line to print for an event when stderr is not a terminal; null for events not worth a line. */
export function eventLine(progress: JobProgress, event: DriverEvent, jobs: number, now: number): string | null {
  const head = `[${progress.number}/${jobs}] ${paramsLabel(progress.params)}:`;
  switch (event.type) {
    case 'start':
      return `${head} started (${event.cells} cells)`;
    case 'cell':
      if (event.state === 'running') return null;
      return `${head} cell ${event.ordinal}/${progress.cellsTotal} ${event.state === 'done' ? 'done' : 'failed'}  ${elapsed(progress, now)}`;
    case 'error':
      return `${head} ${safeText(String(event.ename))}: ${safeText(String(event.evalue))}`;
    case 'end':
      return `${head} ${event.status}  ${elapsed(progress, now)}`;
    case 'fatal':
      return `${head} failed: ${safeText(event.message ?? 'the notebook driver stopped')}`;
  }
}
