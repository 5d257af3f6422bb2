import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EnvInfo, GitInfo } from 'trainbook/core';
import { ARTIFACTS_DIR } from '../store/paths.js';
import { SDK_VERSION } from '../version.js';

/** `git diff HEAD` beyond this is cut; the record says so. */
export const GIT_DIFF_LIMIT_BYTES = 1 << 20;

function run(command: string, args: string[], cwd: string, timeoutMs = 3000): string | null {
  try {
    return execFileSync(command, args, {
      cwd,
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 16 << 20,
      encoding: 'utf8',
    });
  } catch {
    return null;
  }
}

/**
 * Options for provenance's git calls, which only read: take no optional locks (never rewrite the
 * index) and run no fsmonitor hook; the diff below also runs no external diff or textconv program.
 */
const READ_ONLY_GIT = ['--no-optional-locks', '-c', 'core.fsmonitor=false'];

/**
 * Commit, branch and dirty flag of the git work tree around `cwd`, or null outside one. When the
 * tree is dirty, `git diff HEAD` (capped) is saved to the run's artifacts so the code can be
 * restored.
 */
export function collectGit(cwd: string, runDir: string): GitInfo | null {
  const commit = run('git', [...READ_ONLY_GIT, 'rev-parse', '--verify', 'HEAD', '--'], cwd)?.trim();
  if (!commit) return null;
  const branch = run('git', [...READ_ONLY_GIT, 'rev-parse', '--abbrev-ref', '--verify', 'HEAD', '--'], cwd)?.trim() ?? null;
  const status = run('git', [...READ_ONLY_GIT, 'status', '--porcelain', '--untracked-files=no'], cwd) ?? '';
  const dirty = status.trim().length > 0;
  const info: GitInfo = { commit, branch, dirty, diffFile: null, diffBytes: 0, diffTruncated: false };
  if (dirty) {
    const diff = run('git', [...READ_ONLY_GIT, 'diff', '--no-color', '--no-ext-diff', '--no-textconv', 'HEAD', '--'], cwd) ?? '';
    const bytes = Buffer.from(diff, 'utf8');
    info.diffBytes = bytes.length;
    info.diffTruncated = bytes.length > GIT_DIFF_LIMIT_BYTES;
    const relative = `${ARTIFACTS_DIR}/git.diff`;
    try {
      fs.writeFileSync(path.join(runDir, relative), info.diffTruncated ? bytes.subarray(0, GIT_DIFF_LIMIT_BYTES) : bytes);
      info.diffFile = relative;
    } catch {
      // Provenance is best effort; the run itself goes on.
    }
  }
  return info;
}

/** The tfjs engine that the user's code loaded, found through the global tfjs registers itself on. */
export function detectTfjs(cwd: string = process.cwd()): EnvInfo['tfjs'] {
  const engine = (globalThis as { _tfengine?: { backendName?: string } })._tfengine;
  const version = tfjsVersion(cwd);
  if (!engine && !version) return null;
  let backend: string | null = null;
  try {
    backend = engine?.backendName ?? null;
  } catch {
    // Reading backendName before a backend is ready throws in some tfjs versions.
  }
  return { version, backend };
}

function tfjsVersion(cwd: string): string | null {
  // Resolve from the user's folder and from the main script, where their node_modules are.
  const bases = [path.join(cwd, 'noop.js')];
  if (process.argv[1]) bases.push(process.argv[1]);
  for (const base of bases) {
    try {
      const file = createRequire(base).resolve('@tensorflow/tfjs-core/package.json');
      return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      // Not installed where this base looks.
    }
  }
  return null;
}

/** GPUs that nvidia-smi reports; empty where there is none or no driver. */
export function detectGpus(): EnvInfo['gpu'] {
  const out = run('nvidia-smi', ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader,nounits'], process.cwd(), 5000);
  if (!out) return [];
  return out
    .trim()
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [name, memory, driver] = line.split(',').map((part) => part.trim());
      const memoryMiB = Number(memory);
      return { name: name ?? 'unknown', memoryMiB: Number.isFinite(memoryMiB) ? memoryMiB : null, driver: driver ?? null };
    });
}

export function collectEnv(cwd: string = process.cwd()): EnvInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    os: { platform: os.platform(), release: os.release(), arch: os.arch() },
    cpu: { model: cpus[0]?.model?.trim() ?? 'unknown', cores: cpus.length },
    memoryBytes: os.totalmem(),
    hostname: os.hostname(),
    tfjs: detectTfjs(cwd),
    gpu: detectGpus(),
    trainbook: SDK_VERSION,
  };
}
