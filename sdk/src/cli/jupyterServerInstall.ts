/**
 * Installs trainbook's Jupyter Server extension (`sdk/python/trainbook_server`, standard library
 * and jupyter_server only) the way `pip install` would place it: the package into the Python's
 * site-packages, and a `jupyter_server_config.d/trainbook.json` that enables it and records where
 * node and the trainbook CLI are (the extension calls the CLI for every hub read).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SERVER_EXTENSION_NAME = 'trainbook_server';

export interface ServerExtensionInstall {
  /** The package's folder in site-packages (a link with `link`). */
  package: string;
  /** The config file that enables it. */
  config: string;
}

/** Where a Python puts packages and reads Jupyter config, as it says itself. */
interface PythonPaths {
  purelib: string;
  userSite: string;
  userSiteEnabled: boolean;
}

const PATHS_SCRIPT =
  'import json, site, sysconfig; print(json.dumps({"purelib": sysconfig.get_paths()["purelib"], "userSite": site.getusersitepackages(), "userSiteEnabled": bool(site.ENABLE_USER_SITE)}))';

/**
 * The Python that runs Jupyter: `<prefix>/bin/python` (python3) for a prefix, else the one the
 * `jupyter` on PATH starts with (its `#!` line); null when there is none.
 */
export function jupyterPython(prefix: string | null, which: (name: string) => string | null = onPath): string | null {
  if (prefix) {
    for (const name of ['python', 'python3']) {
      const candidate = path.join(prefix, 'bin', name);
      if (fs.existsSync(candidate)) return candidate;
    }
    return null;
  }
  const jupyter = which('jupyter');
  if (!jupyter) return null;
  const firstLine = fs.readFileSync(jupyter, 'utf8').split('\n', 1)[0] ?? '';
  const interpreter = /^#!\s*(\S+)/.exec(firstLine)?.[1];
  return interpreter && fs.existsSync(interpreter) ? interpreter : null;
}

/**
 * Installs the server extension for `python`: into `<prefix>`'s site-packages and
 * `<prefix>/etc/jupyter` with a prefix, else into the user's site-packages (the Python's own when
 * it has no user site, as in a venv) and Jupyter's user config folder.
 */
export function installServerExtension(options: { packageRoot: string; python: string; prefix: string | null; link: boolean; configDir?: string }): ServerExtensionInstall {
  const source = path.join(options.packageRoot, 'sdk', 'python', SERVER_EXTENSION_NAME);
  if (!fs.existsSync(path.join(source, '__init__.py'))) throw new Error(`This trainbook package has no server extension at ${source}.`);
  const paths = JSON.parse(execFileSync(options.python, ['-c', PATHS_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as PythonPaths;
  const site = options.prefix || !paths.userSiteEnabled ? paths.purelib : paths.userSite;
  const configDir = options.configDir ?? (options.prefix ? path.join(options.prefix, 'etc', 'jupyter') : jupyterConfigDir());

  const target = path.join(site, SERVER_EXTENSION_NAME);
  fs.mkdirSync(site, { recursive: true });
  fs.rmSync(target, { recursive: true, force: true });
  if (options.link) fs.symlinkSync(source, target, 'dir');
  else fs.cpSync(source, target, { recursive: true, filter: (file) => path.basename(file) !== '__pycache__' });

  const config = path.join(configDir, 'jupyter_server_config.d', 'trainbook.json');
  fs.mkdirSync(path.dirname(config), { recursive: true });
  const settings = {
    ServerApp: { jpserver_extensions: { [SERVER_EXTENSION_NAME]: true } },
    TrainbookServer: { node: process.execPath, cli: path.join(options.packageRoot, 'sdk', 'bin', 'trainbook.js') },
  };
  fs.writeFileSync(config, `${JSON.stringify(settings, null, 2)}\n`);
  return { package: target, config };
}

function jupyterConfigDir(): string {
  return execFileSync('jupyter', ['--config-dir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return null;
}
