import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './sdk.js';

export const VENV_PYTHON = path.join(ROOT, '.venv', 'bin', 'python');

export interface IopubMessage {
  cell: number;
  during: number;
  msg_type: string;
  content: Record<string, any>;
}

export function requireKernel(): void {
  if (!fs.existsSync(VENV_PYTHON) || !fs.existsSync(path.join(ROOT, '.venv/share/jupyter/kernels/tslab/kernel.json'))) {
    throw new Error('The JupyterLab venv or the tslab kernelspec is missing: run `bash scripts/setup.sh` (npm test does).');
  }
}

/** A folder where `import 'trainbook'` resolves to this checkout, as in a user's project. */
export function linkProject(dir: string): void {
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'trainbook'), 'dir');
}

/** Runs cells in a real tslab kernel (through jupyter_client) and returns its iopub messages. */
export function runInKernel(cwd: string, cells: string[], options: { env?: NodeJS.ProcessEnv; linger?: number } = {}): IopubMessage[] {
  const spec = path.join(cwd, `.cells-${Date.now()}.json`);
  fs.writeFileSync(spec, JSON.stringify({ cells, linger: options.linger ?? 0 }));
  const jupyterPath = path.join(ROOT, '.venv', 'share', 'jupyter');
  const result = spawnSync(VENV_PYTHON, [path.join(ROOT, 'test/helpers/kernel_driver.py'), cwd, spec], {
    encoding: 'utf8',
    env: { ...process.env, JUPYTER_PATH: jupyterPath, TRAINBOOK_DIR: '', ...options.env },
    timeout: 180_000,
    maxBuffer: 256 << 20,
  });
  if (result.status !== 0) throw new Error(`kernel driver failed (${result.status}): ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as IopubMessage);
}
