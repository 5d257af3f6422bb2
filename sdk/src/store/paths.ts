import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_FILE, RUNS_DIR, SCRIPT_STORE, STORE_SUFFIX, storeDirOfNotebook } from 'trainbook/core';
import { inStore, storeEntryKind } from './safePath.js';

// Every store file and folder name lives in the core's layout (core/src/store/layout.ts).
export { ARTIFACTS_DIR, EVENTS_FILE, LOCK_FILE, MANIFEST_FILE, RUN_FILE, RUNS_DIR, SCRIPT_STORE, STORE_SUFFIX } from 'trainbook/core';

/** `path/train.ipynb` keeps its runs in `path/train.trainbook/` (the core's `storeDirOfNotebook`). */
export function storeDirForNotebook(notebookPath: string): string {
  return storeDirOfNotebook(notebookPath);
}

export interface StoreLocation {
  dir: string;
  /** Notebook file name (relative to the store's parent) when the store belongs to one. */
  notebook: string | null;
}

/**
 * Where a new run is written: an explicit `dir`, else `TRAINBOOK_DIR`, else the notebook's
 * sidecar store (from the option, or from the Jupyter session the kernel runs in), else
 * `./.trainbook/`.
 */
export function resolveStoreLocation(
  options: { dir?: string; notebook?: string | null },
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): StoreLocation {
  if (options.dir) return { dir: path.resolve(cwd, options.dir), notebook: options.notebook ? path.basename(options.notebook) : null };
  if (env.TRAINBOOK_DIR) return { dir: path.resolve(cwd, env.TRAINBOOK_DIR), notebook: null };
  const notebook = options.notebook ?? notebookFromSession(env, cwd);
  if (notebook) {
    const absolute = path.resolve(cwd, notebook);
    return { dir: storeDirForNotebook(absolute), notebook: path.basename(absolute) };
  }
  return { dir: path.join(cwd, SCRIPT_STORE), notebook: null };
}

/**
 * Jupyter Server tells a kernel which notebook it serves through `JPY_SESSION_NAME` (a path
 * relative to the server root, or absolute). The kernel's working folder is the notebook's folder,
 * so the file name is what locates the notebook.
 */
function notebookFromSession(env: NodeJS.ProcessEnv, cwd: string): string | null {
  const session = env.JPY_SESSION_NAME;
  if (!session || !session.endsWith('.ipynb')) return null;
  if (path.isAbsolute(session)) return session;
  const beside = path.join(cwd, path.basename(session));
  return beside;
}

/**
 * The stores a command should read when given no argument: `TRAINBOOK_DIR` if set, else every
 * `*.trainbook/` sidecar store and `./.trainbook/` in the folder, in name order.
 */
export function findStores(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.TRAINBOOK_DIR) return [path.resolve(cwd, env.TRAINBOOK_DIR)];
  return storesIn(cwd);
}

/** Every `*.trainbook/` store (and `.trainbook/`) directly in `folder`, in name order. */
function storesIn(folder: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isDirectory() && entry.name.endsWith(STORE_SUFFIX))
    .map((entry) => path.join(folder, entry.name))
    .filter(looksLikeStore)
    .sort();
}

/** Present, even as a link: the reader then reports the link rather than the store being skipped. */
function looksLikeStore(dir: string): boolean {
  return storeEntryKind(inStore(dir, MANIFEST_FILE)) !== null || storeEntryKind(inStore(dir, RUNS_DIR)) !== null;
}

/** A store argument may name the store folder or its notebook. */
export function storeDirFromArgument(argument: string, cwd: string = process.cwd()): string {
  const absolute = path.resolve(cwd, argument);
  return absolute.endsWith('.ipynb') ? storeDirForNotebook(absolute) : absolute;
}

/**
 * The stores an argument of a reading command names: a store folder or a notebook mean their
 * store (a missing path means itself: the reader then says what is wrong); any other folder means
 * the stores in it (`trainbook ls examples`), none when it holds none.
 *
 * @example
 * storeDirsFromArgument('examples'); // ['/…/examples/train.trainbook']
 */
export function storeDirsFromArgument(argument: string, cwd: string = process.cwd()): string[] {
  const dir = storeDirFromArgument(argument, cwd);
  if (dir.endsWith('.ipynb') || dir.endsWith(STORE_SUFFIX) || looksLikeStore(dir) || !isFolder(dir)) return [dir];
  return storesIn(dir);
}

function isFolder(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
