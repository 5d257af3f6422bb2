import { findStores, storeDirFromArgument } from '../store/paths.js';
import { openStore, type RunSummary, type Store } from '../store/reader.js';
import { RunNotFoundError } from 'trainbook/core';
import { UsageError } from './errors.js';

/** The stores a command reads: those named, else the ones in the current folder. */
export function selectStores(args: readonly string[], cwd = process.cwd()): Store[] {
  const dirs = args.length > 0 ? args.map((arg) => storeDirFromArgument(arg, cwd)) : findStores(cwd);
  if (dirs.length === 0) {
    throw new UsageError(
      `No trainbook store in ${cwd}. Stores sit beside notebooks (train.trainbook/ next to train.ipynb) or in ./.trainbook/; run this in that folder or pass the store or notebook path.`,
    );
  }
  return dirs.map((dir) => openStore(dir));
}

/** Finds one run across stores by id, id prefix or name. */
export function findRun(stores: readonly Store[], reference: string): { store: Store; run: RunSummary } {
  const found: Array<{ store: Store; run: RunSummary }> = [];
  const errors: RunNotFoundError[] = [];
  for (const store of stores) {
    try {
      found.push({ store, run: store.find(reference) });
    } catch (error) {
      if (!(error instanceof RunNotFoundError)) throw error;
      errors.push(error);
    }
  }
  if (found.length === 1) return found[0]!;
  if (found.length > 1) {
    throw new RunNotFoundError(`"${reference}" matches runs in ${found.length} stores (${found.map((f) => f.store.dir).join(', ')}); pass the store path too.`);
  }
  if (stores.length === 1 && errors[0]) throw errors[0];
  throw new RunNotFoundError(`No run "${reference}" in ${stores.map((s) => s.dir).join(', ')}. \`trainbook ls\` lists the runs.`);
}
