/**
 * All of the extension's store I/O, through the Jupyter server's Contents API only: the sidecar
 * store `<stem>.trainbook/` beside a notebook. Reads go through the SDK's pure readers
 * (coerceRunRecord, parseEvents, collectSeries); writes use frameEvent for events.jsonl.
 * Whole-file saves: the server writes them atomically (temporary file, then rename).
 *
 * Links. Jupyter Server follows symbolic links, and nothing in a Contents model tells a linked
 * folder from a real one, so a store from someone else could hold `executions -> ~/elsewhere` and
 * have the extension write there. The extension therefore writes only into folders it can vouch
 * for ({@link ExperimentStore.vouchedFolder}): one it has just made itself (Jupyter makes a folder
 * with mkdir, which never follows a link), or one that holds this kind of trainbook record already
 * (a run folder with its run.json, an execution record), which a folder elsewhere on the machine
 * does not. It never makes store.json in a folder it did not make. What it cannot tell is a link
 * to another trainbook folder, such as another store's `executions/`.
 */
import type { Contents } from '@jupyterlab/services';
import { crc32String, frameEvent, parseEvents, collectOutput, collectSeries, type RunOutput, type Series, coerceRunRecord, ARCHIVE_CLAIM_NAME, ARCHIVE_CLAIMS_DIR, parseArchiveClaim, type ArchiveClaim, STORE_FORMAT, type RunEvent, type RunRecord, type ExecutionRecord } from 'trainbook/core';

const RUN_ID = /^[0-9]{8}-[0-9]{9}-[0-9a-z]{5}$/;
/** How many run.json files are fetched at once. */
const CONCURRENCY = 6;

/** The store folder of a notebook, as a server path: `a/b/train.ipynb` → `a/b/train.trainbook`. */
export function storeDirOf(notebookPath: string): string {
  const slash = notebookPath.lastIndexOf('/');
  const dir = slash === -1 ? '' : notebookPath.slice(0, slash + 1);
  const name = notebookPath.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return `${dir}${stem}.trainbook`;
}

export interface StoredRun {
  record: RunRecord;
  /** The run folder's last_modified, to skip re-reading unchanged runs. */
  modified: string;
}

export interface RunListing {
  runs: StoredRun[];
  /** Runs that could not be read: shown, never thrown. */
  problems: Array<{ id: string; reason: string }>;
  /** Archive name per archived run id (`trainbook archive`). */
  archives: Map<string, string>;
}

const isNotFound = (error: unknown): boolean => {
  const status = (error as { response?: { status?: number } })?.response?.status;
  return status === 404;
};

/** A folder the extension would write into, but cannot vouch for: nothing was written. */
export class StoreFolderError extends Error {
  override readonly name = 'StoreFolderError';
}

/** How many existing records are looked at to vouch for a folder. */
const PROOF_CANDIDATES = 3;

export class ExperimentStore {
  /** Folders seen to be the store's own this session (the store, its runs/ and executions/). */
  private readonly vouched = new Set<string>();
  private readonly cache = new Map<string, StoredRun>();
  /** Archive claim files never change once written: each one read whole is kept. */
  private readonly claims = new Map<string, ArchiveClaim>();
  /** Folders seen to exist, so polling does not look them up each time. */
  private readonly known = new Set<string>();

  constructor(private readonly contents: Contents.IManager) {}

