/**
 * Safe store paths: every file and folder of a store is reached through here, so that a store
 * that came from someone else (a cloned repository, an archive) cannot make trainbook read or
 * write outside it. The store's own folder is taken as given: when the user names a folder that
 * is a link, that is their choice. Below it no symbolic link is followed: each component of a
 * path is checked with lstat, files are opened with O_NOFOLLOW (and must be regular files, so a
 * FIFO cannot hang a reader), folders are made one level at a time, and a link met on the way is
 * a {@link StoreLinkError} that names it.
 *
 * A place is a store root plus a '/'-separated path inside it (`runs/<id>/run.json`):
 *
 * ```ts
 * const text = readStoreText(inStore(dir, 'store.json'));      // null when missing
 * writeStoreFile(inRun(runDir, 'run.json'), json);              // atomic replace
 * ```
 *
 * What this cannot rule out: a link swapped in by another process between the check of a folder
 * and the use of the path below it (a store is data, not an adversary that runs beside trainbook).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkStorePath, FileAccessError, StoreError, StoreLinkError } from 'trainbook/core';
import { createFileAtomic, writeFileAtomic } from './atomic.js';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_APPEND } = fs.constants;
/** Not on Windows: there the lstat of the last component is the only check. */
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

/** A file or folder in a store: `root` (followed if it is a link) and the path below it. */
export interface StorePlace {
  readonly root: string;
  /** '/'-separated, relative to the root; '' is the root itself. */
  readonly relative: string;
  /** The absolute file-system path, for messages and for callers that hand it on. */
  readonly path: string;
}

export type StoreEntryKind = 'file' | 'directory' | 'link' | 'other';

export interface StoreEntry {
  name: string;
  kind: StoreEntryKind;
}

/**
 * A place in the store at `root`; segments may hold '/' (`inStore(dir, 'runs', id, 'run.json')`).
 * Throws StoreError for a path that would leave the store (`..`, an absolute path, a backslash).
 */
export function inStore(root: string, ...segments: string[]): StorePlace {
  const relative = segments.filter((segment) => segment !== '').join('/');
  try {
    checkStorePath(relative);
  } catch (error) {
    if (error instanceof FileAccessError) throw new StoreError(`"${relative}" is not a path inside the store ${root}; trainbook reads and writes only inside a store.`, { cause: error });
    throw error;
  }
  return { root, relative, path: relative === '' ? root : path.join(root, ...relative.split('/')) };
}

/**
 * A place in a run folder `<store>/runs/<id>`: the store is two levels up, so the runs folder and
 * the run's own folder are checked like every other component.
 */
export function inRun(runDir: string, ...segments: string[]): StorePlace {
  const runsDir = path.dirname(runDir);
  return inStore(path.dirname(runsDir), path.basename(runsDir), path.basename(runDir), ...segments);
}

/** The place `name` inside the folder `place`. */
export function child(place: StorePlace, ...segments: string[]): StorePlace {
  return inStore(place.root, place.relative, ...segments);
}

/**
 * The place's absolute path once every component of it that exists has been seen not to be a
 * link (missing ones are fine: they will be created through here). Throws StoreLinkError.
 */
export function checkedPath(place: StorePlace): string {
  walk(place, () => undefined);
  return place.path;
}

