/**
 * What `ls` and `show` print, built from run records alone (no I/O), so it is tested directly.
 */
import { type EventProblem, type RunRecord, outputTail, plainTerminalText, type RunOutput, isSystemMetric, formatBytes, hasName, nameValue, hasTags, tagTexts } from 'trainbook/core';
import type { RunSummary } from '../store/reader.js';
import { formatDuration, formatTime, formatValue, renderTable, safeText, truncate } from './text.js';

const MAX_PARAM_COLUMNS = 4;
const MAX_METRIC_COLUMNS = 4;

export function runDurationMs(record: RunRecord, now: number): number | null {
  const start = Date.parse(record.startedAt);
  const end = record.endedAt ? Date.parse(record.endedAt) : record.status === 'running' ? now : Date.parse(record.heartbeatAt);
  return Number.isFinite(start) && Number.isFinite(end) ? end - start : null;
}

/** Params worth a column: those whose values differ between runs (or the first few, for one run). */
export function keyParams(runs: readonly RunRecord[]): string[] {
  const keys = [...new Set(runs.flatMap((run) => Object.keys(run.params)))];
  if (runs.length <= 1) return keys.slice(0, MAX_PARAM_COLUMNS);
  const varying = keys.filter((key) => new Set(runs.map((run) => JSON.stringify(nameValue(run.params, key) ?? null))).size > 1);
  return varying.slice(0, MAX_PARAM_COLUMNS);
}

/** Metrics worth a column: epoch-level ones first (not `batch/...`), the most common first. */
export function keyMetrics(runs: readonly RunRecord[]): string[] {
  const counts = new Map<string, number>();
  for (const run of runs) for (const name of Object.keys(run.summary)) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts.entries()]
    .filter(([name]) => !isSystemMetric(name)) // system samples are not results
    .sort((a, b) => Number(a[0].startsWith('batch/')) - Number(b[0].startsWith('batch/')) || b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, MAX_METRIC_COLUMNS)
    .map(([name]) => name);
}

/** A run's tags in one cell: labels, then `key=value`, comma-separated. */
export function tagsCell(record: RunRecord): string {
  return tagTexts(record).map(safeText).join(', ');
}

/** The runs table of `ls`; a TAGS column when a run has tags (labels or key-value). */
export function renderRunList(runs: readonly RunSummary[], now: number): string {
  const records = runs.map((run) => run.record);
  const params = keyParams(records);
  const metrics = keyMetrics(records);
  const withTags = records.some(hasTags);
  const header = ['ID', 'NAME', 'STATUS', 'STARTED', 'DURATION', ...(withTags ? ['TAGS'] : []), ...params.map(safeText), ...metrics.map(safeText)];
  const rows = runs.map(({ record, status }) => [
    record.id,
    truncate(safeText(record.name), 28),
    status,
    formatTime(record.startedAt),
    formatDuration(runDurationMs(record, now)),
    ...(withTags ? [truncate(tagsCell(record), 28)] : []),
    ...params.map((key) => truncate(hasName(record.params, key) ? formatValue(record.params[key]) : '', 16)),
    ...metrics.map((name) => {
      const summary = nameValue(record.summary, name);
      return summary ? formatValue(summary.last) : '';
    }),
  ]);
  return renderTable(
    header.map((title) => truncate(title, 20)),
    rows,
  );
}

/** The "Archived" section of `ls`: the run table with each run's archive name in front. */
export function renderArchivedList(runs: readonly RunSummary[], now: number): string {
  const names = runs.map((run) => safeText(run.archive?.name ?? ''));
  const width = Math.max('ARCHIVE'.length, ...names.map((name) => [...name].length));
  return renderRunList(runs, now)
    .split('\n')
    .map((line, i) => `${(i === 0 ? 'ARCHIVE' : names[i - 1]!).padEnd(width)}  ${line}`)
    .join('\n');
}

export interface RunDetails {
  /** A RunData (as `show` passes) also brings the captured output. */
  summary: RunSummary & { output?: RunOutput };
  problems: EventProblem[];
  seriesLengths: Record<string, number>;
}

