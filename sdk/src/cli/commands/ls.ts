import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../errors.js';
import { listHubRuns, type HubListOptions } from '../hubViews.js';
import { selectStores } from '../stores.js';
import { safeText } from '../text.js';
import { renderArchivedList, renderRunList } from '../views.js';

/** `trainbook ls`: the runs of the stores in a folder. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('ls')
    .description('list runs: status, duration, key params and last metrics')
    .argument('[stores...]', 'store folders or notebooks (default: the stores in the current folder)')
    .option('--json', 'print JSON for machines')
    .option('--hub [url]', 'list the team hub\'s runs instead (default URL: TRAINBOOK_HUB); with --runs <query>, --sort <column>, --desc, --limit <n>')
    .option('--runs <query>', 'with --hub: which runs, in the runs panel\'s query language (loss < 0.3 and optimizer.name = "adam")')
    .option('--sort <column>', 'with --hub: sort by status, name, started, param:<key>, metric:<name> or a field')
    .option('--desc', 'with --hub: sort descending')
    .option('--limit <n>', 'with --hub: at most this many runs (default 200; 0 for all)')
    .action(async (stores: string[], options: HubListOptions & { json?: boolean }) => {
      if (options.hub !== undefined) return setExit(await listHubRuns(io, options));
      const selected = selectStores(stores, io.cwd);
      const listed = selected.map((store) => ({ store, ...store.list() }));
      if (options.json) {
        io.out(
          `${JSON.stringify(
            listed.map(({ store, runs, problems }) => ({
              store: store.dir,
              notebook: store.manifest?.notebook ?? null,
              runs: runs.map((run) => ({ ...run.record, status: run.status, recordedStatus: run.record.status, dir: run.dir, archived: run.archive ?? null })),
              problems,
            })),
            null,
            2,
          )}\n`,
        );
      } else {
        for (const { store, runs, problems } of listed) {
          if (listed.length > 1) io.out(`${safeText(store.dir)}\n`);
          if (runs.length === 0) io.out(`No runs yet in ${safeText(store.dir)}. Call trainbook.init() in a notebook or script to record one.\n`);
          else {
            // Archived runs are listed apart, after the working ones.
            const active = runs.filter((run) => !run.archive);
            const archived = runs.filter((run) => run.archive);
            if (active.length > 0) io.out(`${renderRunList(active, io.now())}\n`);
            if (archived.length > 0) io.out(`${active.length > 0 ? '\n' : ''}Archived\n${renderArchivedList(archived, io.now())}\n`);
          }
          for (const problem of problems) io.err(`trainbook: skipped ${safeText(problem.runId)}: ${safeText(problem.reason)}\n`);
          if (listed.length > 1) io.out('\n');
        }
      }
      setExit(listed.some((entry) => entry.problems.length > 0) ? ExitCode.findings : ExitCode.ok);
    });
}