/** What is at the place (a link is reported as one, never followed), or null when nothing is. */
export function storeEntryKind(place: StorePlace): StoreEntryKind | null {
  const parent = parentOf(place);
  if (parent) checkedPath(parent);
  try {
    return kindOf(fs.lstatSync(place.path));
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** The bytes of a store file, or null when it does not exist. Throws StoreLinkError for a link on the way. */
export function readStoreBytes(place: StorePlace): Buffer | null {
  let fd: number;
  try {
    fd = openStoreFile(place, 'r');
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The text (UTF-8) of a store file, or null when it does not exist. */
export function readStoreText(place: StorePlace): string | null {
  return readStoreBytes(place)?.toString('utf8') ?? null;
}

/** How a store file is opened, as for fs.openSync: read, append, read and append, create exclusively. */
export type StoreOpenFlags = 'r' | 'a' | 'a+' | 'wx';

/**
 * Opens a store file without following a link. The file must be a regular file. Errors keep
 * their code (ENOENT; EEXIST for 'wx', also when a link is there).
 */
export function openStoreFile(place: StorePlace, flags: StoreOpenFlags, mode = 0o644): number {
  // The folders above by lstat; the file itself by O_NOFOLLOW where the platform has it.
  const parent = parentOf(place);
  if (O_NOFOLLOW === 0 || !parent) checkedPath(place);
  else checkedPath(parent);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it changes nothing for a regular file.
    fd = fs.openSync(place.path, numericFlags(flags) | O_NOFOLLOW | O_NONBLOCK, mode);
  } catch (error) {
    // Linux says ELOOP, the BSDs EMLINK, when O_NOFOLLOW meets a link.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') throw linkError(place.path);
    throw error;
  }
  if (!fs.fstatSync(fd).isFile()) {
    fs.closeSync(fd);
    throw new StoreError(`${place.path} is not a regular file; trainbook reads and writes only plain files in a store. Move it away.`);
  }
  return fd;
}

/** Creates the folder and every missing one above it (below the root), one level at a time. */
export function makeStoreDirs(place: StorePlace): string {
  walk(place, (current, stat) => {
    if (stat === null) {
      try {
        fs.mkdirSync(current); // never follows a link at `current`: an existing one is EEXIST
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        return checkFolder(current, fs.lstatSync(current));
      }
      return;
    }
    checkFolder(current, stat);
  });
  return place.path;
}

/** The folder's entries, each with its kind as lstat sees it; null when the folder does not exist. */
export function listStoreDir(place: StorePlace): StoreEntry[] | null {
  checkedPath(place);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(place.path, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  return entries.map((entry) => ({ name: entry.name, kind: kindOf(entry) }));
}

/**
 * Replaces the file with `data` atomically (temporary file beside it, fsync, rename), creating
 * missing folders above it. A link at the place itself is refused too, never replaced.
 */
export function writeStoreFile(place: StorePlace, data: string | Uint8Array): void {
  const parent = parentOf(place);
  if (parent) makeStoreDirs(parent);
  checkedPath(place);
  writeFileAtomic(place.path, data);
}

/**
 * Creates the file with `data`, whole (readers at the same moment see no file or all of it);
 * fails with EEXIST when anything (a link too) is already there.
 */
export function createStoreFile(place: StorePlace, data: string | Uint8Array): void {
  const parent = parentOf(place);
  if (parent) makeStoreDirs(parent);
  checkedPath(place);
  createFileAtomic(place.path, data, () => {
    const fd = openStoreFile(place, 'wx');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let offset = 0;
      while (offset < bytes.byteLength) offset += fs.writeSync(fd, bytes, offset, bytes.byteLength - offset);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  });
}

/** Renames within the store (a rename moves a link itself, never what it points to). */
export function renameInStore(from: StorePlace, to: StorePlace): void {
  checkedPath(from);
  const parent = parentOf(to);
  if (parent) checkedPath(parent);
  fs.renameSync(from.path, to.path);
}

/** Removes a file or a whole folder (links inside are removed, not followed); nothing when missing. */
export function removeInStore(place: StorePlace): void {
  const parent = parentOf(place);
  if (!parent) throw new StoreError(`trainbook removes files and folders inside a store, never the store ${place.root} itself.`);
  checkedPath(parent);
  fs.rmSync(place.path, { recursive: true, force: true });
}

/**
 * Every link at or below the place, as store-relative paths, without following any: what
 * `trainbook doctor` reports. Entries that vanish while it looks are skipped.
 */
export function findStoreLinks(place: StorePlace): string[] {
  const links: string[] = [];
  const visit = (current: StorePlace): void => {
    let entries: StoreEntry[] | null;
    try {
      entries = listStoreDir(current);
    } catch (error) {
      if (error instanceof StoreLinkError) links.push(current.relative);
      return;
    }
    for (const entry of entries ?? []) {
      let next: StorePlace;
      try {
        next = child(current, entry.name);
      } catch {
        continue; // a name no store path can hold (a backslash): nothing trainbook reads
      }
      if (entry.kind === 'link') links.push(next.relative);
      else if (entry.kind === 'directory') visit(next);
    }
  };
  visit(place);
  return links.sort();
}

/** The link's target, for messages; null when it cannot be read. */
export function linkTarget(file: string): string | null {
  try {
    return fs.readlinkSync(file);
  } catch {
    return null;
  }
}

function linkError(file: string): StoreLinkError {
  return new StoreLinkError(file, linkTarget(file));
}

/** lstat each component below the root, in order: a link throws, a missing one is visited with null. */
function walk(place: StorePlace, visit: (current: string, stat: fs.Stats | null) => void): void {
  if (place.relative === '') return;
  let current = place.root;
  for (const segment of place.relative.split('/')) {
    current = path.join(current, segment);
    let stat: fs.Stats | null;
    try {
      stat = fs.lstatSync(current);
    } catch (error) {
      if (!isMissing(error)) throw error;
      stat = null;
    }
    if (stat?.isSymbolicLink()) throw linkError(current);
    visit(current, stat);
  }
}

function checkFolder(current: string, stat: fs.Stats): void {
  if (stat.isSymbolicLink()) throw linkError(current);
  if (!stat.isDirectory()) throw new StoreError(`${current} should be a folder of the store but is a file; move it away.`);
}

function parentOf(place: StorePlace): StorePlace | null {
  if (place.relative === '') return null;
  const slash = place.relative.lastIndexOf('/');
  return inStore(place.root, slash === -1 ? '' : place.relative.slice(0, slash));
}

/** The kind of an lstat result or a folder entry (neither follows a link). */
function kindOf(stat: fs.Stats | fs.Dirent): StoreEntryKind {
  return stat.isSymbolicLink() ? 'link' : stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : 'other';
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function numericFlags(flags: StoreOpenFlags): number {
  switch (flags) {
    case 'r':
      return O_RDONLY;
    case 'a':
      return O_WRONLY | O_CREAT | O_APPEND;
    case 'a+':
      return O_RDWR | O_CREAT | O_APPEND;
    case 'wx':
      return O_WRONLY | O_CREAT | O_EXCL;
  }
}
