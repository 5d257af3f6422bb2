import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../errors.js';
import { hubUrl, withHub } from '../hubSession.js';
import { renderSweepStatus, sweepStatusExitCode } from '../sweepTable.js';

/** `trainbook sweep status|cancel <id>`: a queued sweep's jobs on the hub (see `run --queue` and `worker`). */
export function register(program: Command, { io, setExit }: CommandContext): void {
  const sweep = program.command('sweep').description('sweeps queued on the hub with `trainbook run --queue`: their jobs, attempts and runs');
  sweep
    .command('status')
    .description("each job's params and state, its attempts (worker, state, duration) and its run's status and last metrics; exit 1 when a job failed or was cancelled")
    .argument('<sweep>', 'sweep id, unique id prefix or name')
    .option('--hub <url>', 'the hub, a PostgreSQL URL (default: TRAINBOOK_HUB)')
    .option('--json', 'print JSON for machines')
    .action(async (reference: string, options: { hub?: string; json?: boolean }) => {
      await withHub(hubUrl(options.hub), async (hub, module) => {
        const status = await module.readSweepStatus(hub, await module.findSweepId(hub, reference));
        io.out(options.json ? `${JSON.stringify(status, null, 2)}\n` : `${renderSweepStatus(status)}\n`);
        setExit(sweepStatusExitCode(status));
      });
    });
  sweep
    .command('cancel')
    .description('cancel a sweep: its queued jobs are dropped, its running ones stopped at their next heartbeat (their runs end interrupted)')
    .argument('<sweep>', 'sweep id, unique id prefix or name')
    .option('--hub <url>', 'the hub, a PostgreSQL URL (default: TRAINBOOK_HUB)')
    .action(async (reference: string, options: { hub?: string }) => {
      await withHub(hubUrl(options.hub), async (hub, module) => {
        const id = await module.findSweepId(hub, reference);
        const { queued, running } = await module.cancelSweep(hub, id);
        io.out(`Cancelled sweep ${id}: ${queued} queued job${queued === 1 ? '' : 's'} dropped, ${running} running job${running === 1 ? '' : 's'} stopping at the next heartbeat.\n`);
      });
      setExit(ExitCode.ok);
    });
}
