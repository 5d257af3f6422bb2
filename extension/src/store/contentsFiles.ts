/**
 * The store's file access over the Jupyter server's Contents API (the core's AsyncFileAccess): all
 * of the extension's store I/O. The core's store tasks run over it with `runAsync`.
 *
 * No 404 in the browser's console: a folder that may be missing is looked up in its parent's
 * listing first, and folders seen to exist are remembered.
 *
 * Links. Jupyter Server follows symbolic links, and nothing in a Contents model tells a linked
 * folder from a real one, so a store from someone else could hold `executions -> ~/elsewhere` and
 * have the extension write there. So this writes only into folders it can vouch for: one it has
 * just made itself (Jupyter makes a folder with mkdir, which never follows a link), the store's
 * folder when it holds a store.json (never adopted without one), and `runs/` or `executions/` when
 * they hold a trainbook record of their kind already, which a folder elsewhere on the machine does
 * not. What it cannot tell is a link to another trainbook folder, such as another store's
 * `executions/`. Exclusive writes are checked against the listing (the Contents API has no
 * exclusive create): good enough for ids that are new.
 */
import type { Contents } from '@jupyterlab/services';
import { EXECUTIONS_DIR, FileAccessError, MANIFEST_FILE, RUN_FILE, RUNS_DIR, coerceRunRecord, isRunId, storePath, type AsyncFileAccess, type FileEntry, type WriteOptions } from 'trainbook/core';

/** A folder the extension would write into, but cannot vouch for: nothing was written. */
export class StoreFolderError extends Error {
  override readonly name = 'StoreFolderError';
}

/** How many existing records are looked at to vouch for a folder. */
const PROOF_CANDIDATES = 3;

const statusOf = (error: unknown): number | undefined => (error as { response?: { status?: number } })?.response?.status;
const isNotFound = (error: unknown): boolean => statusOf(error) === 404;

export class ContentsFiles implements AsyncFileAccess {
  /** Store-relative folders seen to be the store's own (made here, or vouched for). */
  private readonly vouched = new Set<string>();
  /** Server paths of folders seen to exist, so polling does not look them up each time. */
  private readonly known = new Set<string>();

  /** `root`: the store's folder as a server path (`a/b/train.trainbook`). */
  constructor(
    private readonly contents: Contents.IManager,
    readonly root: string,
  ) {}

  async list(path: string): Promise<FileEntry[] | null> {
    const dir = this.server(path);
    const models = await this.listing(dir);
    return models?.map((model) => ({ name: model.name, kind: model.type === 'directory' ? 'directory' : 'file', modified: model.last_modified })) ?? null;
  }

