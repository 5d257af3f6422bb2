/**
 * Which Python runs the notebook driver: the one of the Jupyter installation, since that is where
 * jupyter_client, nbclient and the kernelspecs live. Pure: the file system is asked through a
 * function (statFacts() is the real one).
 *
 * A `.venv` is only looked for where the user put it (the notebook's folder and the project
 * root), never in any folder above, and only used when it is the user's own: a `.venv` planted in
 * a shared folder such as the system's temp folder must not run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type PythonSource = 'option' | 'env' | 'venv' | 'path';

/** What resolvePython() needs to know of a file or folder (following symlinks). */
export interface FileFacts {
  uid: number;
  /** Permission bits, as in `fs.Stats.mode`. */
  mode: number;
  isFile: boolean;
  isDirectory: boolean;
}

/** The facts of `file` from the real file system (symlinks followed), or null when it does not exist. */
export function statFacts(file: string): FileFacts | null {
  try {
    const stats = fs.statSync(file);
    return { uid: stats.uid, mode: stats.mode, isFile: stats.isFile(), isDirectory: stats.isDirectory() };
  } catch {
    return null;
  }
}

/** Files whose presence marks a project root. */
const PROJECT_MARKERS = ['package.json', '.git'];

/**
 * The project root of a notebook: the nearest folder, walking up from `startDir`, that holds a
 * `package.json` or `.git`; null when there is none. Pure.
 */
export function findProjectRoot(startDir: string, exists: (file: string) => boolean): string | null {
  for (let dir = path.resolve(startDir); ; dir = path.dirname(dir)) {
    if (PROJECT_MARKERS.some((marker) => exists(path.join(dir, marker)))) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * Why a `.venv` part cannot be trusted, or null when it can: it must belong to `uid` or root and
 * not be writable by group or others. Pure.
 */
export function untrustedReason(facts: FileFacts, uid: number): string | null {
  if (facts.uid !== uid && facts.uid !== 0) return `it belongs to another user (uid ${facts.uid})`;
  if ((facts.mode & 0o022) !== 0) return `it is writable by ${(facts.mode & 0o020) !== 0 ? 'its group' : 'other users'} (mode ${(facts.mode & 0o777).toString(8)})`;
  return null;
}

/**
 * `--jupyter-python`, else `TRAINBOOK_PYTHON`, else the python of a `.venv` in the notebook's
 * folder or else in its project root (see findProjectRoot()), else `python3` on PATH. A `.venv`
 * whose folder, `bin` folder or interpreter belongs to another user (not root) or is writable by
 * group or others is skipped, with a line in `warnings`; `uid` null (Windows) skips that check.
 *
 * @example
 * resolvePython({ notebookDir: '/w/project/nb', env: process.env, stat: statFacts, uid: process.getuid?.() ?? null });
 * // { python: '/w/project/.venv/bin/python', source: 'venv', warnings: [] } when /w/project holds package.json or .git
 */
export function resolvePython(options: {
  option?: string | undefined;
  notebookDir: string;
  env: NodeJS.ProcessEnv;
  stat: (file: string) => FileFacts | null;
  uid: number | null;
  platform?: NodeJS.Platform;
}): { python: string; source: PythonSource; warnings: string[] } {
  const warnings: string[] = [];
  if (options.option) return { python: options.option, source: 'option', warnings };
  if (options.env.TRAINBOOK_PYTHON) return { python: options.env.TRAINBOOK_PYTHON, source: 'env', warnings };
  const windows = (options.platform ?? process.platform) === 'win32';
  const notebookDir = path.resolve(options.notebookDir);
  const root = findProjectRoot(notebookDir, (file) => options.stat(file) !== null);
  for (const dir of new Set([notebookDir, ...(root ? [root] : [])])) {
    const venv = path.join(dir, '.venv');
    const bin = path.join(venv, windows ? 'Scripts' : 'bin');
    const python = path.join(bin, windows ? 'python.exe' : 'python');
    const interpreter = options.stat(python);
    if (!interpreter?.isFile) continue;
    const problem = options.uid === null ? null : trustProblem([venv, bin, python], options.stat, options.uid);
    if (!problem) return { python, source: 'venv', warnings };
    warnings.push(`not using ${python}: ${problem}. Pass --jupyter-python <path> or set TRAINBOOK_PYTHON to choose the Python of your Jupyter installation.`);
  }
  return { python: windows ? 'python' : 'python3', source: 'path', warnings };
}

/** The first of `files` that cannot be trusted, with why, or null when all can. */
function trustProblem(files: readonly string[], stat: (file: string) => FileFacts | null, uid: number): string | null {
  for (const file of files) {
    const facts = stat(file);
    const reason = facts ? untrustedReason(facts, uid) : 'it cannot be read';
    if (reason) return `${file} cannot be trusted: ${reason}`;
  }
  return null;
}
