import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors.js';
import { installServerExtension, jupyterPython, type ServerExtensionInstall } from './jupyterServerInstall.js';

/** The package root (where package.json and the prebuilt `labextension/` are). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const LABEXTENSION_NAME = 'trainbook';

export interface JupyterInstallOptions {
  /** Python prefix (a venv or sys.prefix): installs into `<prefix>/share/jupyter`. */
  prefix?: string;
  /** Symlink instead of copy (for development: rebuilds show up without reinstalling). */
  link?: boolean;
  /** Also write a kernelspec for tslab when it is installed (default true). */
  kernel?: boolean;
  /** Also install the Jupyter Server extension that serves the team hub's runs (default true). */
  server?: boolean;
  cwd: string;
}

export interface JupyterInstallResult {
  dataDir: string;
  labextension: string;
  kernelspec: string | null;
  /** The server extension (package and enabling config), null when not installed. */
  server: ServerExtensionInstall | null;
  notes: string[];
}

/**
 * Installs the prebuilt JupyterLab extension (and a tslab kernelspec) into a Jupyter data folder,
 * and the server extension into the Python that runs Jupyter, the way a pip package of a prebuilt
 * extension would: no lab rebuild, no network.
 */
export function installIntoJupyter(options: JupyterInstallOptions): JupyterInstallResult {
  const source = path.join(PACKAGE_ROOT, 'labextension');
  if (!fs.existsSync(path.join(source, 'package.json'))) {
    throw new UsageError(`This trainbook package has no prebuilt labextension at ${source}. In a source checkout, run \`npm run build\` first.`);
  }
  const prefix = options.prefix ? path.resolve(options.cwd, options.prefix) : null;
  const dataDir = prefix ? path.join(prefix, 'share', 'jupyter') : jupyterUserDataDir();
  const target = path.join(dataDir, 'labextensions', LABEXTENSION_NAME);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.rmSync(target, { recursive: true, force: true });
  if (options.link) fs.symlinkSync(source, target, 'dir');
  else fs.cpSync(source, target, { recursive: true });

  const notes: string[] = [];
  let kernelspec: string | null = null;
  if (options.kernel !== false) {
    const tslab = resolveTslab(options.cwd);
    if (tslab) {
      kernelspec = path.join(dataDir, 'kernels', 'tslab');
      fs.mkdirSync(kernelspec, { recursive: true });
      const spec = {
        argv: [process.execPath, tslab, 'kernel', '--config-path', '{connection_file}'],
        display_name: 'TypeScript',
        language: 'typescript',
      };
      fs.writeFileSync(path.join(kernelspec, 'kernel.json'), `${JSON.stringify(spec, null, 2)}\n`);
    } else {
      notes.push('tslab is not installed here, so no TypeScript kernel was set up: `npm install tslab` and run this again.');
    }
  }
  let server: ServerExtensionInstall | null = null;
  if (options.server !== false) {
    const python = jupyterPython(prefix);
    if (python) server = installServerExtension({ packageRoot: PACKAGE_ROOT, python, prefix, link: options.link ?? false });
    else notes.push(`No Python found${prefix ? ` in ${prefix}/bin` : ' behind `jupyter` on PATH'}, so the server extension (the team hub's runs in the panel) was not installed.`);
  }
  return { dataDir, labextension: target, kernelspec, server, notes };
}

function resolveTslab(cwd: string): string | null {
  for (const base of [path.join(cwd, 'noop.js'), path.join(PACKAGE_ROOT, 'noop.js')]) {
    try {
      const manifest = createRequire(base).resolve('tslab/package.json');
      const bin = path.join(path.dirname(manifest), 'bin', 'tslab');
      if (fs.existsSync(bin)) return bin;
    } catch {
      // Not installed where this base looks.
    }
  }
  return null;
}

function jupyterUserDataDir(): string {
  try {
    return execFileSync('jupyter', ['--data-dir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    throw new UsageError('`jupyter` is not on PATH: activate the environment that runs JupyterLab, or pass --prefix <python prefix>.');
  }
}
