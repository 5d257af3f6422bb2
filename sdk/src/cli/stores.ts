import { findStores, storeDirsFromArgument } from '../store/paths.js';
import { openStore, type RunSummary, type Store } from '../store/reader.js';
import { findRunAcross } from 'trainbook/core';
import { UsageError } from './errors.js';

/** The stores a command reads: those named (a folder names the stores in it), else the ones in the current folder. */
export function selectStores(args: readonly string[], cwd = process.cwd()): Store[] {
  const dirs = args.length > 0 ? [...new Set(args.flatMap((arg) => storesOfArgument(arg, cwd)))] : findStores(cwd);
  if (dirs.length === 0) {
    throw new UsageError(
      `No trainbook store in ${cwd}. Stores sit beside notebooks (train.trainbook/ next to train.ipynb) or in ./.trainbook/; run this in that folder or pass the store or notebook path.`,
    );
  }
  return dirs.map((dir) => openStore(dir));
}

function storesOfArgument(argument: string, cwd: string): string[] {
  const dirs = storeDirsFromArgument(argument, cwd);
  if (dirs.length === 0) {
    throw new UsageError(
      `No trainbook store in ${argument}: a notebook's runs appear in a store beside it (train.trainbook/ next to train.ipynb) once it called trainbook.init(). Pass a store, a notebook or a folder that holds stores.`,
    );
  }
  return dirs;
}

/** Finds one run across stores by id, id prefix, name or archive name (the core's one lookup). */
export function findRun(stores: readonly Store[], reference: string): { store: Store; run: RunSummary } {
  const { group: store, run } = findRunAcross(stores.map((store) => ({ group: store, where: store.dir, runs: store.list().runs })), reference, 'pass the store path too');
  return { store, run };
}
