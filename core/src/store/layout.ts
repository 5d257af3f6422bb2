/**
 * The store's layout: every file and folder name of format v1, in one place. Paths are
 * '/'-separated and relative to the store's root folder (what the file-access interfaces of
 * `files.ts` take). Pure.
 *
 * ```
 * train.trainbook/
 *   store.json                       {"format": 1, "notebook": "train.ipynb"}
 *   runs/<run-id>/run.json           the run's record, replaced atomically
 *   runs/<run-id>/events.jsonl       append-only, one CRC-framed record per line
 *   runs/<run-id>/writer.lock        the live writer's pid and host
 *   runs/<run-id>/archive.json       the run's archive marker (`trainbook archive`)
 *   runs/<run-id>/artifacts/         git.diff, models/<folder>/{model.json,weights.bin}, models/index.json
 *   archives/v<N>                    one claim per archive version, created exclusively
 *   executions/<id>.json             one record per execution of an experiment cell
 * ```
 */
/** `train.ipynb` keeps its runs in `train.trainbook/`. */
export const STORE_SUFFIX = '.trainbook';
/** The store of a script that is not a notebook: `./.trainbook/`. */
export const SCRIPT_STORE = '.trainbook';
export const MANIFEST_FILE = 'store.json';
export const RUNS_DIR = 'runs';
export const RUN_FILE = 'run.json';
export const EVENTS_FILE = 'events.jsonl';
export const LOCK_FILE = 'writer.lock';
export const ARCHIVE_FILE = 'archive.json';
export const ARTIFACTS_DIR = 'artifacts';
export const GIT_DIFF_FILE = 'git.diff';
export const MODELS_DIR = 'models';
export const MODEL_INDEX_FILE = 'index.json';
/** The two files of one saved model's folder (`models/<folder>/`), as tfjs-node's `file://` handler names them. */
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const ARCHIVE_CLAIMS_DIR = 'archives';
export const EXECUTIONS_DIR = 'executions';
/** Prefix of temporary files and folders written beside the one they will replace (`.run.json.<pid>.<n>.tmp`, model saves). */
export const TEMP_PREFIX = '.tmp-';
/**
 * Prefix of a finished run's folder while it is written aside, before a rename makes it visible
 * (`runs/tmp-<token>-<id>`). Not a dot name: the Jupyter server refuses hidden names (allow_hidden
 * is off by default), and the extension writes cell runs this way too. Readers skip such folders.
 */
export const ASIDE_PREFIX = 'tmp-';
/** The folder a finished run is written in before it is renamed to `runs/<id>`. */
export const asideRunDir = (token: string, runId: string): string => storePath(RUNS_DIR, `${ASIDE_PREFIX}${token}-${runId}`);

/** Joins store-relative path segments with '/'. */
export function storePath(...segments: string[]): string {
  return segments.filter((s) => s !== '').join('/');
}

export const runDir = (runId: string): string => storePath(RUNS_DIR, runId);
export const runFile = (runId: string): string => storePath(RUNS_DIR, runId, RUN_FILE);
export const eventsFile = (runId: string): string => storePath(RUNS_DIR, runId, EVENTS_FILE);
export const lockFile = (runId: string): string => storePath(RUNS_DIR, runId, LOCK_FILE);
export const archiveMarkerFile = (runId: string): string => storePath(RUNS_DIR, runId, ARCHIVE_FILE);
export const artifactsDir = (runId: string): string => storePath(RUNS_DIR, runId, ARTIFACTS_DIR);
export const modelsDir = (runId: string): string => storePath(RUNS_DIR, runId, ARTIFACTS_DIR, MODELS_DIR);
export const executionFile = (executionId: string): string => storePath(EXECUTIONS_DIR, `${executionId}.json`);

/**
 * The store folder of a notebook, as a '/'-separated path: `a/b/train.ipynb` → `a/b/train.trainbook`.
 * The SDK (Node paths) and the extension (server paths) both use it.
 *
 * @example
 * storeDirOfNotebook('examples/train.ipynb'); // 'examples/train.trainbook'
 */
export function storeDirOfNotebook(notebookPath: string): string {
  const slash = Math.max(notebookPath.lastIndexOf('/'), notebookPath.lastIndexOf('\\'));
  const dir = slash === -1 ? '' : notebookPath.slice(0, slash + 1);
  const name = notebookPath.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return `${dir}${stem}${STORE_SUFFIX}`;
}
