import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvalidValueError, flattenParams, mergeParams, type FlatParams, checkTagValues, mergeTagValues, STORE_FORMAT, type CellInfo, type RunRecord, type TagValue, newRunId } from 'trainbook/core';
import { readCellContext } from './cellContext.js';
import { RUNS_DIR, resolveStoreLocation } from '../store/paths.js';
import { RunFiles } from '../store/runFiles.js';
import { trackRun, untrackRun } from './lifecycle.js';
import { MAX_NAME_LENGTH } from './metricBuffer.js';
import { collectEnv, collectGit } from './provenance.js';
import { Run } from './run.js';
import { checkSeed, openRunToResume, type ResumeReference } from './resume.js';
import { findTslabJupyter } from '../live/tslabAdapter.js';
import { NotebookDisplay } from '../live/notebookDisplay.js';
import { LiveOutput } from '../live/liveOutput.js';
import { TerminalSink } from '../live/terminal.js';
import { SystemSampler, systemMetricsInterval, type SystemMetricsOption } from './systemMetrics.js';
import { outputCaptureLimit, RunOutputCapture, type CaptureOutputOption } from './outputCapture.js';
import { LiveHubPush, liveHubUrl } from './hubPush.js';
import { runDefaultsFromEnv } from './envDefaults.js';

export interface InitOptions {
  /** Shown in lists and charts; any text. Default: `<experiment or "run">-<n>`. */
  name?: string;
  /** The experiment this run belongs to (a tagged cell's name, a script's purpose). */
  experiment?: string;
  /** Runs that belong together (a sweep, a baseline). */
  group?: string;
  /** Plain labels, e.g. `['mnist', 'baseline']` (queried as `tag = "mnist"`). */
  tags?: string[];
  /**
   * Key-value tags, e.g. `{ workers: 8, hpo: 'byopt' }`: text, finite numbers, booleans or null
   * by key (structured values belong in params or metadata; anything else is refused with
   * `InvalidValueError`). Queried as `tags.workers = 8`; exported as a 'track' report's tags. A
   * resumed run keeps its own and adds these (a key given again takes the new value).
   */
  tagValues?: Record<string, TagValue>;
  notes?: string;
  metadata?: Record<string, unknown>;
  /** Hyperparameters; nested objects are stored with dotted keys (`optimizer.name`). */
  params?: Record<string, unknown>;
  /** Store folder. Default: `TRAINBOOK_DIR`, else the notebook's sidecar store, else `./.trainbook`. */
  dir?: string;
  /** The notebook this run belongs to, when it cannot be learned from the kernel. */
  notebook?: string;
  /** The notebook cell that started the run. */
  cell?: Partial<CellInfo>;
  /** Record git commit/branch/dirty and the diff (default true). */
  git?: boolean;
  /**
   * Live display: 'auto' (default) shows the run as a live cell output inside a tslab kernel and
   * as a progress line on stderr elsewhere; false shows nothing. `TRAINBOOK_DISPLAY=off` also
   * turns it off.
   */
  display?: 'auto' | false;
  /**
   * Continue a run instead of starting one (after a kernel restart or a crash): `'last'` (the most
   * recently started run of the store) or a run id, unique id prefix or name. Steps, epochs
   * (`run.resumeEpoch`), summaries, params and seed go on from what is stored; model weights are
   * yours to restore.
   */
  resume?: ResumeReference;
  /** The random seed of this run, stored with it (and given back by `run.seed` after a resume). */
  seed?: number;
  /**
   * Sample CPU, memory and GPU use (`sys/...` metrics, drawn over wall time) while the run is
   * active: every 5 s by default, `{ intervalMs }` to change it, false (or
   * `TRAINBOOK_SYSTEM_METRICS=off`) for none.
   */
  systemMetrics?: SystemMetricsOption;
  /**
   * Keep what the process prints to stdout and stderr while the run is active: up to 1 MiB by
   * default, `{ maxBytes }` to change it, false (or `TRAINBOOK_CAPTURE_OUTPUT=off`) for none.
   */
  captureOutput?: CaptureOutputOption;
  /**
   * Push the run to a team hub while it trains (a PostgreSQL URL; default `TRAINBOOK_HUB`; false
   * for none): in the background, a few seconds behind, never blocking `log()`; `finish()` waits
   * for the last push. The URL is never stored in the run.
   */
  hub?: string | false;
}

/**
 * Starts recording a run and returns its handle.
 *
 * @example
 * import * as trainbook from 'trainbook';
 * const run = trainbook.init({ name: 'mlp', tags: ['mnist'], tagValues: { workers: 8 }, params: { lr: 1e-3, optimizer: { name: 'adam' } } });
 * run.log({ loss: 0.31 }, { step: 1 });
 * await run.finish();
 *
 * // After a kernel restart: continue the most recent run (restore the model's weights yourself).
 * const again = trainbook.init({ resume: 'last' });
 * await model.fit(x, y, { initialEpoch: again.resumeEpoch, epochs: 20, callbacks: again.tfCallback() });
 */
