import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { safeText } from '../text.js';
import { EXCHANGE_FORMATS, isExchangeFormat, parseRunFile } from '../../exchange/formats.js';
import { writeImportedRun } from '../../exchange/io.js';
import { findStores, SCRIPT_STORE, storeDirFromArgument } from '../../store/paths.js';

/** `trainbook import <file>`: a run exported by trainbook (json, csv) or a 'track' report, as a new run. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('import')
    .description('add a run from a file made by `trainbook export` (json, csv) or a Python track report, as a new run with a fresh id')
    .argument('<file>', 'the exported file')
    .option('--store <dir>', 'the store (or notebook) to add the run to (default: the store in the current folder, else ./.trainbook)')
    .option('--format <format>', `${EXCHANGE_FORMATS.join(' | ')} (default: recognised from the content)`)
    .action((file: string, options: { store?: string; format?: string }) => {
      if (options.format !== undefined && !isExchangeFormat(options.format)) {
        throw new UsageError(`Unknown format "${safeText(options.format)}"; use one of ${EXCHANGE_FORMATS.join(', ')}.`);
      }
      const source = path.resolve(io.cwd, file);
      let text: string;
      try {
        text = fs.readFileSync(source, 'utf8');
      } catch (error) {
        throw new UsageError(`Cannot read ${safeText(source)}: ${(error as Error).message}.`);
      }
      const now = new Date(io.now());
      const run = parseRunFile(text, { format: options.format as Parameters<typeof parseRunFile>[1]['format'], now });
      const storeDir = targetStore(options.store, io.cwd);
      const { id, dir } = writeImportedRun(storeDir, run, path.basename(source), now);
      io.out(`Imported ${safeText(path.basename(source))} as run ${id} ("${safeText(run.record.name)}") in ${safeText(path.dirname(path.dirname(dir)))}\n`);
      setExit(ExitCode.ok);
    });
}

/** The named store, else the one store in the folder (TRAINBOOK_DIR first), else `./.trainbook`. */
function targetStore(option: string | undefined, cwd: string): string {
  if (option) return storeDirFromArgument(option, cwd);
  const found = findStores(cwd);
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new UsageError(`There are ${found.length} stores in ${cwd} (${found.map(safeText).join(', ')}); pass --store to choose one.`);
  return path.join(cwd, SCRIPT_STORE);
}
