/**
 * What `trainbook doctor` checks in a run's saved models (`artifacts/models/`): an index it can
 * read, every tag's files present, and folders no tag points to (a save interrupted between the
 * rename and the index update) or half-written by a process that died. Reads only; the doctor
 * removes what `removable` names when asked to repair.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODEL_FILE } from './artifacts.js';
import { INDEX_FILE, modelsDir, readModelIndex, type ModelEntry } from './modelIndex.js';

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

export function inspectModels(runDir: string, alive: (pid: number) => boolean): ModelProblem[] {
  const root = modelsDir(runDir);
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return []; // no saved models
  }
  const problems: ModelProblem[] = [];
  const indexFile = path.join(root, INDEX_FILE);
  let entries: ModelEntry[] | null;
  if (!fs.existsSync(indexFile)) {
    // Without an index nothing can be called unreferenced: every folder may be a tag's only copy.
    const saved = names.filter((name) => temporaryOwner(name) === null && fs.existsSync(path.join(root, name, MODEL_FILE)));
    if (saved.length > 0) problems.push({ file: indexFile, severity: 'damage', message: `models index is missing; ${saved.length} saved model folder(s) are kept` });
    entries = null;
  } else {
    try {
      entries = readModelIndex(runDir);
    } catch (error) {
      problems.push({ file: indexFile, severity: 'damage', message: `models index is unreadable: ${(error as Error).message}` });
      entries = null;
    }
  }
  const referenced = new Set((entries ?? []).map((entry) => entry.folder));
  for (const entry of entries ?? []) {
    if (!fs.existsSync(path.join(root, entry.folder, MODEL_FILE))) {
      problems.push({ file: path.join(root, entry.folder), severity: 'damage', message: `saved model "${entry.tag}" is missing its ${MODEL_FILE}` });
    }
  }
  for (const name of names) {
    const folder = path.join(root, name);
    if (name === INDEX_FILE || !isFolder(folder)) continue;
    const owner = temporaryOwner(name);
    if (owner !== null) {
      if (!alive(owner)) problems.push({ file: folder, severity: 'warning', message: `half-written model save left by process ${owner}, which is gone`, removable: folder });
      continue;
    }
    // Without a readable index nothing can be called unreferenced.
    if (entries !== null && !referenced.has(name)) {
      if (fs.existsSync(path.join(folder, MODEL_FILE))) {
        problems.push({ file: folder, severity: 'warning', message: 'model folder that no tag points to, holding a whole model: kept (delete it by hand if it is not needed)' });
      } else {
        problems.push({ file: folder, severity: 'warning', message: 'model folder that no tag points to (a save interrupted before the index was updated)', removable: folder });
      }
    }
  }
  return problems;
}

/** A folder still there (a writer may remove one between the listing and this look). */
function isFolder(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}
