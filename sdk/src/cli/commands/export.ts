import * as path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { hubStoresForRun } from '../hubViews.js';
import { findRun, selectStores } from '../stores.js';
import { safeText } from '../text.js';
import { EXCHANGE_FORMATS, formatRun, isExchangeFormat } from '../../exchange/formats.js';
import { readPortableRun } from '../../exchange/io.js';
import { writeFileAtomic } from '../../store/atomic.js';

/** `trainbook export <run>`: one run as JSON (lossless), CSV (one row per point) or a 'track' report. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('export')
    .description('write one run as json (everything, lossless), csv (one row per metric point) or track (the Python track library\'s report)')
    .argument('<run>', 'run id, unique id prefix, run name or archive name')
    .argument('[stores...]', 'store folders or notebooks (default: the stores in the current folder)')
    .option('--format <format>', `${EXCHANGE_FORMATS.join(' | ')}`, 'json')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--hub [url]', 'export a run of the team hub (default URL: TRAINBOOK_HUB)')
    .action(async (reference: string, stores: string[], options: { format: string; output?: string; hub?: string | boolean }) => {
      if (!isExchangeFormat(options.format)) throw new UsageError(`Unknown format "${safeText(options.format)}"; use one of ${EXCHANGE_FORMATS.join(', ')}.`);
      const { store, run } = findRun(options.hub !== undefined ? await hubStoresForRun(options.hub, reference) : selectStores(stores, io.cwd), reference);
      const text = formatRun(readPortableRun(store, run.record.id), options.format);
      if (options.output) {
        const file = path.resolve(io.cwd, options.output);
        writeFileAtomic(file, text);
        io.err(`trainbook: wrote run ${run.record.id} as ${options.format} to ${safeText(file)}\n`);
      } else {
        io.out(text);
      }
      setExit(ExitCode.ok);
    });
}
