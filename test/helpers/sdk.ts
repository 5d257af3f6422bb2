import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'sdk/dist/index.js');
export const CLI = path.join(ROOT, 'sdk/bin/trainbook.js');

/** Child processes use the built SDK, as users do; `npm test` builds it first. */
export function requireBuilt(): void {
  if (!fs.existsSync(DIST)) throw new Error('sdk/dist is missing: run `npm run build` (npm test does) before these tests.');
}

/** Writes an ESM script that imports the SDK as `tb` and runs it with node. */
export function runScript(dir: string, body: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const file = path.join(dir, `script-${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(file, `import * as tb from ${JSON.stringify(DIST)};\n${body}\n`);
  return spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env, JPY_PARENT_PID: '', JPY_SESSION_NAME: '' }, timeout: 60_000 });
}

export function startScript(dir: string, body: string) {
  const file = path.join(dir, `script-${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(file, `import * as tb from ${JSON.stringify(DIST)};\n${body}\n`);
  return spawn(process.execPath, [file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, JPY_PARENT_PID: '', JPY_SESSION_NAME: '' } });
}

export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, TRAINBOOK_DIR: '', ...env }, timeout: 60_000 });
}
