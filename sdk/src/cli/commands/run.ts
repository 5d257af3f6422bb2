import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { safeText } from '../text.js';
import { PARAMETERS_TAG } from 'trainbook/core';
import { storeDirForNotebook } from '../../store/paths.js';
import { expandGrid } from '../../headless/grid.js';
import { parseGridAxis, parseParamAssignment, type GridAxis } from '../../headless/params.js';
import { cellTags, parseNotebook, type NotebookJson } from '../../headless/notebook.js';
import { outputPaths } from '../../headless/naming.js';
import { planJobs, type HeadlessJob } from '../../headless/plan.js';
import { resolvePython, statFacts } from '../../headless/python.js';
import { checkJupyter, executeJobs, isFile } from '../../headless/execute.js';
import { noteCellTiming, type CellTiming } from '../../headless/executions.js';
import { jobOutcomes, listStoreRuns, recordExecutions } from '../../headless/outcomes.js';
import { applyEvent, eventLine, newProgress, paramsLabel, renderProgress, type JobProgress } from '../../headless/progress.js';
import { renderSummary } from '../../headless/summary.js';
import { valueSource } from '../../headless/inject.js';
import { hubUrl } from '../hubSession.js';
import { queueSweep } from '../queueSweep.js';

interface RunOptions {
  param: string[];
  grid: string[];
  parallel: string;
  output?: string;
  timeout?: string;
  jupyterPython?: string;
  kernel?: string;
  queue?: boolean;
  hub?: string;
  name?: string;
  retries?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `trainbook run`: executes a notebook headless through a Jupyter kernel, with injected parameters. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('run')
    .description('run a notebook without a browser through its Jupyter kernel, with parameters; save the executed copy and summarize its runs')
    .argument('<notebook>', 'the .ipynb to run (it is not changed)')
    .option('-p, --param <key=value>', 'set a parameter (a JSON literal, else a string); repeatable', collect, [])
    .option('--grid <key=v1,v2>', 'run every combination of these values; repeatable', collect, [])
    .option('--parallel <n>', 'notebooks to run at once, each with its own kernel', '1')
    .option('-o, --output <path>', 'where to save the executed notebook (numbered -1, -2, ... for several jobs)')
    .option('--timeout <seconds>', 'stop a cell that runs longer than this')
    .option('--jupyter-python <path>', "Python of the Jupyter installation (default: TRAINBOOK_PYTHON, your own .venv in the notebook's folder or project root, python3)")
    .option('--kernel <name>', "kernel to run (default: the notebook's kernelspec, else tslab)")
    .option('--queue', 'do not run here: put one job per grid point on the hub for `trainbook worker` processes, and exit')
    .option('--hub <url>', 'the hub to queue the sweep on, a PostgreSQL URL (default: TRAINBOOK_HUB)')
    .option('--name <name>', "the sweep's name (with --queue; default: the notebook's name and the time)")
    .option('--retries <n>', 'run a failed job again up to n times (with --queue; default 0)')
    .action(async (notebookArg: string, options: RunOptions) => {
      setExit(await runNotebook(notebookArg, options, io));
    });
}

function positiveNumber(text: string | undefined, option: string, integer: boolean): number | null {
  if (text === undefined) return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${option} expects a positive ${integer ? 'whole number' : 'number'}, got ${JSON.stringify(text)}.`);
  }
  return value;
}

function readNotebook(file: string): NotebookJson {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read the notebook ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Pass the path of an .ipynb file.`);
  }
  return parseNotebook(text, path.basename(file));
}

function defaultKernel(nb: NotebookJson): string {
  const spec = nb.metadata.kernelspec as { name?: unknown } | undefined;
  return typeof spec?.name === 'string' && /^[\w.-]+$/.test(spec.name) ? spec.name : 'tslab';
}

