/**
 * The report's view model: from runs (records, statuses, series as columns) to what the templates
 * show — summary, runs table, parameter diff, one chart per metric group, each run's section and
 * the experiment cells' code. Pure: no I/O; every string stays raw here and the templates escape
 * it for its context.
 */
import { buildChartModel, type ChartGroup, type ChartModel, type ChartSeriesInput, isSystemMetric, isBetter, metricDirection, formatValue, paramDiff, runLabels, outputTail, plainTerminalText, type RunOutput, formatBytes, formatDuration as formatDurationText, type EventProblem, decodeNumber, formatNumber, type ParamValue, nameValue, hasTags, tagTexts, tagValueText, type EffectiveStatus, type RunRecord } from 'trainbook/core';
import { highlight } from './highlight.js';

export interface ReportRunInput {
  record: RunRecord;
  status: EffectiveStatus;
  /**
   * Each metric's points as chart columns (`run` is filled in here), possibly reduced for its
   * chart already (build.ts reduces each series once, as it reads, with `reduceForChart`).
   */
  series: ReadonlyMap<string, Omit<ChartSeriesInput, 'run'>>;
  problems: readonly EventProblem[];
  /** The store the run came from, as shown to people. */
  store: string;
  /** What the run's process printed (captured output), when read. */
  output?: RunOutput;
}

export interface ReportProblem {
  where: string;
  reason: string;
}

export interface ReportInput {
  title: string;
  generatedAt: string;
  version: string;
  stores: Array<{ dir: string; notebook: string | null }>;
  runs: readonly ReportRunInput[];
  /** Run folders that could not be read at all. */
  problems: readonly ReportProblem[];
}

export interface Cell {
  text: string;
  /** What the table sorts by: a number where the value is one, else the text. */
  sort: string | number;
  className?: string;
}

export interface RunView {
  id: string;
  /** `run=<id>`: the element id, so a `#run=<id>` link scrolls there even without scripts. */
  anchor: string;
  label: string;
  name: string;
  status: EffectiveStatus;
  recordedStatus: string;
  store: string;
  startedAt: string;
  endedAt: string;
  duration: string;
  /** Plain labels. */
  tags: string[];
  /** Key-value tags, values as text. */
  tagValues: Array<{ key: string; value: string }>;
  group: string | null;
  experiment: string | null;
  notes: string;
  params: Array<{ key: string; value: string; differs: boolean }>;
  metrics: Array<{ name: string; last: string; min: string; max: string; count: number }>;
  chronos: Array<{ name: string; avg: string; min: string; max: string; sd: string; count: number }>;
  error: { name: string; message: string; stack: string | null } | null;
  git: { commit: string; branch: string; dirty: boolean; diff: string } | null;
  env: Array<{ key: string; value: string }>;
  cell: { id: string | null; executionCount: number | null; codeAnchor: string | null } | null;
  lost: string | null;
  problems: string[];
  /** The tail of the captured output, ANSI codes stripped (the template escapes it). Null when nothing was captured. */
  output?: { text: string; note: string | null } | null;
  /** Each continuation of the run (`init({ resume })`), for people: "step 120, after crashed, 2024-… UTC". */
  resumes?: string[];
  /** Model snapshots saved with the run (`run.saveModel`, `run.keepBest`). */
  models?: Array<{ tag: string; epoch: string; kept: string; size: string; savedAt: string }>;
}

export interface ReportModel {
  title: string;
  generatedAt: string;
  version: string;
  stores: Array<{ dir: string; notebook: string | null }>;
  summary: {
    runs: number;
    statuses: Array<{ status: string; count: number }>;
    metrics: number;
    points: number;
    firstStart: string;
    lastEnd: string;
    best: Array<{ metric: string; value: string; run: string; anchor: string }>;
  };
  /** `tagColumn`: a "tags" column (after duration) when a run has tags; its cells come in that place. */
  table: { paramColumns: string[]; metricColumns: string[]; tagColumn: boolean; rows: Array<{ id: string; label: string; anchor: string; status: string; cells: Cell[]; /** The run's colour in every chart of the report. */ color: string }> };
  paramDiff: { runs: Array<{ label: string; anchor: string }>; rows: Array<{ key: string; differs: boolean; values: string[] }>; differing: number };
  /** The charts: one per metric group, runs overlaid, each run in its colour (`chartModel.runs[i].color`, in every chart and table). */
  chartModel: ChartModel;
  /** `chartModel.groups`. */
  charts: ChartGroup[];
  /** Metric groups whose lines hold at most {@link FEW_POINTS_AS_VALUES} points (a short run's system samples): listed as values, not drawn. */
  fewPoints: FewPointGroup[];
  runs: RunView[];
  code: Array<{ anchor: string; title: string; html: string; runs: Array<{ label: string; anchor: string }>; lines: number }>;
  problems: ReportProblem[];
}