export function renderRunDetails({ summary, problems }: RunDetails, now: number): string {
  const { record, status } = summary;
  const out: string[] = [];
  const field = (label: string, value: string): void => {
    if (value) out.push(`${`${label}:`.padEnd(12)}${value}`);
  };
  out.push(`${safeText(record.name)}  (${record.id})`);
  field('status', status + (status !== record.status ? ` (recorded as ${record.status}; its writer is gone)` : ''));
  field('started', formatTime(record.startedAt));
  field('ended', formatTime(record.endedAt));
  field('duration', formatDuration(runDurationMs(record, now)));
  field('experiment', safeText(record.experiment ?? ''));
  field('group', safeText(record.group ?? ''));
  field('tags', tagsCell(record));
  field('notes', safeText(record.notes));
  field('notebook', safeText(record.notebook ?? ''));
  if (record.cell) field('cell', `${safeText(record.cell.id ?? '')} [${record.cell.executionCount ?? ' '}]`);
  field('folder', safeText(summary.dir));
  if (summary.archive) field('archived', `${safeText(summary.archive.name)} (${formatTime(summary.archive.archivedAt)})`);
  if (record.progress?.epochs) field('progress', `epoch ${record.progress.epoch ?? 0}/${record.progress.epochs}`);

  const section = (title: string, header: string[], rows: string[][]): void => {
    if (rows.length > 0) out.push('', title, indent(renderTable(header, rows)));
  };
  section('params', ['NAME', 'VALUE'], Object.entries(record.params).map(([key, value]) => [safeText(key), formatValue(value)]));
  section(
    'metrics',
    ['NAME', 'LAST', 'MIN', 'MAX', 'COUNT', 'STEP'],
    Object.entries(record.summary).map(([name, s]) => [safeText(name), formatValue(s.last), formatValue(s.min), formatValue(s.max), String(s.count), String(s.step)]),
  );
  section(
    'chronos (seconds)',
    ['NAME', 'AVG', 'MIN', 'MAX', 'SD', 'COUNT'],
    Object.entries(record.chronos).map(([name, c]) => [safeText(name), formatValue(c.avg), formatValue(c.min), formatValue(c.max), formatValue(c.sd), String(c.count)]),
  );
  section(
    'models',
    ['TAG', 'EPOCH', 'STEP', 'METRIC', 'SIZE', 'SAVED'],
    Object.entries(record.models ?? {}).map(([tag, m]) => [
      truncate(safeText(tag), 40),
      m.epoch === null ? '' : String(m.epoch),
      m.step === null ? '' : String(m.step),
      m.metric ? `${safeText(m.metric.name)}=${formatValue(m.metric.value)}` : '',
      formatBytes(m.bytes),
      formatTime(m.savedAt),
    ]),
  );
  if (record.error) {
    out.push('', `error: ${safeText(record.error.name)}: ${safeText(record.error.message)}`);
    if (record.error.stack) out.push(indent(record.error.stack.split('\n').map(safeText).join('\n')));
  }
  const lost = record.lost;
  if (lost && (lost.points > 0 || lost.records > 0)) {
    out.push('', `lost: ${lost.points} points, ${lost.records} records (${safeText(lost.firstError ?? '')})`);
  }
  out.push('', 'provenance');
  if (record.git) {
    out.push(
      indent(
        `git: ${record.git.commit?.slice(0, 12) ?? '?'} on ${safeText(record.git.branch ?? '?')}${record.git.dirty ? ` (dirty${record.git.diffFile ? `, diff in ${record.git.diffFile}` : ''}${record.git.diffTruncated ? ', cut' : ''})` : ''}`,
      ),
    );
  }
  if (record.env) {
    const env = record.env;
    out.push(indent(`node ${env.node} on ${env.os.platform} ${env.os.release} (${env.os.arch}), ${env.cpu.cores} × ${safeText(env.cpu.model)}, ${(env.memoryBytes / 2 ** 30).toFixed(1)} GiB`));
    if (env.tfjs) out.push(indent(`tfjs ${env.tfjs.version ?? '?'} backend ${env.tfjs.backend ?? '?'}`));
    for (const gpu of env.gpu) out.push(indent(`gpu ${safeText(gpu.name)} ${gpu.memoryMiB ?? '?'} MiB, driver ${gpu.driver ?? '?'}`));
    out.push(indent(`trainbook ${env.trainbook}`));
  }
  const output = summary.output;
  if (output && output.chunks.length > 0) {
    const tail = outputTail(output, OUTPUT_TAIL_CHARS);
    const lines = plainTerminalText(tail.text).replace(/\n$/, '').split('\n');
    const shown = lines.slice(-OUTPUT_TAIL_LINES);
    const earlier = tail.omittedChars > 0 || shown.length < lines.length ? ', last lines' : '';
    const dropped = record.output?.droppedBytes ?? 0;
    const cut = output.cutAfterBytes !== null ? `; cut after ${output.cutAfterBytes} bytes${dropped > 0 ? `, ${dropped} bytes dropped` : ''}` : '';
    out.push('', `output (stdout and stderr${earlier}${cut})`, indent(shown.map(safeText).join('\n')));
  }
  if (problems.length > 0) {
    out.push('', `damaged records (${problems.length}; every other record was read):`);
    for (const problem of problems.slice(0, 20)) out.push(indent(`line ${problem.line} (byte ${problem.offset}): ${problem.reason}`));
  }
  return out.join('\n');
}


/** How much of the captured output `show` prints: its end. */
export const OUTPUT_TAIL_LINES = 20;
const OUTPUT_TAIL_CHARS = 8_000;

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
