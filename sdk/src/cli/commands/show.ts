import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { hubStoresForRun } from '../hubViews.js';
import { seriesToJson } from '../seriesJson.js';
import { safeText } from '../text.js';
import { findRun, selectStores } from '../stores.js';
import { renderRunDetails } from '../views.js';

/** `trainbook show <run>`: everything about one run. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('show')
    .description('show everything about one run')
    .argument('<run>', 'run id, unique id prefix, or run name')
    .argument('[stores...]', 'store folders or notebooks (default: the stores in the current folder)')
    .option('--json', 'print JSON for machines')
    .option('--hub [url]', 'show a run of the team hub (default URL: TRAINBOOK_HUB)')
    .option('--series', 'with --json: also each metric\'s points as columns (step, time, epoch, value; NaN and ±Infinity as text)')
    .option('--max-points <n>', 'with --series: at most n points per metric, M4-reduced for charts (spikes kept)')
    .action(async (reference: string, stores: string[], options: { json?: boolean; hub?: string | boolean; series?: boolean; maxPoints?: string }) => {
      const maxPoints = options.maxPoints === undefined ? null : Number(options.maxPoints);
      if (maxPoints !== null && !(Number.isInteger(maxPoints) && maxPoints >= 4)) throw new UsageError(`--max-points takes a whole number of at least 4, not "${safeText(options.maxPoints ?? "")}".`);
      const { store, run } = findRun(options.hub !== undefined ? await hubStoresForRun(options.hub, reference) : selectStores(stores, io.cwd), reference);
      const data = store.read(run.record.id);
      const seriesLengths = Object.fromEntries([...data.series.values()].map((series) => [series.name, series.length]));
      if (options.json) {
        io.out(
          `${JSON.stringify(
            { ...data.record, status: data.status, recordedStatus: data.record.status, dir: data.dir, archived: data.archive ?? null, points: seriesLengths, problems: data.problems, tornTail: data.tornTail,
              ...(options.series ? { series: seriesToJson(data.series.values(), maxPoints) } : {}) },
            null,
            2,
          )}\n`,
        );
      } else {
        io.out(`${renderRunDetails({ summary: data, problems: data.problems, seriesLengths }, io.now())}\n`);
      }
      setExit(data.problems.length > 0 ? ExitCode.findings : ExitCode.ok);
    });
}