/** Lines of at most this many points are shown as values instead of a chart. */
export const FEW_POINTS_AS_VALUES = 2;

export interface FewPointGroup {
  group: string;
  rows: Array<{ metric: string; run: string | null; values: string }>;
}

function isFewPoints(group: ChartGroup): boolean {
  return group.lines.length > 0 && group.longest <= FEW_POINTS_AS_VALUES;
}

/** A group's points as text: `40 at 0 s, 55 at 5 s` (system samples), `0.91 at step 3`. */
function fewPointValues(group: ChartGroup, withRun: boolean): FewPointGroup {
  const where = (x: number) => (group.xAxis === 'elapsed' ? `${formatNumber(Math.round(x * 10) / 10)} s` : `${group.xAxis} ${formatNumber(x)}`);
  return {
    group: group.group,
    rows: group.lines.map((line) => ({
      metric: line.metric,
      run: withRun ? line.runLabel : null,
      values: line.value.map((value, i) => `${formatNumber(value)} at ${where(line.x[i]!)}`).join(', '),
    })),
  };
}

export function runAnchor(id: string): string {
  return `run=${id}`;
}

/** The report's labels are the core's: the same run reads the same in the report and the compare view. */
export { runLabels };

/** Text for a param or metric value: the core's one formatter. */
export const displayValue = (value: ParamValue | undefined): string => formatValue(value);

function sortValue(value: ParamValue | undefined): string | number {
  if (typeof value === 'number') return value;
  return displayValue(value);
}

export function formatDuration(ms: number | null): string {
  return formatDurationText(ms, true);
}

function formatTime(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
}

function durationMs(record: RunRecord): number | null {
  const start = Date.parse(record.startedAt);
  const end = Date.parse(record.endedAt ?? record.heartbeatAt);
  return Number.isFinite(start) && Number.isFinite(end) ? end - start : null;
}

/** A metric the table shows: epoch-level metrics first, batch metrics only when nothing else exists. */
function tableMetrics(records: readonly RunRecord[]): string[] {
  const names = new Set<string>();
  for (const record of records) for (const name of Object.keys(record.summary)) names.add(name);
  // System metrics have their own charts; the table shows the user's metrics.
  const all = [...names].filter((name) => !isSystemMetric(name));
  const epochLevel = all.filter((name) => !name.startsWith('batch/'));
  return (epochLevel.length > 0 ? epochLevel : all).slice(0, 8);
}

/** For the summary: the best final value of each metric, in the direction the core's rule gives (`metricDirection`). */
function bestValues(runs: readonly ReportRunInput[], labels: string[], metrics: string[]): ReportModel['summary']['best'] {
  const best: ReportModel['summary']['best'] = [];
  for (const metric of metrics.slice(0, 4)) {
    const direction = metricDirection(metric);
    let chosen = -1;
    let chosenValue = NaN;
    runs.forEach((run, i) => {
      const summary = nameValue(run.record.summary, metric);
      if (!summary) return;
      const value = decodeNumber(summary.last);
      if (!Number.isFinite(value)) return;
      if (chosen < 0 || isBetter(direction, value, chosenValue)) {
        chosen = i;
        chosenValue = value;
      }
    });
    if (chosen >= 0) best.push({ metric, value: formatNumber(chosenValue), run: labels[chosen]!, anchor: runAnchor(runs[chosen]!.record.id) });
  }
  return best;
}

