/**
 * An in-memory SyncFileAccess for the core's store tasks: files and folders in a Map, links as
 * entries with a target that reads and writes refuse (as the Node implementation does), and a log
 * of every operation.
 */
import { FileAccessError, checkStorePath, type FileEntry, type SyncFileAccess, type WriteOptions } from 'trainbook/core';

export interface MemoryFiles extends SyncFileAccess {
  /** Path → content (a string or bytes) for files, null for folders, { link } for links. */
  readonly entries: Map<string, string | Uint8Array | null | { link: string }>;
  readonly log: string[];
  /** Makes the next operation of this kind on a path starting with `prefix` fail. */
  failNext(op: string, prefix: string): void;
}

export function memoryFiles(initial: Record<string, string | { link: string }> = {}): MemoryFiles {
  const entries = new Map<string, string | Uint8Array | null | { link: string }>();
  const log: string[] = [];
  let failure: { op: string; prefix: string } | null = null;
  const parents = (path: string): string[] => path.split('/').slice(0, -1).map((_, i, all) => all.slice(0, i + 1).join('/'));
  const check = (op: string, path: string): void => {
    checkStorePath(path);
    log.push(`${op} ${path}`);
    if (failure && failure.op === op && path.startsWith(failure.prefix)) {
      failure = null;
      throw new FileAccessError('io', path, `${op} failed (as the test asked)`);
    }
    for (const parent of [...parents(path), path]) {
      const entry = entries.get(parent);
      if (entry !== null && typeof entry === 'object' && !(entry instanceof Uint8Array) && parent !== path) throw new FileAccessError('link', parent, `${parent} is a link`);
    }
  };
  const isLink = (entry: unknown): entry is { link: string } => typeof entry === 'object' && entry !== null && !(entry instanceof Uint8Array);
  const mkdirs = (path: string): void => {
    for (const parent of parents(path)) if (!entries.has(parent)) entries.set(parent, null);
  };
  for (const [path, content] of Object.entries(initial)) {
    mkdirs(path);
    entries.set(path, content);
  }
  const read = (path: string): string | Uint8Array | null => {
    check('read', path);
    const entry = entries.get(path);
    if (entry === undefined) return null;
    if (isLink(entry)) throw new FileAccessError('link', path, `${path} is a link`);
    if (entry === null) throw new FileAccessError('io', path, `${path} is a folder`);
    return entry;
  };
  return {
    entries,
    log,
    failNext(op, prefix) {
      failure = { op, prefix };
    },
    list(path: string): FileEntry[] | null {
      check('list', path);
      if (path !== '' && entries.get(path) !== null) {
        if (isLink(entries.get(path))) throw new FileAccessError('link', path, `${path} is a link`);
        return null;
      }
      const prefix = path === '' ? '' : `${path}/`;
      const found: FileEntry[] = [];
      for (const [name, entry] of entries) {
        if (!name.startsWith(prefix) || name.slice(prefix.length).includes('/') || name === path) continue;
        found.push({ name: name.slice(prefix.length), kind: entry === null ? 'directory' : isLink(entry) ? 'link' : 'file', ...(isLink(entry) ? { target: entry.link } : {}) });
      }
      return found;
    },
    readText(path) {
      const data = read(path);
      return data === null ? null : typeof data === 'string' ? data : new TextDecoder().decode(data);
    },
    readBytes(path) {
      const data = read(path);
      return data === null ? null : typeof data === 'string' ? new TextEncoder().encode(data) : data;
    },
    write(path: string, data: string | Uint8Array, options?: WriteOptions) {
      check('write', path);
      if (options?.exclusive && entries.has(path)) throw new FileAccessError('exists', path, `${path} exists`);
      if (isLink(entries.get(path))) throw new FileAccessError('link', path, `${path} is a link`);
      mkdirs(path);
      entries.set(path, data);
    },
    rename(from: string, to: string) {
      check('rename', from);
      if (entries.has(to)) throw new FileAccessError('exists', to, `${to} exists`);
      for (const [name, entry] of [...entries]) {
        if (name === from || name.startsWith(`${from}/`)) {
          entries.delete(name);
          entries.set(to + name.slice(from.length), entry);
        }
      }
    },
    remove(path: string) {
      check('remove', path);
      for (const name of [...entries.keys()]) if (name === path || name.startsWith(`${path}/`)) entries.delete(name);
    },
  };
}
