import { formatBytes } from 'trainbook/core';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { selectStores } from '../stores.js';
import { formatTime, safeText } from '../text.js';
import { folderBytes, removeRunFolder, selectPrunable } from '../../store/prune.js';

/** `trainbook prune --older-than <days>`: remove old runs, except archived ones and live ones. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('prune')
    .description('remove runs started more than N days ago; archived runs and runs still being written are kept. Lists them unless --yes')
    .argument('[stores...]', 'store folders or notebooks (default: the stores in the current folder)')
    .requiredOption('--older-than <days>', 'remove runs that started more than this many days ago')
    .option('--dry-run', 'only list what would be removed (the default without --yes)')
    .option('--yes', 'remove them')
    .action((stores: string[], options: { olderThan: string; dryRun?: boolean; yes?: boolean }) => {
      const days = Number(options.olderThan);
      if (options.olderThan.trim() === '' || !Number.isFinite(days) || days < 0) {
        throw new UsageError(`--older-than takes a number of days (0 or more), not "${safeText(options.olderThan)}".`);
      }
      const remove = options.yes === true && options.dryRun !== true;
      let count = 0;
      let freed = 0;
      for (const store of selectStores(stores, io.cwd)) {
        const { prune, kept } = selectPrunable(store.list().runs, io.now(), days);
        for (const { run, reason } of kept) io.out(`keep    ${run.record.id}  ${safeText(run.record.name)}  (${reason === 'archived' ? `archived as ${safeText(run.archive!.name)}` : 'still running'})\n`);
        for (const run of prune) {
          const line = `${run.record.id}  ${safeText(run.record.name)}  started ${formatTime(run.record.startedAt)}  ${run.status}`;
          if (!remove) {
            io.out(`would remove ${line}  (${formatSize(folderBytes(run.dir))})\n`);
            count++;
            continue;
          }
          const outcome = removeRunFolder(store.dir, run.dir);
          if (!outcome.removed) {
            io.out(`keep    ${run.record.id}  ${safeText(run.record.name)}  (${outcome.reason === 'archived' ? 'archived meanwhile' : 'its writer is alive'})\n`);
            continue;
          }
          io.out(`removed ${line}  (${formatSize(outcome.bytes)})\n`);
          count++;
          freed += outcome.bytes;
        }
      }
      if (!remove) {
        io.out(count === 0 ? `No runs older than ${days} days to remove.\n` : `${count} run${count === 1 ? '' : 's'} would be removed. Run again with --yes to remove ${count === 1 ? 'it' : 'them'}.\n`);
      } else {
        io.out(`Removed ${count} run${count === 1 ? '' : 's'}, freed ${formatSize(freed)}.\n`);
      }
      setExit(ExitCode.ok);
    });
}

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${formatBytes(bytes)}, ${bytes} bytes`;
}
