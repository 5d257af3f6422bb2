import { createRequire } from 'node:module';
import * as path from 'node:path';
import { TrainbookError } from 'trainbook/core';
import { inJupyterKernel } from '../console/ownLines.js';

/** The part of the tfjs API this helper uses, so any tfjs flavour fits. */
export interface TfjsLike {
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  ready(): Promise<void>;
  findBackend?(name: string): unknown;
  env?(): { getBool(flag: string): boolean };
}

export interface BackendAttempt {
  backend: string;
  package: string | null;
  ok: boolean;
  reason?: string;
}

export interface BackendChoice {
  backend: string;
  /** The package that provides it, when one had to be loaded. */
  package: string | null;
  /** For wasm: whether SIMD is on. */
  simd: boolean | null;
  tried: BackendAttempt[];
}

/** Fastest first: native TensorFlow (GPU build, then CPU build), WebAssembly, plain JavaScript. */
const CANDIDATES: Array<{ backend: string; packages: string[] }> = [
  { backend: 'tensorflow', packages: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] },
  { backend: 'wasm', packages: ['@tensorflow/tfjs-backend-wasm'] },
  { backend: 'cpu', packages: [] },
];

/**
 * Picks the fastest tfjs backend that is installed and works, loads its package from the user's
 * project if needed, and checks that tfjs really switched (a failed `setBackend` falls back
 * silently). Override with `{ backend }` or `TRAINBOOK_TFJS_BACKEND`.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * const choice = await trainbook.selectBackend(tf);   // e.g. { backend: 'wasm', simd: true, ... }
 */
export async function selectBackend(
  tf: TfjsLike,
  options: { backend?: string; quiet?: boolean; from?: string } = {},
): Promise<BackendChoice> {
  const wanted = options.backend ?? process.env.TRAINBOOK_TFJS_BACKEND;
  const candidates = wanted ? CANDIDATES.filter((c) => c.backend === wanted) : CANDIDATES;
  if (wanted && candidates.length === 0) candidates.push({ backend: wanted, packages: [] });
  const requireFromUser = createRequire(path.join(options.from ?? process.cwd(), 'noop.js'));
  const tried: BackendAttempt[] = [];
  for (const candidate of candidates) {
    let loaded: string | null = null;
    if (!isRegistered(tf, candidate.backend)) {
      for (const name of candidate.packages) {
        try {
          requireFromUser(name);
          loaded = name;
          break;
        } catch (error) {
          tried.push({ backend: candidate.backend, package: name, ok: false, reason: shortReason(error) });
        }
      }
    }
    if (!isRegistered(tf, candidate.backend) && candidate.packages.length > 0) continue;
    let ok = false;
    let reason: string | undefined;
    try {
      ok = await tf.setBackend(candidate.backend);
      await tf.ready();
      ok = ok && tf.getBackend() === candidate.backend;
      if (!ok) reason = `tfjs stayed on '${tf.getBackend()}'`;
    } catch (error) {
      reason = shortReason(error);
    }
    tried.push({ backend: candidate.backend, package: loaded, ok, ...(reason ? { reason } : {}) });
    if (ok) {
      const simd = candidate.backend === 'wasm' ? safeFlag(tf, 'WASM_HAS_SIMD_SUPPORT') : null;
      const choice: BackendChoice = { backend: candidate.backend, package: loaded, simd, tried };
      if (!options.quiet) {
        // In a notebook this is information, not an error: stdout there, stderr for scripts.
        const stream = inJupyterKernel() ? process.stdout : process.stderr;
        stream.write(`trainbook: tfjs backend '${choice.backend}'${simd ? ' (SIMD)' : ''}${loaded ? ` from ${loaded}` : ''}\n`);
      }
      return choice;
    }
  }
  throw new TrainbookError(
    'no-backend',
    `No tfjs backend could be started (${tried.map((t) => `${t.package ?? t.backend}: ${t.reason ?? 'failed'}`).join('; ')}). Install @tensorflow/tfjs-backend-wasm or @tensorflow/tfjs-node.`,
  );
}

function isRegistered(tf: TfjsLike, backend: string): boolean {
  try {
    if (tf.findBackend?.(backend)) return true;
  } catch {
    // findBackend throws for names never registered in some versions.
  }
  const engine = (globalThis as { _tfengine?: { registryFactory?: Record<string, unknown> } })._tfengine;
  return Boolean(engine?.registryFactory && backend in engine.registryFactory);
}

function safeFlag(tf: TfjsLike, flag: string): boolean | null {
  try {
    return tf.env ? tf.env().getBool(flag) : null;
  } catch {
    return null;
  }
}

function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Cannot find module/.test(message)) return 'not installed';
  return message.split('\n')[0]!.slice(0, 200);
}
