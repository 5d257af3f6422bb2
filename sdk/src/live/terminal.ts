/**
 * Outside a notebook, a run shows its progress on stderr: one line redrawn in place on a terminal,
 * plain lines (one per epoch and one at the end) when stderr is a file or a pipe. Runs without
 * training progress stay quiet.
 */
import { type LivePayload, summaryLine } from 'trainbook/core';
import type { LiveSink } from './liveOutput.js';
import { withoutCapture } from '../console/ownLines.js';

export function progressBar(fraction: number | null, width = 20): string {
  if (fraction === null) return '';
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export function terminalLine(payload: LivePayload, columns = 100): string {
  const bar = payload.run.status === 'running' ? progressBar(payload.progress?.fraction ?? null) : '';
  const line = `trainbook ${bar ? `${bar} ` : ''}${summaryLine(payload, 3)}`.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return [...line].slice(0, Math.max(20, columns - 1)).join('');
}

export class TerminalSink implements LiveSink {
  /** A progress line shows last values only: no points need downsampling for it. */
  readonly lastValuesOnly = true;
  private lastEpoch: number | null = null;
  private drawn = false;
  private shownAny = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  render(payload: LivePayload): void {
    const hasProgress = payload.progress?.epochs !== null && payload.progress?.epochs !== undefined;
    const finished = payload.run.status !== 'running';
    if (!hasProgress && !this.shownAny) return;
    const line = terminalLine(payload, this.stream.columns ?? 100);
    if (this.stream.isTTY) {
      // Progress lines are trainbook's, not the run's output.
      withoutCapture(() => this.stream.write(`\r\u001b[2K${line}${finished ? '\n' : ''}`));
      this.drawn = !finished;
    } else {
      const epoch = payload.progress?.epoch ?? null;
      if (!finished && epoch === this.lastEpoch) return;
      this.lastEpoch = epoch;
      withoutCapture(() => this.stream.write(`${line}\n`));
    }
    this.shownAny = true;
    if (finished && this.drawn) this.drawn = false;
  }
}
