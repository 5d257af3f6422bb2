/**
 * `trainbook report`, minus the command line: reads the selected runs from stores, builds the view
 * model, renders the charts and fills the templates. Returns the HTML; writing it is the caller's.
 */
import { StoreError, elapsedColumn, plannedBuckets, reduceForChart, type ChartSeriesInput } from 'trainbook/core';
import type { Store, RunSummary } from '../store/reader.js';
import { SDK_VERSION } from '../version.js';
import { BUILTIN_PAGE_SCRIPT, builtinPageScript, readTemplateFiles, vendorScripts, inlineScript, type InlineScript, type TemplateFile } from './assets.js';
import { buildReportModel, type ReportModel, type ReportProblem, type ReportRunInput } from './model.js';
import { renderChart } from './render.js';
import { parseRunQuery, selectRuns } from './select.js';
import { jsonForScript } from './escape.js';
import { compileTemplates, securePage, TemplateError } from './templates.js';

export interface ReportOptions {
  stores: readonly Store[];
  /** `--runs`: ids, names, prefixes and filters (see select.ts). */
  runs?: string | null;
  title?: string | null;
  templateDir?: string | null;
  now?: () => number;
  /** Progress lines for people ("reading 3 runs…"). */
  progress?: (line: string) => void;
  /**
   * `--allow-template-scripts`: let a `report.js` in `templateDir` replace the built-in one (its
   * hash then goes into the page's CSP and it runs). Off, the built-in script is used whatever
   * the template folder holds.
   */
  allowTemplateScripts?: boolean;
  /** Warnings for people, such as a template's script being run or left out. */
  warn?: (line: string) => void;
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

/**
 * The report's own script: the built-in `report.js`, or the template folder's when
 * `allowTemplateScripts` is set, with a warning either way the template brings one.
 */
export function clientScript(files: ReadonlyMap<string, TemplateFile>, allowTemplateScripts: boolean, warn: (line: string) => void): InlineScript {
  const own = files.get('report.js');
  if (own?.fromTemplate && allowTemplateScripts) {
    warn(`warning: running the template's own script ${own.file} in the report (--allow-template-scripts): it can read and change everything the report shows. Use this only with templates you trust.`);
    try {
      return inlineScript(own.file, own.source);
    } catch (error) {
      throw new TemplateError(own.file, null, (error as Error).message);
    }
  }
  if (own?.fromTemplate) warn(`the template's ${own.file} is not used: the built-in report.js runs instead. Pass --allow-template-scripts to run a template's own script (only for templates you trust).`);
  return inlineScript(BUILTIN_PAGE_SCRIPT, builtinPageScript());
}

/**
 * The page's Content-Security-Policy: no network, and only `scripts` (by hash) may run; a
 * template's inline scripts and event handlers never match. Pure.
 */
export function reportCsp(scripts: readonly InlineScript[]): string {
  return [
    "default-src 'none'",
    `script-src ${scripts.map((script) => script.hash).join(' ')}`,
    // vega-embed and its tooltip add <style> elements; styles cannot reach the network here.
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * Builds the report: the template renders the content; the builder itself writes the CSP (first
 * in `<head>`), the data block and the scripts around it (see securePage()).
 */
export async function buildReport(options: ReportOptions): Promise<ReportResult> {
  const progress = options.progress ?? (() => {});
  const now = options.now ?? Date.now;
  // Templates first: a broken template should fail before minutes of reading and rendering.
  const files = readTemplateFiles(options.templateDir);
  const templates = compileTemplates(files);
  const client = clientScript(files, options.allowTemplateScripts ?? false, options.warn ?? (() => {}));
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
    ? selectRuns(listed.map((entry) => ({ ...entry, record: entry.run.record, status: entry.run.status, archive: entry.run.archive })), parseRunQuery(options.runs))
    : listed.map((entry) => ({ ...entry, record: entry.run.record, status: entry.run.status }));
  if (chosen.length === 0) throw new StoreError(`No run matches --runs ${JSON.stringify(options.runs)}. \`trainbook ls\` lists the runs.`);

  progress(`reading ${chosen.length} run${chosen.length === 1 ? '' : 's'}…`);
  const inputs: ReportRunInput[] = [];
  const seriesOfRuns: Array<Map<string, Omit<ChartSeriesInput, 'run'>>> = [];
  // Each series is reduced once, as it is read, to what its chart keeps (the summaries say how
  // many lines each chart gets), so a long run's full columns never stay in memory.
  const bucketsOf = plannedBuckets(chosen.map((entry) => Object.keys(entry.run.record.summary).filter((name) => (entry.run.record.summary[name]?.count ?? 0) > 0)));
  chosen.forEach((entry, i) => {
    const data = entry.store.read(entry.run.record.id);
    const series = new Map<string, Omit<ChartSeriesInput, 'run'>>();
    const startedAt = Date.parse(data.record.startedAt);
    for (const [name, columns] of data.series) {
      const elapsed = Number.isFinite(startedAt) ? { elapsed: elapsedColumn(columns.time, columns.length, startedAt) } : {};
      series.set(name, reduceForChart({ run: 0, metric: name, length: columns.length, step: columns.step, epoch: columns.epoch, value: columns.value, ...elapsed }, bucketsOf(name)));
    }
    seriesOfRuns.push(series);
    inputs.push({ record: data.record, status: data.status, series, problems: data.problems, store: storeLabel(entry.store), output: data.output });
    if (chosen.length >= 20 && (i + 1) % 20 === 0 && i + 1 < chosen.length) progress(`reading runs ${i + 1}/${chosen.length}…`);
  });
  // Where a run.json's summaries did not name a series its events hold (an import, a damaged or
  // hand-made record), its chart got more lines than planned: those lines go down to the chart's
  // share now, so the report stays within its point budget whatever the summaries say.
  const actualBucketsOf = plannedBuckets(seriesOfRuns.map((series) => [...series.keys()]));
  for (const series of seriesOfRuns) {
    for (const [name, reduced] of series) {
      const share = actualBucketsOf(name);
      if (share < bucketsOf(name)) series.set(name, reduceForChart({ ...reduced, run: 0 }, share));
    }
  }

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
    const rendered = await renderChart(model.chartModel, i);
    charts.push({ group: model.charts[i]!, index: i, svg: rendered.svg, vegaSpec: rendered.vegaSpec });
  }

  const data = {
    format: 1,
    title: model.title,
    generatedAt: model.generatedAt,
    runs: inputs.map((input, i) => {
      const { writer: _writer, ...record } = input.record;
      // id, name and archive name: what the page's links resolve with the core's run lookup.
      return { id: record.id, name: record.name, archive: chosen[i]!.run.archive?.name ?? null, label: model.runs[i]!.label, anchor: model.runs[i]!.anchor, status: input.status, record };
    }),
    // Each chart's compiled Vega spec holds its points: the page embeds it as it is.
    charts: charts.map((chart) => ({ group: chart.group.group, spec: chart.vegaSpec })),
  };

  const scripts: InlineScript[] = [...vendorScripts(), client];
  // The data block and scripts are the builder's, after everything the template renders.
  const end = [`<script type="application/json" id="report-data">${jsonForScript(data)}</script>`, ...scripts.map((script) => `<script>${script.code}</script>`), ''].join('\n');

  const rendered = templates.render('report', {
    ...model,
    charts: charts.map(({ group, index, svg }) => ({
      group: group.group,
      index,
      svg,
      runs: new Set(group.lines.map((line) => line.run)).size,
      metrics: [...new Set(group.lines.map((line) => line.metric))],
      logged: group.logged,
      drawn: group.drawn,
      notFinite: group.notFinite,
      notes: group.notes,
      downsampled: group.drawn + group.notFinite < group.logged,
    })),
    chartsSection: charts.length + model.fewPoints.length > 0,
    css: asset('report.css').source,
  });
  const html = securePage(rendered, { csp: reportCsp(scripts), end });
  progress(`done: ${inputs.length} runs, ${model.charts.length} charts, ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB`);
  return { html, model, problems: model.problems };
}
