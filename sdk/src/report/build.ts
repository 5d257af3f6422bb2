/**
 * `trainbook report`, minus the command line: reads the selected runs from stores, builds the view
 * model, renders the charts and fills the templates. Returns the HTML; writing it is the caller's.
 */
import { StoreError, isSystemMetric } from 'trainbook/core';
import type { Store, RunSummary } from '../store/reader.js';
import { SDK_VERSION } from '../version.js';
import { readTemplateFiles, vendorScripts, inlineScript, type InlineScript } from './assets.js';
import { elapsedSeries, reduceSeries, type ReducedSeries } from './chartData.js';
import { buildReportModel, type ReportModel, type ReportProblem, type ReportRunInput } from './model.js';
import { renderChart } from './render.js';
import { parseRunQuery, selectRuns } from './select.js';
import { compileTemplates, TemplateError } from './templates.js';

export interface ReportOptions {
  stores: readonly Store[];
  /** `--runs`: ids, names, prefixes and filters (see select.ts). */
  runs?: string | null;
  title?: string | null;
  templateDir?: string | null;
  now?: () => number;
  /** Progress lines for people ("reading 3 runs…"). */
  progress?: (line: string) => void;
}

export interface ReportResult {
  html: string;
  model: ReportModel;
  /** Damaged records found and skipped: the CLI exits 1 when there are any. */
  problems: ReportProblem[];
}

export function storeLabel(store: Store): string {
  return store.manifest?.notebook ?? store.dir.split(/[\\/]/).filter(Boolean).pop() ?? store.dir;
}

export function defaultTitle(stores: readonly Store[]): string {
  return `${stores.map(storeLabel).join(', ')} — trainbook report`;
}

export async function buildReport(options: ReportOptions): Promise<ReportResult> {
  const progress = options.progress ?? (() => {});
  const now = options.now ?? Date.now;
  // Templates first: a broken template should fail before minutes of reading and rendering.
  const files = readTemplateFiles(options.templateDir);
  const templates = compileTemplates(files);
  const asset = (name: string) => {
    const file = files.get(name);
    if (!file) throw new TemplateError(name, null, 'missing from the templates folder');
    return file;
  };

  const listed: Array<{ store: Store; run: RunSummary }> = [];
  const problems: ReportProblem[] = [];
  for (const store of options.stores) {
    const { runs, problems: storeProblems } = store.list();
    for (const run of runs) listed.push({ store, run });
    for (const problem of storeProblems) problems.push({ where: `${storeLabel(store)} ${problem.runId}`, reason: problem.reason });
  }
  if (listed.length === 0) {
    throw new StoreError(`No runs yet in ${options.stores.map((s) => s.dir).join(', ')}. Call trainbook.init() in a notebook or script to record one, then make the report.`);
  }
  const chosen = options.runs
    ? selectRuns(listed.map((entry) => ({ ...entry, record: entry.run.record, status: entry.run.status })), parseRunQuery(options.runs))
    : listed.map((entry) => ({ ...entry, record: entry.run.record, status: entry.run.status }));
  if (chosen.length === 0) throw new StoreError(`No run matches --runs ${JSON.stringify(options.runs)}. \`trainbook ls\` lists the runs.`);

  progress(`reading ${chosen.length} run${chosen.length === 1 ? '' : 's'}…`);
  const inputs: ReportRunInput[] = [];
  chosen.forEach((entry, i) => {
    const data = entry.store.read(entry.run.record.id);
    const series = new Map<string, ReducedSeries>();
    const startedAt = Date.parse(data.record.startedAt);
    for (const [name, columns] of data.series) {
      // System metrics are drawn over the seconds since the run started.
      series.set(name, reduceSeries(isSystemMetric(name) && Number.isFinite(startedAt) ? elapsedSeries(columns, startedAt) : columns));
    }
    inputs.push({ record: data.record, status: data.status, series, problems: data.problems, store: storeLabel(entry.store), output: data.output });
    if (chosen.length >= 20 && (i + 1) % 20 === 0 && i + 1 < chosen.length) progress(`reading runs ${i + 1}/${chosen.length}…`);
  });

  const model = buildReportModel({
    title: options.title || defaultTitle(options.stores),
    generatedAt: new Date(now()).toISOString(),
    version: SDK_VERSION,
    stores: options.stores.map((store) => ({ dir: store.dir, notebook: store.manifest?.notebook ?? null })),
    runs: inputs,
    problems,
  });

  const charts = [];
  for (let i = 0; i < model.charts.length; i++) {
    progress(`rendering charts ${i + 1}/${model.charts.length}…`);
    const chart = model.charts[i]!;
    const rendered = await renderChart(chart);
    charts.push({ ...chart, index: i, svg: rendered.svg, vegaSpec: rendered.vegaSpec });
  }

  const data = {
    format: 1,
    title: model.title,
    generatedAt: model.generatedAt,
    runs: inputs.map((input, i) => {
      const { writer: _writer, ...record } = input.record;
      return { id: record.id, label: model.runs[i]!.label, anchor: model.runs[i]!.anchor, status: input.status, record };
    }),
    charts: charts.map((chart) => ({ group: chart.group, runs: chart.runs, metrics: chart.metrics, columns: chart.columns, spec: chart.vegaSpec })),
  };

  const client = inlineScript(asset('report.js').file, asset('report.js').source);
  const scripts: InlineScript[] = [...vendorScripts(), client];
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map((script) => script.hash).join(' ')}`,
    // vega-embed and its tooltip add <style> elements; styles cannot reach the network here.
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  const html = templates.render('report', {
    ...model,
    charts: charts.map((chart) => ({
      group: chart.group,
      index: chart.index,
      svg: chart.svg,
      runs: chart.runs.length,
      metrics: chart.metrics,
      logged: chart.logged,
      drawn: chart.drawn,
      notFinite: chart.notFinite,
      downsampled: chart.drawn + chart.notFinite < chart.logged,
    })),
    csp,
    css: asset('report.css').source,
    scripts,
    data,
  });
  progress(`done: ${inputs.length} runs, ${model.charts.length} charts, ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB`);
  return { html, model, problems: model.problems };
}
