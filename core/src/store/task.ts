/**
 * Store logic written once, run over either file-access implementation. A task is a generator
 * that yields file operations ({@link FileOp}) and receives their results; it never touches a file
 * itself, so it is pure and runs the same in Node and in the browser:
 *
 * ```ts
 * function* runNames(): StoreTask<string[]> {
 *   const entries = yield* list('runs');
 *   return (entries ?? []).filter((e) => e.kind === 'directory').map((e) => e.name);
 * }
 * runSync(runNames(), nodeFiles);        // SDK: answers at once
 * await runAsync(runNames(), contents);  // extension: Contents API
 * ```
 */
import { applyOp, type AsyncFileAccess, type FileEntry, type FileOp, type SyncFileAccess, type WriteOptions } from './files.js';

export type StoreTask<T> = Generator<FileOp, T, unknown>;

/** Runs a task against files that answer at once. Errors thrown by an operation reach the task, which may catch them. */
export function runSync<T>(task: StoreTask<T>, files: SyncFileAccess): T {
  let step = task.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = applyOp(files, step.value);
    } catch (error) {
      step = task.throw(error);
      continue;
    }
    step = task.next(result);
  }
  return step.value;
}

/** Runs a task against files that answer later. */
export async function runAsync<T>(task: StoreTask<T>, files: AsyncFileAccess): Promise<T> {
  let step = task.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = await applyOp(files, step.value);
    } catch (error) {
      step = task.throw(error);
      continue;
    }
    step = task.next(result);
  }
  return step.value;
}

/** Runs several tasks one after another; the async runner may overlap their I/O in the future. */
export function* all<T>(tasks: Iterable<StoreTask<T>>): StoreTask<T[]> {
  const results: T[] = [];
  for (const task of tasks) results.push(yield* task);
  return results;
}

// The operations, typed: `const text = yield* readText('store.json')`.

export function* list(path: string): StoreTask<FileEntry[] | null> {
  return (yield { op: 'list', path }) as FileEntry[] | null;
}

export function* readText(path: string): StoreTask<string | null> {
  return (yield { op: 'readText', path }) as string | null;
}

export function* readBytes(path: string): StoreTask<Uint8Array | null> {
  return (yield { op: 'readBytes', path }) as Uint8Array | null;
}

export function* write(path: string, data: string | Uint8Array, options?: WriteOptions): StoreTask<void> {
  yield options ? { op: 'write', path, data, options } : { op: 'write', path, data };
}

export function* rename(from: string, to: string): StoreTask<void> {
  yield { op: 'rename', from, to };
}

export function* remove(path: string): StoreTask<void> {
  yield { op: 'remove', path };
}
