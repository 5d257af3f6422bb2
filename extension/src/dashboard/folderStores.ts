/**
 * What the dashboard's path argument means, over the Jupyter Contents API: a notebook means its
 * store (`x.ipynb` → `x.trainbook/`), a store folder means itself (read through its notebook when
 * one is beside it), any other folder means the stores in it: `x.ipynb` with `x.trainbook/`, or
 * a `x.trainbook/` alone. As the CLI reads a folder argument (`trainbook ls examples`).
 *
 * Each store is named by the path the extension's store reads it by: the notebook's path, or for a
 * store with no notebook beside it the store folder's own path (`storeDirOfNotebook` maps
 * `b.trainbook` to itself). The dashboard only reads, and the Contents API does not tell a linked
 * folder from a real one: a link the server shows as a folder named `*.trainbook` is read as a
 * store, as the file browser would open it; a dangling link (a file to the server) is not.
 */
import type { Contents } from '@jupyterlab/services';
import { STORE_SUFFIX, storeDirOfNotebook } from 'trainbook/core';

/** One store the dashboard follows. */
export interface FolderStore {
  /** The path the store is read by: its notebook's, or the store folder's when it has no notebook beside it. */
  path: string;
  /** The store folder's path. */
  store: string;
  /** A notebook is beside the store (`path` is that notebook). */
  hasNotebook: boolean;
}

export type DashboardTargetKind = 'notebook' | 'store' | 'folder' | 'missing';

/** What a path argument names, and the stores it means. */
export interface DashboardTarget {
  kind: DashboardTargetKind;
  /** The argument as a server path ('' for the root). */
  path: string;
  stores: FolderStore[];
}

const NOTEBOOK_SUFFIX = '.ipynb';

/** A server path without leading, trailing or doubled slashes ('' is the root). */
export function normalizePath(path: string): string {
  return path.split('/').filter((segment) => segment !== '' && segment !== '.').join('/');
}

/** The stores a folder's listing holds, in name order. Pure. */
export function storesInListing(entries: ReadonlyArray<Pick<Contents.IModel, 'name' | 'path' | 'type'>>): FolderStore[] {
  const notebooks = new Set(entries.filter((entry) => entry.type !== 'directory' && entry.name.endsWith(NOTEBOOK_SUFFIX)).map((entry) => entry.path));
  return entries
    .filter((entry) => entry.type === 'directory' && isStoreName(entry.name))
    .map((entry) => {
      const notebook = `${entry.path.slice(0, -STORE_SUFFIX.length)}${NOTEBOOK_SUFFIX}`;
      const hasNotebook = notebooks.has(notebook);
      return { path: hasNotebook ? notebook : entry.path, store: entry.path, hasNotebook };
    })
    .sort((a, b) => (a.store < b.store ? -1 : a.store > b.store ? 1 : 0));
}

/** The stores directly in a folder (none when it is missing or not a folder). */
export async function storesInFolder(contents: Pick<Contents.IManager, 'get'>, folder: string): Promise<FolderStore[]> {
  const listing = await listingOf(contents, normalizePath(folder));
  return listing ? storesInListing(listing) : [];
}

/**
 * What a path argument means: a notebook, a store folder, or a folder of stores (missing: a path
 * the server does not have, or a file that is neither). A notebook is taken at its word (its store
 * may not exist yet: runs appear when it gets some), so it costs no request.
 *
 * @example
 * await dashboardTarget(contents, 'experiments'); // { kind: 'folder', stores: [{ path: 'experiments/a.ipynb', ... }, ...] }
 */
export async function dashboardTarget(contents: Pick<Contents.IManager, 'get'>, argument: string): Promise<DashboardTarget> {
  const path = normalizePath(argument);
  if (path.endsWith(NOTEBOOK_SUFFIX)) return { kind: 'notebook', path, stores: [{ path, store: storeDirOfNotebook(path), hasNotebook: true }] };
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (isStoreName(name)) {
    // Looked up in its parent's listing: no 404 in the console for a store that is not there.
    const parent = await listingOf(contents, path.slice(0, Math.max(0, path.lastIndexOf('/'))));
    const store = storesInListing(parent ?? []).find((candidate) => candidate.store === path);
    return store ? { kind: 'store', path, stores: [store] } : { kind: 'missing', path, stores: [] };
  }
  const listing = await listingOf(contents, path);
  return listing ? { kind: 'folder', path, stores: storesInListing(listing) } : { kind: 'missing', path, stores: [] };
}

/** `x.trainbook` with a name before the suffix (`.trainbook` alone is a hidden folder the server does not show). */
function isStoreName(name: string): boolean {
  return name.endsWith(STORE_SUFFIX) && name.length > STORE_SUFFIX.length;
}

/** A folder's entries, or null when the path is not a folder the server has. */
async function listingOf(contents: Pick<Contents.IManager, 'get'>, folder: string): Promise<Contents.IModel[] | null> {
  let model: Contents.IModel;
  try {
    model = await contents.get(folder, { content: true, type: 'directory' });
  } catch (error) {
    const status = (error as { response?: { status?: number } })?.response?.status;
    if (status === 404 || status === 400) return null;
    throw error;
  }
  return model.type === 'directory' && Array.isArray(model.content) ? (model.content as Contents.IModel[]) : null;
}
