/**
 * Which Python runs the notebook driver: the one of the Jupyter installation, since that is where
 * jupyter_client, nbclient and the kernelspecs live. Pure: the file system is asked through a function.
 */
import * as path from 'node:path';

export type PythonSource = 'option' | 'env' | 'venv' | 'path';

/**
 * `--jupyter-python`, else `TRAINBOOK_PYTHON`, else the python of a `.venv` found walking up from
 * the notebook's folder, else `python3` on PATH.
 *
 * @example
 * resolvePython({ notebookDir: '/w/project', env: process.env, isFile: (f) => fs.existsSync(f) });
 * // { python: '/w/.venv/bin/python', source: 'venv' }
 */
export function resolvePython(options: {
  option?: string | undefined;
  notebookDir: string;
  env: NodeJS.ProcessEnv;
  isFile: (file: string) => boolean;
  platform?: NodeJS.Platform;
}): { python: string; source: PythonSource } {
  if (options.option) return { python: options.option, source: 'option' };
  if (options.env.TRAINBOOK_PYTHON) return { python: options.env.TRAINBOOK_PYTHON, source: 'env' };
  const windows = (options.platform ?? process.platform) === 'win32';
  const relative = windows ? path.join('.venv', 'Scripts', 'python.exe') : path.join('.venv', 'bin', 'python');
  for (let dir = path.resolve(options.notebookDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (options.isFile(candidate)) return { python: candidate, source: 'venv' };
    if (path.dirname(dir) === dir) break;
  }
  return { python: windows ? 'python' : 'python3', source: 'path' };
}