export function buildReportModel(input: ReportInput, options: { chartBudget?: number } = {}): ReportModel {
  const runs = input.runs;
  const records = runs.map((run) => run.record);
  const labels = runLabels(records);
  // The core's parameter diff (a param missing from a run differs), differing rows first.
  const diffRows = paramDiff(records);
  const differing = new Set(diffRows.filter((row) => row.differs).map((row) => row.key));
  const allParams = [...new Set(records.flatMap((record) => Object.keys(record.params)))];
  const paramColumns = (records.length > 1 ? allParams.filter((key) => differing.has(key)) : allParams).slice(0, 8);
  const metricColumns = tableMetrics(records);
  const tagColumn = records.some(hasTags);

  const statusCounts = new Map<string, number>();
  for (const run of runs) statusCounts.set(run.status, (statusCounts.get(run.status) ?? 0) + 1);
  const starts = records.map((record) => record.startedAt).filter(Boolean).sort();
  const ends = records.map((record) => record.endedAt ?? record.heartbeatAt).filter(Boolean).sort();
  let points = 0;
  for (const run of runs) for (const series of run.series.values()) points += series.logged ?? series.length;

  const rows = runs.map((run, i) => {
    const record = run.record;
    const cells: Cell[] = [
      { text: formatTime(record.startedAt), sort: record.startedAt },
      { text: formatDuration(durationMs(record)), sort: durationMs(record) ?? -1 },
      ...(tagColumn ? [{ text: tagTexts(record).join(', '), sort: tagTexts(record).join(', '), className: 'tags' }] : []),
      ...paramColumns.map((key) => ({ text: displayValue(nameValue(record.params, key)), sort: sortValue(nameValue(record.params, key)) })),
      ...metricColumns.map((name) => {
        const summary = nameValue(record.summary, name);
        const value = summary ? decodeNumber(summary.last) : NaN;
        return { text: summary ? formatNumber(value) : '—', sort: Number.isFinite(value) ? value : summary ? formatNumber(value) : '', className: 'num' };
      }),
    ];
    return { id: record.id, label: labels[i]!, anchor: runAnchor(record.id), status: run.status, cells, color: '' };
  });

  const diff = {
    runs: records.map((record, i) => ({ label: labels[i]!, anchor: runAnchor(record.id) })),
    rows: diffRows.map((row) => ({ key: row.key, differs: row.differs, values: row.values.map(displayValue) })),
    differing: differing.size,
  };

  // One chart per metric group, runs overlaid.
  const metricNames: string[] = [];
  for (const run of runs) for (const name of run.series.keys()) if (!metricNames.includes(name)) metricNames.push(name);
  const chartRuns = runs.map((run, i) => ({ id: run.record.id, label: labels[i]!, resumeSteps: (run.record.resumes ?? []).map((resume) => resume.fromStep) }));
  const chartSeries: ChartSeriesInput[] = [];
  runs.forEach((run, i) => {
    for (const series of run.series.values()) if ((series.logged ?? series.length) > 0) chartSeries.push({ ...series, run: i });
  });
  const allCharts = buildChartModel(chartRuns, chartSeries, { budget: options.chartBudget });
  // A chart of one or two points a line is a near-empty frame: those groups are shown as values.
  const fewPoints = allCharts.groups.filter(isFewPoints).map((group) => fewPointValues(group, chartRuns.length > 1));
  const chartModel: ChartModel = { ...allCharts, groups: allCharts.groups.filter((group) => !isFewPoints(group)) };
  const charts = chartModel.groups;
  // The runs table shows each run in the colour its lines have in every chart.
  rows.forEach((row, i) => {
    row.color = allCharts.runs[i]!.color;
  });

  // The experiment cells' code: each distinct source once, with the runs that executed it.
  const code: ReportModel['code'] = [];
  const codeIndex = new Map<string, number>();
  runs.forEach((run, i) => {
    const cell = run.record.cell;
    if (!cell || typeof cell.source !== 'string' || cell.source === '') return;
    const key = `${cell.id ?? ''}\u0000${cell.source}`;
    let index = codeIndex.get(key);
    if (index === undefined) {
      index = code.length;
      codeIndex.set(key, index);
      code.push({ anchor: `code-${index + 1}`, title: cell.id ? `cell ${cell.id}` : `cell ${index + 1}`, html: highlight(cell.source), runs: [], lines: cell.source.split('\n').length });
    }
    code[index]!.runs.push({ label: labels[i]!, anchor: runAnchor(run.record.id) });
  });

  const runViews: RunView[] = runs.map((run, i) => {
    const record = run.record;
    const cell = record.cell;
    const codeKey = cell && typeof cell.source === 'string' && cell.source !== '' ? `${cell.id ?? ''}\u0000${cell.source}` : null;
    const env = record.env;
    return {
      id: record.id,
      anchor: runAnchor(record.id),
      label: labels[i]!,
      name: record.name,
      status: run.status,
      recordedStatus: record.status,
      store: run.store,
      startedAt: formatTime(record.startedAt),
      endedAt: formatTime(record.endedAt),
      duration: formatDuration(durationMs(record)),
      tags: record.tags,
      tagValues: Object.entries(record.tagValues ?? {}).map(([key, value]) => ({ key, value: tagValueText(value) })),
      group: record.group,
      experiment: record.experiment,
      notes: record.notes,
      params: Object.keys(record.params).map((key) => ({ key, value: displayValue(record.params[key]), differs: differing.has(key) })),
      metrics: Object.entries(record.summary).map(([name, s]) => ({
        name,
        last: formatNumber(decodeNumber(s.last)),
        min: formatNumber(decodeNumber(s.min)),
        max: formatNumber(decodeNumber(s.max)),
        count: s.count,
      })),
      chronos: Object.entries(record.chronos).map(([name, c]) => ({ name, avg: seconds(c.avg), min: seconds(c.min), max: seconds(c.max), sd: seconds(c.sd), count: c.count })),
      error: record.error ? { name: record.error.name, message: record.error.message, stack: record.error.stack } : null,
      git: record.git
        ? {
            commit: record.git.commit ?? '(none)',
            branch: record.git.branch ?? '(detached)',
            dirty: record.git.dirty,
            diff: record.git.dirty ? `${record.git.diffBytes} bytes of uncommitted changes${record.git.diffTruncated ? ' (truncated)' : ''}` : '',
          }
        : null,
      env: env
        ? [
            { key: 'Node', value: env.node },
            { key: 'OS', value: `${env.os.platform} ${env.os.release} (${env.os.arch})` },
            { key: 'CPU', value: `${env.cpu.model} × ${env.cpu.cores}` },
            { key: 'Memory', value: `${(env.memoryBytes / 2 ** 30).toFixed(1)} GiB` },
            { key: 'Host', value: env.hostname },
            { key: 'tfjs', value: env.tfjs ? `${env.tfjs.version ?? '?'} (${env.tfjs.backend ?? 'no backend'})` : 'not loaded' },
            { key: 'GPU', value: env.gpu.length > 0 ? env.gpu.map((g) => `${g.name}${g.memoryMiB ? ` ${g.memoryMiB} MiB` : ''}`).join(', ') : 'none' },
            { key: 'trainbook', value: env.trainbook },
          ]
        : [],
      cell: cell ? { id: cell.id, executionCount: cell.executionCount, codeAnchor: codeKey !== null ? code[codeIndex.get(codeKey)!]!.anchor : null } : null,
      lost: record.lost && (record.lost.points > 0 || record.lost.records > 0) ? `${record.lost.points} points and ${record.lost.records} records could not be written${record.lost.firstError ? `: ${record.lost.firstError}` : ''}` : null,
      problems: run.problems.map((p) => `events.jsonl line ${p.line} (byte ${p.offset}): ${p.reason}`),
      output: outputView(run),
      resumes: (record.resumes ?? []).map((resume) => `resumed at step ${resume.fromStep}, after ${resume.fromStatus}, ${formatTime(resume.at)}`),
      models: Object.entries(record.models ?? {}).map(([tag, model]) => ({
        tag,
        epoch: model.epoch === null ? '' : String(model.epoch),
        kept: model.metric ? `${model.metric.name} ${formatNumber(decodeNumber(model.metric.value))}` : '',
        size: formatBytes(model.bytes),
        savedAt: formatTime(model.savedAt),
      })),
    };
  });

  const problems: ReportProblem[] = [...input.problems];
  for (const view of runViews) for (const reason of view.problems) problems.push({ where: view.label, reason });

  return {
    title: input.title,
    generatedAt: input.generatedAt,
    version: input.version,
    stores: input.stores,
    summary: {
      runs: runs.length,
      statuses: [...statusCounts].map(([status, count]) => ({ status, count })),
      metrics: metricNames.length,
      points,
      firstStart: formatTime(starts[0] ?? null),
      lastEnd: formatTime(ends[ends.length - 1] ?? null),
      best: bestValues(runs, labels, metricColumns),
    },
    table: { paramColumns, metricColumns, tagColumn, rows },
    paramDiff: diff,
    chartModel,
    charts,
    fewPoints,
    runs: runViews,
    code,
    problems,
  };
}

function seconds(value: number): string {
  return Number.isFinite(value) ? `${formatNumber(value)} s` : '';
}

/** Characters of captured output a report shows per run (the end, where failures are). */
export const REPORT_OUTPUT_CHARS = 64 * 1024;

function outputView(run: ReportRunInput): RunView['output'] {
  const output = run.output;
  if (!output || output.chunks.length === 0) return null;
  const tail = outputTail(output, REPORT_OUTPUT_CHARS);
  const notes: string[] = [];
  if (tail.omittedChars > 0) notes.push(`the last ${REPORT_OUTPUT_CHARS / 1024} Ki characters are shown; ${tail.omittedChars} earlier ones are in the store`);
  const dropped = run.record.output?.droppedBytes ?? 0;
  if (output.cutAfterBytes !== null) notes.push(`output cut after ${output.cutAfterBytes} bytes${dropped > 0 ? `; ${dropped} more bytes were not kept` : ''}`);
  return { text: plainTerminalText(tail.text), note: notes.length > 0 ? notes.join(' · ') : null };
}
