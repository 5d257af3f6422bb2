/**
 * The table `trainbook run` prints at the end: one row per job (params, status, duration, the
 * executed notebook) and per run the job recorded (its status and last metrics), then the error
 * of each failed job. Pure: the runs are passed in, read from the store by the caller.
 */
import * as path from 'node:path';
import { formatDuration, formatValue, type RunRecord, type EffectiveStatus } from 'trainbook/core';
import { renderTable, safeText, truncate } from '../console/text.js';
import { paramsLabel, type JobProgress } from './progress.js';

export interface JobRun {
  record: RunRecord;
  status: EffectiveStatus;
}

export interface JobOutcome {
  progress: JobProgress;
  output: string;
  runs: JobRun[];
}

const MAX_METRICS = 4;

/** `loss=0.12 acc=0.97`: the last value of a run's metrics, epoch-level ones first. */
export function lastMetrics(record: RunRecord): string {
  // Epoch-level metrics (`loss`) before grouped ones (`batch/loss`, `sys/cpu_percent`).
  const rank = (name: string): number => (name.includes('/') ? (name.startsWith('batch/') ? 1 : 2) : 0);
  const names = Object.keys(record.summary).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const shown = names.slice(0, MAX_METRICS).map((name) => `${safeText(name)}=${safeText(formatValue(record.summary[name]!.last))}`);
  if (names.length > MAX_METRICS) shown.push(`+${names.length - MAX_METRICS} more`);
  return shown.join(' ');
}

/**
 * The summary table and the errors of failed jobs.
 *
 * @example
 * renderSummary(outcomes, process.cwd());
 * // JOB  PARAMS   STATUS     DURATION  NOTEBOOK                         RUN                      RUN STATUS  LAST METRICS
 * // 1    lr=0.1   completed  4.2s      train.run-20260112-093005-1.ipynb 20260112-093006123-ab3de completed   loss=0.12
 */
export function renderSummary(outcomes: readonly JobOutcome[], cwd: string): string {
  const rows: string[][] = [];
  for (const { progress, output, runs } of outcomes) {
    const duration = progress.startedAt !== null && progress.endedAt !== null ? formatDuration(progress.endedAt - progress.startedAt) : '';
    const job = [String(progress.number), truncate(paramsLabel(progress.params), 40), progress.state, duration, safeText(path.relative(cwd, output) || output)];
    if (runs.length === 0) rows.push([...job, '—', '', '']);
    runs.forEach((run, i) => rows.push([...(i === 0 ? job : job.map(() => '')), run.record.id, run.status, lastMetrics(run.record)]));
  }
  const table = renderTable(['JOB', 'PARAMS', 'STATUS', 'DURATION', 'NOTEBOOK', 'RUN', 'RUN STATUS', 'LAST METRICS'], rows);
  const errors = outcomes.flatMap(({ progress }) => failureLines(progress));
  const counts = countStates(outcomes.map((o) => o.progress));
  return [table, ...(errors.length > 0 ? ['', ...errors] : []), '', counts].join('\n');
}

function failureLines(progress: JobProgress): string[] {
  const lines: string[] = [];
  if (progress.failure) {
    const where = progress.failure.cell === null ? 'the kernel' : `cell ${progress.failure.cell + 1}`;
    lines.push(`job ${progress.number} (${paramsLabel(progress.params)}) failed in ${where}: ${safeText(progress.failure.ename)}: ${safeText(progress.failure.evalue)}`);
  }
  for (const note of progress.notes) lines.push(`job ${progress.number} (${paramsLabel(progress.params)}): ${safeText(note)}`);
  return lines;
}

function countStates(progresses: readonly JobProgress[]): string {
  const counts = new Map<string, number>();
  for (const progress of progresses) counts.set(progress.state, (counts.get(progress.state) ?? 0) + 1);
  const parts = [...counts.entries()].map(([state, count]) => `${count} ${state}`);
  return `${progresses.length} job${progresses.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
