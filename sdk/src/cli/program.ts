import { Command, CommanderError } from 'commander';
import { SDK_VERSION } from '../version.js';
import { ExitCode, handleError, UsageError } from './errors.js';
import type { CliIo, CommandContext } from './context.js';
import { register as registerLs } from './commands/ls.js';
import { register as registerShow } from './commands/show.js';
import { register as registerJupyter } from './commands/jupyter.js';
import { register as registerReport } from './commands/report.js';
import { register as registerPublish } from './commands/publish.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerDoctor } from './commands/doctor.js';
import { register as registerExport } from './commands/export.js';
import { register as registerImport } from './commands/import.js';
import { register as registerArchive } from './commands/archive.js';
import { register as registerPrune } from './commands/prune.js';
import { register as registerRun } from './commands/run.js';
import { register as registerHub } from './commands/hub.js';
import { register as registerPush } from './commands/push.js';
import { register as registerPull } from './commands/pull.js';
import { register as registerWorker } from './commands/worker.js';
import { register as registerSweep } from './commands/sweep.js';

export type { CliIo };

const COMMANDS: Array<(program: Command, context: CommandContext) => void> = [
  registerLs,
  registerShow,
  registerJupyter,
  registerDoctor,
  registerReport,
  registerPublish,
  registerServe,
  registerExport,
  registerImport,
  registerArchive,
  registerPrune,
  registerRun,
  registerHub,
  registerPush,
  registerPull,
  registerWorker,
  registerSweep,
];

/** Builds the `trainbook` command. Each action returns its exit code. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('trainbook')
    .description('Experiment tracking that lives inside Jupyter notebooks: list, inspect, report, share, export and run the experiments stored beside your notebooks, and push them to (and pull them from) a team hub on PostgreSQL.')
    .version(SDK_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  // Each command lives in its own module under commands/; add new ones to this list.
  for (const register of COMMANDS) register(program, { io, setExit });

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
