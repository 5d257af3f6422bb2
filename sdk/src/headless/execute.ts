/**
 * The process side of `trainbook run`: checks the Jupyter installation, then runs each job's
 * notebook through the Python driver (sdk/python/execute_notebook.py), at most `parallel` at
 * once, each with its own kernel, passing on the driver's progress events. Stopping (Ctrl-C)
 * sends the drivers SIGTERM: each interrupts its cell and ends its kernel.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JupyterSetupError } from 'trainbook/core';
import { driverJob, type HeadlessJob } from './plan.js';
import { parseDriverEvent, type DriverEvent } from './progress.js';

/** sdk/python/execute_notebook.py, from sdk/src/headless or sdk/dist/headless alike. */
export const DRIVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'python', 'execute_notebook.py');

const INSTALL_HINT =
  'Run the notebook with the Python of your Jupyter installation (--jupyter-python /path/to/python or TRAINBOOK_PYTHON), or install JupyterLab there (pip install jupyterlab), then `npx trainbook jupyter install` for the TypeScript kernel.';

/**
 * Throws a JupyterSetupError that says what to install when the Python, its jupyter_client /
 * nbclient / nbformat, or the kernelspec is missing.
 *
 * @example
 * checkJupyter('/w/.venv/bin/python', 'tslab');
 */
export function checkJupyter(python: string, kernel: string, env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(python, [DRIVER, '--check', kernel], { encoding: 'utf8', env, timeout: 60_000 });
  judgeCheck(python, kernel, result);
}

/** {@link checkJupyter} without blocking the event loop (a worker's heartbeats go on meanwhile). */
export function checkJupyterAsync(python: string, kernel: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(python, [DRIVER, '--check', kernel], { encoding: 'utf8', env, timeout: 60_000 }, (error, stdout, stderr) => {
      const spawnError = error && typeof (error as NodeJS.ErrnoException).code === 'string' ? error : undefined;
      try {
        judgeCheck(python, kernel, { error: spawnError, stdout, stderr, status: spawnError ? null : (error?.code as number | undefined) ?? 0 });
        resolve();
      } catch (failure) {
        reject(failure);
      }
    });
  });
}

function judgeCheck(python: string, kernel: string, result: { error?: Error | undefined; stdout: string; stderr: string; status: number | null }): void {
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new JupyterSetupError(
      missing ? `No Python at "${python}" to run the notebook with. ${INSTALL_HINT}` : `Could not run ${python}: ${result.error.message}. ${INSTALL_HINT}`,
      { cause: result.error },
    );
  }
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  const check = parseDriverEvent(line) as { type: string; ok?: boolean; missing?: string[]; kernelspec?: string | null } | null;
  if (!check || check.type !== 'check') {
    throw new JupyterSetupError(`${python} could not run the notebook driver (exit ${result.status}): ${result.stderr.trim().split('\n').at(-1) ?? ''}. ${INSTALL_HINT}`);
  }
  if (check.missing && check.missing.length > 0) {
    throw new JupyterSetupError(`${python} lacks the Python modules ${check.missing.join(', ')} needed to run notebooks. ${INSTALL_HINT}`);
  }
  if (!check.kernelspec) {
    throw new JupyterSetupError(
      `The Jupyter installation of ${python} has no "${kernel}" kernel. Install the TypeScript kernel with \`npx trainbook jupyter install\` (add --prefix <venv> for a virtual environment), or pass --kernel <name>.`,
    );
  }
}

export interface ExecuteOptions {
  python: string;
  /** The folder the kernel runs in: the notebook's. */
  cwd: string;
  kernel: string;
  timeout: number | null;
  /** JPY_SESSION_NAME for the kernel: the notebook's path, so runs go to its sidecar store. */
  session: string;
  parallel: number;
  env?: NodeJS.ProcessEnv;
  onEvent: (job: HeadlessJob, event: DriverEvent) => void;
  /** Driver lines that are not events (its stderr, stray output): shown to help debugging. */
  onDiagnostic?: (job: HeadlessJob, text: string) => void;
  signal?: AbortSignal;
  /** Kill each job's kernel as soon as this process is gone (a worker killed with -9 leaves no kernel training). */
  dieWithParent?: boolean;
}

/** Runs every job; resolves when all have ended (a failed job is an event, not an exception). */
export async function executeJobs(jobs: readonly HeadlessJob[], options: ExecuteOptions): Promise<void> {
  const queue = [...jobs];
  const workers = Array.from({ length: Math.max(1, Math.min(options.parallel, jobs.length)) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      if (options.signal?.aborted) {
        options.onEvent(job, { type: 'end', status: 'interrupted', output: job.output });
        continue;
      }
      await executeJob(job, options);
    }
  });
  await Promise.all(workers);
}

function executeJob(job: HeadlessJob, options: ExecuteOptions): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(options.python, [DRIVER], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let ended = false;
    const onEvent = (event: DriverEvent): void => {
      if (event.type === 'end' || event.type === 'fatal') ended = true;
      options.onEvent(job, event);
    };
    const stop = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    options.signal?.addEventListener('abort', stop, { once: true });
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!line.trim()) continue;
        const event = parseDriverEvent(line);
        if (event) onEvent(event);
        else options.onDiagnostic?.(job, line);
      }
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      // Kept bounded: only the end is shown when the driver stops without saying why.
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (error) => {
      if (!ended) onEvent({ type: 'fatal', message: `could not start ${options.python}: ${error.message}` });
      options.signal?.removeEventListener('abort', stop);
      resolve();
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', stop);
      if (!ended) {
        const why = stderr.trim().split('\n').slice(-3).join(' | ');
        onEvent(
          options.signal?.aborted
            ? { type: 'end', status: 'interrupted', output: job.output }
            : { type: 'fatal', message: `the notebook driver stopped (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}` },
        );
      }
      resolve();
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(driverJob(job, { ...options, parentPid: options.dieWithParent ? process.pid : null })));
  });
}

/** Whether a path is an existing file (for output naming and Python lookup). */
export function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