  /** Every run of the notebook's store; unchanged runs come from the cache. A missing store is empty. */
  async listRuns(notebookPath: string): Promise<RunListing> {
    const runsDir = `${storeDirOf(notebookPath)}/runs`;
    let listing: Contents.IModel;
    // Probing a missing folder would log a 404 in the browser console: look at the parent first.
    if (!this.known.has(runsDir) && ((await this.entryType(storeDirOf(notebookPath))) !== 'directory' || (await this.entryType(runsDir)) !== 'directory')) {
      return { runs: [], problems: [], archives: new Map() };
    }
    this.known.add(runsDir);
    try {
      listing = await this.contents.get(runsDir, { content: true, type: 'directory' });
    } catch (error) {
      this.known.delete(runsDir);
      if (isNotFound(error)) return { runs: [], problems: [], archives: new Map() };
      throw error;
    }
    const entries = (Array.isArray(listing.content) ? (listing.content as Contents.IModel[]) : []).filter((e) => e.type === 'directory' && RUN_ID.test(e.name));
    const runs: StoredRun[] = [];
    const problems: RunListing['problems'] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < entries.length) {
        const entry = entries[next++]!;
        const key = `${runsDir}/${entry.name}`;
        const cached = this.cache.get(key);
        if (cached && cached.modified === entry.last_modified && cached.record.status !== 'running') {
          runs.push(cached);
          continue;
        }
        try {
          const file = await this.contents.get(`${key}/run.json`, { content: true, type: 'file', format: 'text' });
          const record = coerceRunRecord(JSON.parse(String(file.content)));
          if (typeof record === 'string') problems.push({ id: entry.name, reason: record });
          else if (record.id !== entry.name) problems.push({ id: entry.name, reason: `run.json says id ${JSON.stringify(record.id)}` });
          else {
            const stored = { record, modified: entry.last_modified };
            this.cache.set(key, stored);
            runs.push(stored);
          }
        } catch (error) {
          // A run folder whose run.json is not written yet, or is damaged.
          // A parse error quotes the text it choked on: not shown, the file may be a link to anything.
          if (!isNotFound(error)) problems.push({ id: entry.name, reason: error instanceof SyntaxError ? 'run.json is not valid JSON' : error instanceof Error ? error.message : String(error) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, entries.length) }, worker));
    runs.sort((a, b) => (a.record.id < b.record.id ? -1 : 1));
    return { runs, problems, archives: await this.readArchives(storeDirOf(notebookPath)) };
  }

  /**
   * The store's archives, from its `archives/v<N>` claim files (the highest version per run); none
   * when it has no such folder. Archive names are a detail: a problem reading them never fails the
   * listing, and a claim not readable yet (being written) is tried again next time.
   */
  private async readArchives(store: string): Promise<Map<string, string>> {
    const best = new Map<string, { version: number; name: string }>();
    try {
      if ((await this.entryType(`${store}/${ARCHIVE_CLAIMS_DIR}`)) !== 'directory') return new Map();
      const listing = await this.contents.get(`${store}/${ARCHIVE_CLAIMS_DIR}`, { content: true, type: 'directory' });
      const files = (Array.isArray(listing.content) ? (listing.content as Contents.IModel[]) : []).filter((e) => e.type === 'file' && ARCHIVE_CLAIM_NAME.test(e.name));
      for (const file of files) {
        let claim = this.claims.get(file.path) ?? null;
        if (!claim) {
          try {
            const model = await this.contents.get(file.path, { content: true, type: 'file', format: 'text' });
            claim = parseArchiveClaim(String(model.content));
          } catch {
            claim = null;
          }
          if (claim) this.claims.set(file.path, claim);
        }
        const version = Number(file.name.slice(1));
        if (claim && RUN_ID.test(claim.run) && (best.get(claim.run)?.version ?? 0) < version) best.set(claim.run, { version, name: claim.name });
      }
    } catch {
      // Shown without archive marks this time.
    }
    return new Map([...best].map(([run, { name }]) => [run, name]));
  }

  /** A run's metric series from its events.jsonl (torn or damaged lines are skipped by parseEvents). */
  async readSeries(notebookPath: string, runId: string): Promise<Map<string, Series>> {
    return collectSeries(await this.readEvents(notebookPath, runId));
  }

  /** What a run's process printed while it was active. */
  async readOutput(notebookPath: string, runId: string): Promise<RunOutput> {
    return collectOutput(await this.readEvents(notebookPath, runId));
  }

  private async readEvents(notebookPath: string, runId: string): Promise<RunEvent[]> {
    if (!RUN_ID.test(runId)) return [];
    try {
      const file = await this.contents.get(`${storeDirOf(notebookPath)}/runs/${runId}/events.jsonl`, { content: true, type: 'file', format: 'text' });
      return parseEvents(new TextEncoder().encode(String(file.content))).events;
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
  }

  /** Writes a run the extension made (a tagged cell that never called the SDK). */
  async writeRun(notebookPath: string, record: RunRecord, events: RunEvent[]): Promise<void> {
    if (!RUN_ID.test(record.id)) throw new Error(`not a run id: ${record.id}`);
    const store = await this.ensureStore(notebookPath);
    const runs = await this.vouchedFolder(store, 'runs');
    const dir = `${runs}/${record.id}`;
    // A fresh id: the folder is made here, never one that is there already.
    if ((await this.entryType(dir)) !== null) throw new StoreFolderError(`${dir} exists already; the run was not written.`);
    await this.contents.save(dir, { type: 'directory' });
    await this.saveText(`${dir}/events.jsonl`, events.map((e) => frameEvent(e, crc32String)).join(''));
    await this.saveText(`${dir}/run.json`, `${JSON.stringify(record, null, 2)}\n`);
  }

  /** One file per execution of a tagged cell: `executions/<id>.json`. Never rewritten. */
  async writeExecution(notebookPath: string, execution: ExecutionRecord): Promise<void> {
    if (!RUN_ID.test(execution.id)) throw new Error(`not an execution id: ${execution.id}`);
    const store = await this.ensureStore(notebookPath);
    const executions = await this.vouchedFolder(store, 'executions');
    await this.saveText(`${executions}/${execution.id}.json`, `${JSON.stringify(execution, null, 2)}\n`);
  }

  /**
   * The notebook's store folder, made (with its store.json) when there is none. An existing
   * folder counts only when it holds a store.json: the extension never adopts a folder it did not
   * make (`train.trainbook` could be a link to a folder elsewhere).
   */
  private async ensureStore(notebookPath: string): Promise<string> {
    const store = storeDirOf(notebookPath);
    if (this.vouched.has(store)) return store;
    const type = await this.entryType(store);
    if (type === null) {
      await this.contents.save(store, { type: 'directory' });
      const name = notebookPath.slice(notebookPath.lastIndexOf('/') + 1);
      await this.saveText(`${store}/store.json`, `${JSON.stringify({ format: STORE_FORMAT, notebook: name })}\n`);
    } else if (type !== 'directory') {
      throw new StoreFolderError(`${store} exists and is not a folder; nothing was written.`);
    } else if ((await this.entryType(`${store}/store.json`)) !== 'file') {
      throw new StoreFolderError(
        `${store} holds no store.json, so it is not a trainbook store; the extension writes only into stores. If it is one, run \`trainbook doctor --repair ${store}\`.`,
      );
    }
    this.vouched.add(store);
    return store;
  }

  /**
   * `store/name` (runs or executions) once the extension can vouch that it is the store's own
   * folder: made here just now, or holding a record of its kind already. Otherwise it may be a
   * link to a folder elsewhere (Jupyter follows links and cannot say), and nothing is written.
   */
  private async vouchedFolder(store: string, name: 'runs' | 'executions'): Promise<string> {
    const dir = `${store}/${name}`;
    if (this.vouched.has(dir)) return dir;
    const type = await this.entryType(dir);
    if (type === null) {
      await this.contents.save(dir, { type: 'directory' }); // mkdir: refuses a link that appeared meanwhile
    } else if (type !== 'directory') {
      throw new StoreFolderError(`${dir} exists and is not a folder (it may be a link that points nowhere); nothing was written.`);
    } else if (!(await (name === 'runs' ? this.holdsRun(dir) : this.holdsExecution(dir)))) {
      throw new StoreFolderError(
        `${dir} holds no trainbook ${name === 'runs' ? 'run' : 'execution record'}, so the extension cannot tell it from a link to a folder elsewhere (Jupyter follows links); nothing was written. \`trainbook doctor\` says whether it is a link; if it is an empty folder of the store, delete it and trainbook makes it anew.`,
      );
    }
    this.vouched.add(dir);
    return dir;
  }

  /** Whether the folder holds a run folder whose run.json names it. */
  private async holdsRun(dir: string): Promise<boolean> {
    for (const entry of (await this.list(dir)).filter((e) => e.type === 'directory' && RUN_ID.test(e.name)).slice(0, PROOF_CANDIDATES)) {
      const cached = this.cache.get(`${dir}/${entry.name}`);
      if (cached?.record.id === entry.name) return true;
      const record = coerceRunRecord(await this.readJson(`${dir}/${entry.name}/run.json`));
      if (typeof record !== 'string' && record.id === entry.name) return true;
    }
    return false;
  }

  /** Whether the folder holds an execution record `<id>.json` whose id is its name. */
  private async holdsExecution(dir: string): Promise<boolean> {
    for (const entry of (await this.list(dir)).filter((e) => e.type === 'file' && e.name.endsWith('.json') && RUN_ID.test(e.name.slice(0, -5))).slice(0, PROOF_CANDIDATES)) {
      const record = await this.readJson(`${dir}/${entry.name}`);
      if (typeof record === 'object' && record !== null && (record as { id?: unknown }).id === entry.name.slice(0, -5)) return true;
    }
    return false;
  }

  private async list(dir: string): Promise<Contents.IModel[]> {
    const listing = await this.contents.get(dir, { content: true, type: 'directory' });
    return Array.isArray(listing.content) ? (listing.content as Contents.IModel[]) : [];
  }

  /** A file's JSON, or undefined when it cannot be read or parsed. */
  private async readJson(path: string): Promise<unknown> {
    try {
      return JSON.parse(String((await this.contents.get(path, { content: true, type: 'file', format: 'text' })).content));
    } catch {
      return undefined;
    }
  }

  /** The type of the entry at `path`, or null when there is none, from its parent's listing. */
  private async entryType(path: string): Promise<string | null> {
    const slash = path.lastIndexOf('/');
    const parent = slash === -1 ? '' : path.slice(0, slash);
    const name = path.slice(slash + 1);
    let listing: Contents.IModel;
    try {
      listing = await this.contents.get(parent, { content: true, type: 'directory' });
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const entries = Array.isArray(listing.content) ? (listing.content as Contents.IModel[]) : [];
    return entries.find((e) => e.name === name)?.type ?? null;
  }

  private async saveText(path: string, content: string): Promise<void> {
    await this.contents.save(path, { type: 'file', format: 'text', content });
  }
}
