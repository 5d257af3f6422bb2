/**
 * `trainbook.loadModel(run, tag)`: finds the run in the store like the CLI does, and loads its
 * snapshot through the user's own tfjs (which the SDK does not depend on).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { ModelNotFoundError, RunNotFoundError, TfjsNotFoundError, TrainbookError, findRunAcross, type RunGroup } from 'trainbook/core';
import { findStores, resolveStoreLocation, storeDirFromArgument } from '../store/paths.js';
import { openStore, type RunSummary } from '../store/reader.js';
import type { ModelIOHandler } from './artifacts.js';
import { readModelIndex, type ModelEntry } from '../store/modelIndex.js';
import { missingTag, readSnapshot } from './snapshots.js';

/** A loaded tfjs LayersModel, typed loosely so the SDK needs no tfjs types (pass `{ tf }` for exact ones). */
export interface LayersModelLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  predict(inputs: any, config?: any): any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [member: string]: any;
}

/** The part of a tfjs module loadModel uses. */
export interface TfjsModelLoader<M> {
  loadLayersModel(handler: ModelIOHandler): Promise<M>;
}

export interface LoadModelOptions<M = LayersModelLike> {
  /** The store folder (or its notebook). Default: `TRAINBOOK_DIR`, else the stores in the current folder. */
  dir?: string;
  /** Your tfjs module (`import * as tf from '@tensorflow/tfjs'`). Default: tfjs-node-gpu, tfjs-node or tfjs, resolved from `from`. */
  tf?: TfjsModelLoader<M>;
  /** Folder to resolve tfjs from when `tf` is not given (default: the current folder). */
  from?: string;
}

/** tfjs flavours tried in order when `{ tf }` is not passed: native GPU, native CPU, pure JS. */
export const TFJS_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs'] as const;

/** Tags loadModel picks when none is given, in order; a run with a single snapshot uses that one. */
const DEFAULT_TAGS = ['best', 'final'];

/**
 * Loads a model snapshot saved by `run.saveModel` or `run.keepBest` as a tfjs LayersModel.
 * Without a tag: 'best', else 'final', else the run's only snapshot.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * const model = await trainbook.loadModel('mlp-3', 'best', { tf });
 * model.predict(tf.tensor2d([[0.1, 0.2]])).print();
 */
export async function loadModel<M = LayersModelLike>(run: string | { dir: string }, tag?: string, options: LoadModelOptions<M> = {}): Promise<M> {
  const runDir = typeof run === 'string' ? locateRun(run, options.dir).dir : run.dir;
  const entries = readIndexForLoad(runDir);
  const chosen = tag ?? defaultTag(entries);
  if (!entries.some((e) => e.tag === chosen)) throw missingTag(chosen, entries);
  const tf = options.tf ?? (requireTfjs(options.from ?? process.cwd()) as TfjsModelLoader<M>);
  const handler: ModelIOHandler = {
    load: async () => (await readSnapshot(runDir, chosen)).artifacts,
    save: () => Promise.reject(new TrainbookError('model-save', 'This handler only loads; save models with run.saveModel().')),
  };
  return tf.loadLayersModel(handler);
}

/**
 * The model snapshots saved in a run, oldest first.
 *
 * @example
 * for (const m of trainbook.listModels('mlp-3')) console.log(m.tag, m.epoch, m.bytes);
 */
export function listModels(run: string | { dir: string }, options: { dir?: string } = {}): ModelEntry[] {
  return readIndexForLoad(typeof run === 'string' ? locateRun(run, options.dir).dir : run.dir);
}

/** The tag to load when none is given; throws ModelNotFoundError listing the tags when it is ambiguous. */
export function defaultTag(entries: readonly ModelEntry[]): string {
  for (const tag of DEFAULT_TAGS) if (entries.some((e) => e.tag === tag)) return tag;
  if (entries.length === 1) return entries[0]!.tag;
  if (entries.length === 0) throw missingTag('best', entries);
  const tags = entries.map((e) => e.tag);
  throw new ModelNotFoundError(`This run has several models and none is tagged "best" or "final": pass the tag, one of ${tags.map((t) => JSON.stringify(t)).join(', ')}.`, tags);
}

/** Finds a run by id, id prefix, name or archive name (the core's one lookup) in the given store, else in every store this folder has. */
export function locateRun(reference: string, dir?: string, cwd: string = process.cwd()): RunSummary {
  const dirs = dir ? [storeDirFromArgument(dir, cwd)] : candidateStores(cwd);
  if (dirs.length === 0) {
    throw new RunNotFoundError(`No trainbook store in ${cwd} to look for run "${reference}". Pass the store: loadModel(run, tag, { dir: 'train.trainbook' }).`);
  }
  const groups: Array<RunGroup<null, RunSummary>> = [];
  for (const storeDir of dirs) {
    try {
      groups.push({ group: null, where: storeDir, runs: openStore(storeDir).list().runs });
    } catch (error) {
      if (!(error instanceof TrainbookError)) throw error;
      if (dirs.length === 1) throw error instanceof RunNotFoundError ? error : new RunNotFoundError(error.message);
    }
  }
  return findRunAcross(groups, reference, 'pass { dir } too').run;
}

function candidateStores(cwd: string): string[] {
  const here = resolveStoreLocation({}, process.env, cwd).dir;
  return [...new Set([here, ...findStores(cwd)])].filter((dir) => fs.existsSync(dir));
}

function readIndexForLoad(runDir: string): ModelEntry[] {
  try {
    return readModelIndex(runDir);
  } catch (error) {
    throw new ModelNotFoundError(
      `The model index of ${runDir} (artifacts/models/index.json) cannot be read: ${(error as Error).message}. Run \`trainbook doctor\`, or save the models again.`,
    );
  }
}

/** Loads the user's tfjs: the first of {@link TFJS_PACKAGES} that is installed and starts. */
export function requireTfjs(from: string): unknown {
  const requireFromUser = createRequire(path.join(path.resolve(from), 'noop.js'));
  const reasons: string[] = [];
  for (const name of TFJS_PACKAGES) {
    try {
      const tf = requireFromUser(name) as { loadLayersModel?: unknown };
      if (typeof tf.loadLayersModel === 'function') return tf;
      reasons.push(`${name}: has no loadLayersModel`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && message.includes(`'${name}'`);
      reasons.push(`${name}: ${missing ? 'not installed' : message.split('\n')[0]!.slice(0, 200)}`);
    }
  }
  throw new TfjsNotFoundError(
    `loadModel needs tfjs and found none from ${from} (${reasons.join('; ')}). Install one (npm install @tensorflow/tfjs) or pass your module: loadModel(run, tag, { tf }).`,
  );
}