  async readText(path: string): Promise<string | null> {
    const file = this.server(path);
    if (!this.known.has(parentOf(file)) && (await this.entryType(file)) === null) return null;
    try {
      return String((await this.contents.get(file, { content: true, type: 'file', format: 'text' })).content);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async readBytes(path: string): Promise<Uint8Array | null> {
    const text = await this.readText(path);
    return text === null ? null : new TextEncoder().encode(text);
  }

  async write(path: string, data: string | Uint8Array, options?: WriteOptions): Promise<void> {
    const slash = path.lastIndexOf('/');
    await this.vouchedFolder(slash === -1 ? '' : path.slice(0, slash));
    const file = this.server(path);
    if (options?.exclusive && (await this.entryType(file)) !== null) throw new FileAccessError('exists', path, `${file} exists already.`);
    await this.contents.save(file, typeof data === 'string' ? { type: 'file', format: 'text', content: data } : { type: 'file', format: 'base64', content: base64(data) });
  }

  async rename(from: string, to: string): Promise<void> {
    const slash = to.lastIndexOf('/');
    await this.vouchedFolder(slash === -1 ? '' : to.slice(0, slash));
    try {
      await this.contents.rename(this.server(from), this.server(to));
    } catch (error) {
      if (statusOf(error) === 409) throw new FileAccessError('exists', to, `${this.server(to)} exists already.`);
      throw error;
    }
  }

  /** Removes a file, or a folder with what it holds (the server deletes only empty folders). */
  async remove(path: string): Promise<void> {
    const target = this.server(path);
    const type = await this.entryType(target);
    if (type === null) return;
    if (type === 'directory') for (const entry of (await this.listing(target)) ?? []) await this.remove(storePath(path, entry.name));
    try {
      await this.contents.delete(target);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    this.known.delete(target);
  }

  private server(path: string): string {
    return path === '' ? this.root : `${this.root}/${path}`;
  }

  /** A folder's entries, or null when it does not exist (looked up in its parent first). */
  private async listing(dir: string): Promise<Contents.IModel[] | null> {
    if (!this.known.has(dir) && (await this.entryType(dir)) !== 'directory') return null;
    let model: Contents.IModel;
    try {
      model = await this.contents.get(dir, { content: true, type: 'directory' });
    } catch (error) {
      this.known.delete(dir);
      if (isNotFound(error)) return null;
      throw error;
    }
    this.known.add(dir);
    const entries = Array.isArray(model.content) ? (model.content as Contents.IModel[]) : [];
    for (const entry of entries) if (entry.type === 'directory') this.known.add(`${dir}/${entry.name}`);
    return entries;
  }

  /** The type of the entry at a server path, or null when there is none, from its parent's listing. */
  private async entryType(path: string): Promise<string | null> {
    const parent = parentOf(path);
    const name = path.slice(path.lastIndexOf('/') + 1);
    // The store's parent is the notebook's folder, which exists; below it, each level is looked up.
    if (parent !== parentOf(this.root) && !this.known.has(parent) && (await this.entryType(parent)) !== 'directory') return null;
    let model: Contents.IModel;
    try {
      model = await this.contents.get(parent, { content: true, type: 'directory' });
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const entries = Array.isArray(model.content) ? (model.content as Contents.IModel[]) : [];
    const type = entries.find((e) => e.name === name)?.type ?? null;
    if (type === 'directory') this.known.add(path);
    return type;
  }

  /**
   * A store folder (store-relative) once the extension can vouch that it is the store's own, made
   * here (with the folders above it) when missing. Otherwise it may be a link to a folder
   * elsewhere (Jupyter follows links and cannot say): StoreFolderError, nothing is written.
   */
  private async vouchedFolder(path: string): Promise<void> {
    if (this.vouched.has(path)) return;
    if (path !== '') await this.vouchedFolder(parentOf(path));
    const dir = this.server(path);
    const type = await this.entryType(dir);
    if (type === null) {
      await this.contents.save(dir, { type: 'directory' }); // mkdir: refuses a link that appeared meanwhile
      this.known.add(dir);
    } else if (type !== 'directory') {
      throw new StoreFolderError(`${dir} exists and is not a folder (it may be a link that points nowhere); nothing was written.`);
    } else if (path === '') {
      if ((await this.entryType(this.server(MANIFEST_FILE))) !== 'file') {
        throw new StoreFolderError(
          `${dir} holds no store.json, so it is not a trainbook store; the extension writes only into stores. If it is one, run \`trainbook doctor --repair ${dir}\`.`,
        );
      }
    } else if (path === RUNS_DIR || path === EXECUTIONS_DIR) {
      if (!(await (path === RUNS_DIR ? this.holdsRun(dir) : this.holdsExecution(dir)))) {
        throw new StoreFolderError(
          `${dir} holds no trainbook ${path === RUNS_DIR ? 'run' : 'execution record'}, so the extension cannot tell it from a link to a folder elsewhere (Jupyter follows links); nothing was written. \`trainbook doctor\` says whether it is a link; if it is an empty folder of the store, delete it and trainbook makes it anew.`,
        );
      }
    } else {
      throw new StoreFolderError(`${dir} exists and was not made by the extension, which cannot tell it from a link to a folder elsewhere; nothing was written.`);
    }
    this.vouched.add(path);
  }

  /** Whether the folder holds a run folder whose run.json names it. */
  private async holdsRun(dir: string): Promise<boolean> {
    const candidates = ((await this.listing(dir)) ?? []).filter((e) => e.type === 'directory' && isRunId(e.name)).slice(0, PROOF_CANDIDATES);
    for (const entry of candidates) {
      const record = coerceRunRecord(await this.readJson(`${dir}/${entry.name}/${RUN_FILE}`));
      if (typeof record !== 'string' && record.id === entry.name) return true;
    }
    return false;
  }

  /** Whether the folder holds an execution record `<id>.json` whose id is its name. */
  private async holdsExecution(dir: string): Promise<boolean> {
    const candidates = ((await this.listing(dir)) ?? []).filter((e) => e.type === 'file' && e.name.endsWith('.json') && isRunId(e.name.slice(0, -5))).slice(0, PROOF_CANDIDATES);
    for (const entry of candidates) {
      const record = await this.readJson(`${dir}/${entry.name}`);
      if (typeof record === 'object' && record !== null && (record as { id?: unknown }).id === entry.name.slice(0, -5)) return true;
    }
    return false;
  }

  /** A file's JSON, or undefined when it cannot be read or parsed. */
  private async readJson(path: string): Promise<unknown> {
    try {
      return JSON.parse(String((await this.contents.get(path, { content: true, type: 'file', format: 'text' })).content));
    } catch {
      return undefined;
    }
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
