/**
 * The one small interface through which the core reads and writes a store: list, read, write,
 * rename, remove. It is implemented exactly twice: over Node's fs in the SDK (fsync, no symlinks
 * followed, atomic rename) and over the Jupyter Contents API in the extension. Paths are
 * '/'-separated and relative to the store's root folder; an implementation never reaches outside
 * that root (`..` and absolute paths are refused).
 *
 * Node's fs answers at once and the Contents API answers later, so the core's store logic is
 * written as tasks (see `task.ts`) that either implementation runs: `runSync(task, files)` in the
 * SDK (where `init({ resume })` must stay synchronous) and `await runAsync(task, files)` elsewhere.
 */

/** What a folder entry is. A symbolic link is reported as such and never followed. */
export type EntryKind = 'file' | 'directory' | 'link' | 'other';

export interface FileEntry {
  name: string;
  kind: EntryKind;
  /** Last modification (ISO 8601), when the implementation knows it: lets readers skip unchanged files. */
  modified?: string;
  /** What a link points to, for messages (kind 'link' only, when it could be read). */
  target?: string;
}

export interface WriteOptions {
  /** Fail with `exists` when the path is already there (claims, such as `archives/v<N>`). */
  exclusive?: boolean;
}

/** Why a file operation failed, as the core needs to tell cases apart. */
export type FileErrorCode = 'not-found' | 'exists' | 'link' | 'outside' | 'io';

export class FileAccessError extends Error {
  override readonly name = 'FileAccessError';
  constructor(
    readonly code: FileErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** The operations, described as data: a task yields them, an implementation carries them out. */
export type FileOp =
  | { op: 'list'; path: string }
  | { op: 'readText'; path: string }
  | { op: 'readBytes'; path: string }
  | { op: 'write'; path: string; data: string | Uint8Array; options?: WriteOptions }
  | { op: 'rename'; from: string; to: string }
  | { op: 'remove'; path: string };

/**
 * A store's files, answering at once (Node fs). `list` and the reads return null for a path that
 * does not exist; the rest throw {@link FileAccessError}. `write` creates missing parent folders;
 * `remove` removes a file or a whole folder and does nothing when the path is missing.
 */
export interface SyncFileAccess {
  list(path: string): FileEntry[] | null;
  readText(path: string): string | null;
  readBytes(path: string): Uint8Array | null;
  write(path: string, data: string | Uint8Array, options?: WriteOptions): void;
  rename(from: string, to: string): void;
  remove(path: string): void;
}

/** The same operations answering later (the Jupyter Contents API, a network store). */
export interface AsyncFileAccess {
  list(path: string): Promise<FileEntry[] | null>;
  readText(path: string): Promise<string | null>;
  readBytes(path: string): Promise<Uint8Array | null>;
  write(path: string, data: string | Uint8Array, options?: WriteOptions): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
}

/**
 * Carries out one operation: the value at once from a synchronous implementation, a promise of it
 * from an asynchronous one (the task runners tell them apart).
 */
export function applyOp(files: SyncFileAccess | AsyncFileAccess, op: FileOp): unknown {
  switch (op.op) {
    case 'list':
      return files.list(op.path);
    case 'readText':
      return files.readText(op.path);
    case 'readBytes':
      return files.readBytes(op.path);
    case 'write':
      return files.write(op.path, op.data, op.options);
    case 'rename':
      return files.rename(op.from, op.to);
    case 'remove':
      return files.remove(op.path);
  }
}

/**
 * Checks a store-relative path: '/'-separated, no empty, `.` or `..` segment, not absolute, no NUL.
 * Both implementations call it before touching anything.
 *
 * @example
 * checkStorePath('runs/20261122-210850123-k3f9q/run.json'); // returns it
 * checkStorePath('../elsewhere'); // throws FileAccessError('outside')
 */
export function checkStorePath(path: string): string {
  if (path === '') return path;
  const segments = path.split('/');
  if (path.startsWith('/') || path.includes('\\') || path.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new FileAccessError('outside', path, `"${path}" is not a path inside the store.`);
  }
  return path;
}
