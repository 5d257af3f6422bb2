import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../errors.js';
import { findRun, selectStores } from '../stores.js';
import { safeText } from '../text.js';
import { archiveRun } from '../../store/archive.js';

/** `trainbook archive <run>`: keep a run under a name such as `archived_v1_2026-11-22`; prune never removes it. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('archive')
    .description('keep a run under a name archived_v<N>_<date> (N counts up per store); archived runs are listed apart and never pruned')
    .argument('<run>', 'run id, unique id prefix or run name')
    .argument('[stores...]', 'store folders or notebooks (default: the stores in the current folder)')
    .action((reference: string, stores: string[]) => {
      const { store, run } = findRun(selectStores(stores, io.cwd), reference);
      const { marker, already } = archiveRun(store.dir, run.dir, new Date(io.now()));
      io.out(
        already
          ? `Run ${run.record.id} ("${safeText(run.record.name)}") is already archived as ${safeText(marker.name)} (since ${safeText(marker.archivedAt)}).\n`
          : `Archived run ${run.record.id} ("${safeText(run.record.name)}") as ${marker.name}.\n`,
      );
      setExit(ExitCode.ok);
    });
}
