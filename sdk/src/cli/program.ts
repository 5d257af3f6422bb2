import { Command, CommanderError } from 'commander';
import { SDK_VERSION } from '../version.js';
import { ExitCode, handleError, UsageError } from './errors.js';
import { findRun, selectStores } from './stores.js';
import { renderRunDetails, renderRunList } from './views.js';
import { safeText } from './text.js';
import { installIntoJupyter } from './jupyterInstall.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  now: () => number;
}

/** Builds the `trainbook` command. Each action returns its exit code. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('trainbook')
    .description('Experiment tracking that lives inside Jupyter notebooks: list and inspect the runs stored beside your notebooks.')
    .version(SDK_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  program
    .command('ls')
    .description('list runs: status, duration, key params and last metrics')
    .argument('[stores...]', 'store folders or notebooks (default: the stores in the current folder)')
    .option('--json', 'print JSON for machines')
    .action((stores: string[], options: { json?: boolean }) => {
      const selected = selectStores(stores, io.cwd);
      const listed = selected.map((store) => ({ store, ...store.list() }));
      if (options.json) {
        io.out(
          `${JSON.stringify(
            listed.map(({ store, runs, problems }) => ({
              store: store.dir,
              notebook: store.manifest?.notebook ?? null,
              runs: runs.map((run) => ({ ...run.record, status: run.status, recordedStatus: run.record.status, dir: run.dir })),
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
          else io.out(`${renderRunList(runs, io.now())}\n`);
          for (const problem of problems) io.err(`trainbook: skipped ${safeText(problem.runId)}: ${safeText(problem.reason)}\n`);
          if (listed.length > 1) io.out('\n');
        }
      }
      setExit(listed.some((entry) => entry.problems.length > 0) ? ExitCode.findings : ExitCode.ok);
    });

  program
    .command('show')
    .description('show everything about one run')
    .argument('<run>', 'run id, unique id prefix, or run name')
    .argument('[stores...]', 'store folders or notebooks (default: the stores in the current folder)')
    .option('--json', 'print JSON for machines')
    .action((reference: string, stores: string[], options: { json?: boolean }) => {
      const { store, run } = findRun(selectStores(stores, io.cwd), reference);
      const data = store.read(run.record.id);
      const seriesLengths = Object.fromEntries([...data.series.values()].map((series) => [series.name, series.length]));
      if (options.json) {
        io.out(
          `${JSON.stringify(
            { ...data.record, status: data.status, recordedStatus: data.record.status, dir: data.dir, points: seriesLengths, problems: data.problems, tornTail: data.tornTail },
            null,
            2,
          )}\n`,
        );
      } else {
        io.out(`${renderRunDetails({ summary: data, problems: data.problems, seriesLengths }, io.now())}\n`);
      }
      setExit(data.problems.length > 0 ? ExitCode.findings : ExitCode.ok);
    });

  const jupyter = program.command('jupyter').description('set up JupyterLab for trainbook');
  jupyter
    .command('install')
    .description('install the prebuilt JupyterLab extension and a tslab (TypeScript) kernelspec')
    .option('--prefix <dir>', 'Python prefix (a venv or sys.prefix) to install into; default: your Jupyter user data folder')
    .option('--link', 'symlink instead of copy (development)')
    .option('--no-kernel', 'do not write the tslab kernelspec')
    .action((options: { prefix?: string; link?: boolean; kernel?: boolean }) => {
      const result = installIntoJupyter({ ...options, cwd: io.cwd });
      io.out(`trainbook: JupyterLab extension installed at ${result.labextension}\n`);
      if (result.kernelspec) io.out(`trainbook: TypeScript kernel (tslab) installed at ${result.kernelspec}\n`);
      for (const note of result.notes) io.out(`trainbook: ${note}\n`);
      setExit(ExitCode.ok);
    });

  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.ok;
      return ExitCode.usage;
    }
    return handleError(error, io.err);
  }
}

export { UsageError };
