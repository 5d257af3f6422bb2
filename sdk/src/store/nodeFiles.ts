/**
 * The store's file access over Node's fs (the core's SyncFileAccess), built on `safePath`: no link
 * below the store's folder is ever followed (a link is listed with kind 'link' and its target; a
 * read or write through one is a StoreLinkError), only regular files are read (O_NOFOLLOW),
 * whole-file writes are atomic (temporary file, fsync, rename) and exclusive writes use 'wx'.
 * The core's store tasks run over it with `runSync`.
 */
import * as fs from 'node:fs';
import { FileAccessError, type FileEntry, type SyncFileAccess, type WriteOptions } from 'trainbook/core';
import { createStoreFile, inStore, linkTarget, listStoreDir, readStoreBytes, readStoreText, removeInStore, renameInStore, storeEntryKind, writeStoreFile } from './safePath.js';

/**
 * The files of the store at `root` (a folder that need not exist yet: the first write makes it).
 *
 * @example
 * const { runs } = runSync(listRuns(), nodeFiles('train.trainbook'));
 */
export function nodeFiles(root: string): SyncFileAccess {
  return {
    list(path: string): FileEntry[] | null {
      const place = inStore(root, path);
      return listStoreDir(place)?.map((entry) => {
        if (entry.kind !== 'link') return { name: entry.name, kind: entry.kind };
        const target = linkTarget(inStore(root, path, entry.name).path);
        return target === null ? { name: entry.name, kind: 'link' } : { name: entry.name, kind: 'link', target };
      }) ?? null;
    },
    readText: (path) => readStoreText(inStore(root, path)),
    readBytes: (path) => readStoreBytes(inStore(root, path)),
    write(path: string, data: string | Uint8Array, options?: WriteOptions): void {
      const place = inStore(root, path);
      fs.mkdirSync(root, { recursive: true }); // the store's own folder, as the user named it
      if (!options?.exclusive) return writeStoreFile(place, data);
      try {
        createStoreFile(place, data);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new FileAccessError('exists', path, `${place.path} exists already.`);
        throw error;
      }
    },
    rename(from: string, to: string): void {
      const target = inStore(root, to);
      // fs.rename replaces an empty folder or a file: a rename in a store never replaces anything.
      if (storeEntryKind(target) !== null) throw new FileAccessError('exists', to, `${target.path} exists already.`);
      renameInStore(inStore(root, from), target);
    },
    remove: (path) => removeInStore(inStore(root, path)),
  };
}