async function runNotebook(notebookArg: string, options: RunOptions, io: CommandContext['io']): Promise<number> {
  const notebook = path.resolve(io.cwd, notebookArg);
  const parallel = positiveNumber(options.parallel, '--parallel', true)!;
  const timeout = positiveNumber(options.timeout, '--timeout', false);
  const fixed = Object.fromEntries(options.param.map((text) => parseParamAssignment(text)).map(({ key, value }) => [key, value]));
  const axes: GridAxis[] = options.grid.map(parseGridAxis);
  const paramSets = expandGrid(fixed, axes);
  const nb = readNotebook(notebook);
  const outputs = outputPaths({ notebook, count: paramSets.length, now: new Date(io.now()), explicit: options.output === undefined ? undefined : path.resolve(io.cwd, options.output), exists: isFile });
  const jobs = planJobs(nb, path.basename(notebook), paramSets, outputs);
  warnAboutParameters(nb, jobs[0]!, Object.keys(paramSets[0] ?? {}), io);
  if (options.queue) {
    const retries = options.retries === undefined ? 0 : Number(options.retries);
    if (!Number.isInteger(retries) || retries < 0) throw new UsageError(`--retries expects a whole number, got ${JSON.stringify(options.retries)}.`);
    if (options.output !== undefined) throw new UsageError('-o does not go with --queue: each worker saves its executed notebook beside the notebook.');
    const content = fs.readFileSync(notebook, 'utf8');
    await queueSweep({ notebook, content, nb, paramSets, kernel: options.kernel ?? defaultKernel(nb), timeout, retries, name: options.name, hubUrl: hubUrl(options.hub) }, io);
    return ExitCode.ok;
  }
  if (options.hub !== undefined || options.name !== undefined || options.retries !== undefined) throw new UsageError('--hub, --name and --retries go with --queue.');

  const env = { ...process.env };
  const { python, warnings } = resolvePython({ option: options.jupyterPython, notebookDir: path.dirname(notebook), env, stat: statFacts, uid: process.getuid?.() ?? null });
  for (const warning of warnings) io.err(`trainbook: warning: ${safeText(warning)}\n`);
  const kernel = options.kernel ?? defaultKernel(nb);
  checkJupyter(python, kernel, env);
  for (const folder of new Set(outputs.map((file) => path.dirname(file)))) fs.mkdirSync(folder, { recursive: true });

  const storeDir = storeDirForNotebook(notebook);
  const before = new Set(listStoreRuns(storeDir).map((run) => run.record.id));
  const progress = new Map<HeadlessJob, JobProgress>(jobs.map((job) => [job, newProgress(job.number, job.params, job.cells)]));
  const timings = new Map<HeadlessJob, Map<number, CellTiming>>(jobs.map((job) => [job, new Map()]));
  const display = new ProgressDisplay(io, [...progress.values()], Boolean(process.stderr.isTTY));
  const controller = new AbortController();
  const onSigint = (): void => {
    if (!controller.signal.aborted) io.err('\ntrainbook: stopping: interrupting the cells and shutting the kernels down…\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  display.start();
  try {
    await executeJobs(jobs, {
      python,
      cwd: path.dirname(notebook),
      kernel,
      timeout,
      session: notebook,
      parallel,
      env,
      signal: controller.signal,
      onEvent: (job, event) => {
        const now = io.now();
        noteCellTiming(timings.get(job)!, event, now);
        const next = applyEvent(progress.get(job)!, event, now);
        progress.set(job, next);
        display.update(job.number - 1, next, event, now);
      },
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
    display.stop();
  }

  for (const job of jobs) recordExecutions(job, progress.get(job)!, timings.get(job)!, storeDir, path.basename(notebook), io.err);
  const outcomes = jobOutcomes(jobs, progress, storeDir, before);
  io.out(`${renderSummary(outcomes, io.cwd)}\n`);
  return outcomes.every((outcome) => outcome.progress.state === 'completed') ? ExitCode.ok : ExitCode.findings;
}

/** Says which params the notebook declares, and warns about keys it does not or values of another type. */
function warnAboutParameters(nb: NotebookJson, job: HeadlessJob, keys: string[], io: CommandContext['io']): void {
  const { declared, problems, parametersIndex } = job.injection;
  const hasParametersCell = nb.cells.some((cell) => cell.cell_type === 'code' && cellTags(cell).includes(PARAMETERS_TAG));
  if (!hasParametersCell) {
    if (keys.length > 0) io.err(`trainbook: warning: no cell is tagged "${PARAMETERS_TAG}"; the injected parameters go into a new first cell.\n`);
    return;
  }
  io.err(`trainbook: the parameters cell (cell ${parametersIndex! + 1}) declares ${paramsLabel(declared)}\n`);
  for (const problem of problems) io.err(`trainbook: warning: parameters cell, line ${problem.line}: ${safeText(problem.message)}\n`);
  for (const key of job.injection.undeclared) {
    io.err(`trainbook: warning: the parameters cell does not declare "${safeText(key)}"; it is injected anyway (check its spelling).\n`);
  }
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(declared, key)) continue;
    const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
    if (kind(declared[key]) !== kind(job.params[key])) {
      io.err(`trainbook: warning: "${safeText(key)}" is declared as ${kind(declared[key])} (${safeText(valueSource(declared[key]))}) but given as ${kind(job.params[key])}; quote strings as '"text"' or fix the value.\n`);
    }
  }
}

/** Progress on stderr: a block redrawn in place on a terminal, a line per event otherwise. */
class ProgressDisplay {
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly io: CommandContext['io'],
    private readonly progresses: JobProgress[],
    private readonly tty: boolean,
  ) {}

  start(): void {
    if (!this.tty) return;
    this.draw();
    // Elapsed times move on between events.
    this.timer = setInterval(() => this.draw(), 500);
    this.timer.unref();
  }

  update(index: number, progress: JobProgress, event: Parameters<typeof eventLine>[1], now: number): void {
    this.progresses[index] = progress;
    if (this.tty) {
      this.draw();
      return;
    }
    const line = eventLine(progress, event, this.progresses.length, now);
    if (line !== null) this.io.err(`${line}\n`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) this.draw();
  }

  private draw(): void {
    const width = process.stderr.columns ?? 100;
    const block = renderProgress(this.progresses, this.io.now(), width);
    // Back to the first line of the previous block, clear to the end of the screen, draw again.
    const up = this.drawn > 0 ? `\u001b[${this.drawn}F\u001b[0J` : '';
    this.io.err(`${up}${block}\n`);
    this.drawn = block.split('\n').length;
  }
}
