import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { hubUrl, loadHub } from '../hubSession.js';
import { safeText } from '../text.js';
import { resolvePython, statFacts } from '../../headless/python.js';
import { runWorker } from '../../headless/worker.js';

interface WorkerCliOptions {
  hub?: string;
  sweep?: string;
  maxJobs?: string;
  exitWhenEmpty?: boolean;
  parallel: string;
  leaseSeconds?: string;
  heartbeatSeconds?: string;
  jupyterPython?: string;
}

function positive(text: string | undefined, option: string, integer: boolean): number | null {
  if (text === undefined) return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${option} expects a positive ${integer ? 'whole number' : 'number'}, got ${JSON.stringify(text)}.`);
  }
  return value;
}

/** `trainbook worker`: runs the jobs of sweeps queued on the hub (`trainbook run --queue`), here. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('worker')
    .description("take jobs of sweeps queued on the hub one at a time and run each headless here, as `trainbook run` does (start it in the project's folder); its runs are pushed to the hub live")
    .option('--hub <url>', 'the hub, a PostgreSQL URL (default: TRAINBOOK_HUB)')
    .option('--sweep <id>', "only this sweep's jobs (default: any sweep's, oldest first)")
    .option('--max-jobs <n>', 'stop after taking n jobs')
    .option('--exit-when-empty', 'stop when no job is queued or running (default: wait for new ones)')
    .option('--parallel <n>', 'jobs to run at once, each with its own kernel', '1')
    .option('--lease-seconds <s>', "how long a job stays this worker's without a heartbeat (a dead worker's job goes back to the queue after it)", '30')
    .option('--heartbeat-seconds <s>', 'how often the lease is renewed (default: 5, or a third of the lease when shorter)')
    .option('--jupyter-python <path>', "Python of the Jupyter installation (default: TRAINBOOK_PYTHON, your own .venv in this folder or the project root, python3)")
    .action(async (options: WorkerCliOptions) => {
      const url = hubUrl(options.hub);
      const leaseSeconds = positive(options.leaseSeconds, '--lease-seconds', false)!;
      const heartbeatSeconds = positive(options.heartbeatSeconds, '--heartbeat-seconds', false) ?? Math.min(5, leaseSeconds / 3);
      if (heartbeatSeconds >= leaseSeconds) throw new UsageError(`--heartbeat-seconds (${heartbeatSeconds}) must be shorter than --lease-seconds (${leaseSeconds}), or the lease runs out between heartbeats.`);
      const parallel = positive(options.parallel, '--parallel', true)!;
      const env = { ...process.env };
      const { python, warnings } = resolvePython({ option: options.jupyterPython, notebookDir: io.cwd, env, stat: statFacts, uid: process.getuid?.() ?? null });
      for (const warning of warnings) io.err(`trainbook: warning: ${safeText(warning)}\n`);

      const module = await loadHub();
      // Per job: its heartbeat and the last pushes; plus claiming and the listening connection.
      const hub = module.openHub(url, { max: 2 * parallel + 2 });
      const controller = new AbortController();
      const onSigint = (): void => {
        if (!controller.signal.aborted) io.err('\ntrainbook worker: stopping: interrupting the running jobs and giving them back to the queue…\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      try {
        const result = await runWorker(module, hub, {
          hubUrl: url,
          sweepId: options.sweep ? await module.findSweepId(hub, options.sweep) : null,
          maxJobs: positive(options.maxJobs, '--max-jobs', true),
          exitWhenEmpty: Boolean(options.exitWhenEmpty),
          parallel,
          leaseSeconds,
          heartbeatSeconds,
          pollMs: 500,
          cwd: io.cwd,
          python,
          env,
          log: io.err,
          signal: controller.signal,
        });
        const counts = new Map<string, number>();
        for (const job of result.jobs) counts.set(job.state, (counts.get(job.state) ?? 0) + 1);
        io.err(`trainbook worker: ran ${result.jobs.length} job${result.jobs.length === 1 ? '' : 's'}${counts.size > 0 ? `: ${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}` : ''}\n`);
        setExit(result.jobs.every((job) => job.state === 'completed') && !controller.signal.aborted ? ExitCode.ok : ExitCode.findings);
      } finally {
        process.removeListener('SIGINT', onSigint);
        process.removeListener('SIGTERM', onSigint);
        await hub.close();
      }
    });
}