export function init(options: InitOptions = {}): Run {
  // A cell tagged as an experiment in JupyterLab: its context fills in what the call leaves out.
  const context = readCellContext();
  const params: FlatParams = mergeParams(
    context ? flattenParams(context.params) : {},
    options.params === undefined ? {} : flattenParams(options.params),
  );
  const name = options.name ?? undefined;
  if (name !== undefined && (typeof name !== 'string' || name.length > MAX_NAME_LENGTH)) {
    throw new InvalidValueError(`Run name must be a string of at most ${MAX_NAME_LENGTH} characters.`);
  }
  const tags = [...new Set((options.tags ?? []).map((tag) => String(tag)))];
  const fromEnv = runDefaultsFromEnv();
  const given = options.tagValues === undefined ? undefined : checkTagValues(options.tagValues);
  const tagValues = Object.keys(fromEnv.tagValues).length > 0 ? mergeTagValues(fromEnv.tagValues, given) : given;
  const samplingInterval = systemMetricsInterval(options.systemMetrics);
  const outputLimit = outputCaptureLimit(options.captureOutput);
  const location = resolveStoreLocation({ dir: options.dir, notebook: options.notebook ?? (context?.notebook ? path.basename(context.notebook) : null) });
  const seed = checkSeed(options.seed);
  if (options.resume !== undefined) {
    let resumed: Run | undefined;
    const opened = openRunToResume(location.dir, options.resume, { params, seed, tags, notes: options.notes, metadata: options.metadata }, (error) =>
      resumed?.reportWriteFailure(error),
    );
    if (tagValues) opened.record.tagValues = mergeTagValues(opened.record.tagValues, tagValues);
    resumed = new Run(opened.record, opened.files, untrackRun, opened.state);
    return started(resumed, options, samplingInterval, outputLimit);
  }
  const id = newRunId();
  let run: Run | undefined;
  const files = RunFiles.create(location.dir, location.notebook, id, (error) => run?.reportWriteFailure(error));
  const cwd = process.cwd();
  const now = new Date().toISOString();
  const record: RunRecord = {
    format: STORE_FORMAT,
    id,
    name: name ?? defaultName(location.dir, options.experiment ?? context?.experiment ?? undefined),
    experiment: options.experiment ?? context?.experiment ?? null,
    group: options.group ?? fromEnv.group,
    tags,
    // Absent when there are none, as in records written before key-value tags existed.
    ...(tagValues && Object.keys(tagValues).length > 0 ? { tagValues } : {}),
    notes: options.notes ?? '',
    metadata: options.metadata ? (JSON.parse(JSON.stringify(options.metadata)) as Record<string, unknown>) : {},
    params,
    notebook: location.notebook,
    cell: options.cell
      ? { id: options.cell.id ?? null, source: options.cell.source ?? null, executionCount: options.cell.executionCount ?? null }
      : (context?.cell ?? null),
    git: options.git === false ? null : collectGit(cwd, files.runDir),
    env: collectEnv(cwd),
    status: 'running',
    startedAt: now,
    endedAt: null,
    heartbeatAt: now,
    summary: {},
    chronos: {},
    progress: null,
    error: null,
    lost: { points: 0, records: 0, firstError: null },
    writer: { pid: process.pid, host: os.hostname() },
    seed,
  };
  run = new Run(record, files, untrackRun);
  return started(run, options, samplingInterval, outputLimit);
}

/** A new or resumed run, tracked for process exit, with its display and recorders. */
function started(run: Run, options: InitOptions, samplingInterval: number | null, outputLimit: number | null): Run {
  trackRun(run);
  if (options.display !== false && process.env.TRAINBOOK_DISPLAY !== 'off') attachDisplay(run);
  attachRecorders(run, samplingInterval, outputLimit);
  const hub = liveHubUrl(options.hub);
  if (hub) run.attach(new LiveHubPush(hub, run.dir, run.id));
  return run;
}

function defaultName(storeDir: string, experiment: string | undefined): string {
  let count = 0;
  try {
    count = fs.readdirSync(path.join(storeDir, RUNS_DIR)).length;
  } catch {
    // A new store: this is the first run.
  }
  return `${experiment ?? 'run'}-${count}`;
}

/** In a tslab kernel: one cell output updated in place; elsewhere: progress on stderr. */
function attachDisplay(run: Run): void {
  if (findTslabJupyter()) {
    // Attached, so that finish() waits for the final picture of the charts.
    const display = new NotebookDisplay();
    new LiveOutput(run, display);
    run.attach(display);
  } else {
    new LiveOutput(run, new TerminalSink());
  }
}

/** System metrics and output capture, from now until the run finishes. */
function attachRecorders(run: Run, samplingInterval: number | null, outputLimit: number | null): void {
  if (outputLimit !== null) run.attach(new RunOutputCapture(outputLimit));
  if (samplingInterval !== null) {
    const sampler = new SystemSampler((values, index, time) => run.logSystem(values, index, time), { intervalMs: samplingInterval });
    sampler.start();
    run.attach(sampler);
  }
}
