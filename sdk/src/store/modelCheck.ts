/**
 * What `trainbook doctor` checks in a run's saved models (`artifacts/models/`): an index it can
 * read, every tag's files present, and folders no tag points to (a save interrupted between the
 * rename and the index update) or half-written by a process that died. Reads only; the doctor
 * removes what `removable` names when asked to repair.
 */
import * as path from 'node:path';
import { MODEL_FILE, MODEL_INDEX_FILE as INDEX_FILE, StoreLinkError } from 'trainbook/core';
import { listStoreDir, storeEntryKind, type StoreEntry } from './safePath.js';
import { modelsDir, modelsPlace, readModelIndex, type ModelEntry } from './modelIndex.js';

export interface ModelProblem {
  file: string;
  severity: 'damage' | 'warning';
  message: string;
  /** A folder that holds nothing a tag needs: safe to remove. */
  removable?: string;
}

/** The pid in a temporary save folder's name (`.tmp-<pid>-<folder>`), or null. */
export function temporaryOwner(name: string): number | null {
  const pid = /^\.tmp-(\d+)-/.exec(name)?.[1];
  return pid === undefined ? null : Number(pid);
}

/**
 * The problems of a run's saved models. Links are not followed: a linked models folder reads as
 * none, and a linked entry in it is left out (`trainbook doctor` reports every link itself).
 */
export function inspectModels(runDir: string, alive: (pid: number) => boolean): ModelProblem[] {
  const root = modelsDir(runDir);
  let entries: StoreEntry[] | null;
  try {
    entries = listStoreDir(modelsPlace(runDir));
  } catch (error) {
    if (error instanceof StoreLinkError) return [];
    throw error;
  }
  if (entries === null) return []; // no saved models
  const folders = entries.filter((entry) => entry.kind === 'directory' && entry.name !== INDEX_FILE).map((entry) => entry.name);
  const holdsModel = (folder: string): boolean | null => {
    try {
      return storeEntryKind(modelsPlace(runDir, folder, MODEL_FILE)) === 'file';
    } catch (error) {
      if (error instanceof StoreLinkError) return null;
      throw error;
    }
  };
  const problems: ModelProblem[] = [];
  const indexFile = path.join(root, INDEX_FILE);
  let index: ModelEntry[] | null;
  const indexKind = entries.find((entry) => entry.name === INDEX_FILE)?.kind;
  if (indexKind === 'link') return problems;
  if (indexKind === undefined) {
    // Without an index nothing can be called unreferenced: every folder may be a tag's only copy.
    const saved = folders.filter((name) => temporaryOwner(name) === null && holdsModel(name) === true);
    if (saved.length > 0) problems.push({ file: indexFile, severity: 'damage', message: `models index is missing; ${saved.length} saved model folder(s) are kept` });
    index = null;
  } else {
    try {
      index = readModelIndex(runDir);
    } catch (error) {
      problems.push({ file: indexFile, severity: 'damage', message: `models index is unreadable: ${(error as Error).message}` });
      index = null;
    }
  }
  const referenced = new Set((index ?? []).map((entry) => entry.folder));
  for (const entry of index ?? []) {
    if (holdsModel(entry.folder) === false) {
      problems.push({ file: path.join(root, entry.folder), severity: 'damage', message: `saved model "${entry.tag}" is missing its ${MODEL_FILE}` });
    }
  }
  for (const name of folders) {
    const folder = path.join(root, name);
    if (!isFolder(runDir, name)) continue; // a writer may remove one between the listing and this look
    const owner = temporaryOwner(name);
    if (owner !== null) {
      if (!alive(owner)) problems.push({ file: folder, severity: 'warning', message: `half-written model save left by process ${owner}, which is gone`, removable: folder });
      continue;
    }
    // Without a readable index nothing can be called unreferenced.
    if (index !== null && !referenced.has(name)) {
      const model = holdsModel(name);
      if (model === true) {
        problems.push({ file: folder, severity: 'warning', message: 'model folder that no tag points to, holding a whole model: kept (delete it by hand if it is not needed)' });
      } else if (model === false) {
        problems.push({ file: folder, severity: 'warning', message: 'model folder that no tag points to (a save interrupted before the index was updated)', removable: folder });
      }
    }
  }
  return problems;
}

function isFolder(runDir: string, name: string): boolean {
  try {
    return storeEntryKind(modelsPlace(runDir, name)) === 'directory';
  } catch {
    return false;
  }
}
