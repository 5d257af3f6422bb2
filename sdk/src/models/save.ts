/**
 * `run.saveModel(model, { tag })`: hands tfjs an IO handler that writes the snapshot into the
 * run's artifacts. Saves of one run are queued, so two unawaited saves never race on index.json.
 */
import { InvalidValueError, ModelSaveError, TrainbookError, type ModelSummary, type RunProgress } from 'trainbook/core';
import type { ModelArtifacts, ModelIOHandler } from './artifacts.js';
import { encodeMetrics, summarizeModels, type ModelEntry } from '../store/modelIndex.js';
import { writeSnapshot, type WrittenSnapshot } from './snapshots.js';
import { checkTag } from './tags.js';

/** Anything with tfjs `LayersModel.save(handler)`: the SDK does not import tfjs. */
export interface SaveableModel {
  save(handler: ModelIOHandler, config?: { includeOptimizer?: boolean }): Promise<unknown>;
}

export interface SaveModelOptions {
  /** Any text ('final', 'epoch 3', ...); stored as data, never used as a path. At most 128 characters. */
  tag: string;
  /** The run's step at this snapshot. Default: the last step logged. */
  step?: number;
  /** tfjs epoch index (0-based) of the last completed epoch. Default: from the run's progress. */
  epoch?: number;
  /** Metric values worth keeping with the snapshot (e.g. the epoch's logs). */
  metrics?: Record<string, number>;
  /** Also save the optimizer's state, to continue training later (tfjs `includeOptimizer`). */
  includeOptimizer?: boolean;
}

export interface SavedModel {
  tag: string;
  /** model.json + weights.bin. */
  bytes: number;
  /** The snapshot's folder (holds model.json and weights.bin). */
  path: string;
  savedAt: string;
  step: number | null;
  epoch: number | null;
}

/** What saving needs from a run; {@link Run} provides it. */
export interface ModelHost {
  readonly runDir: string;
  readonly runId: string;
  /** The last step logged and the last completed epoch, for snapshots that do not say. */
  position(): { step: number | null; epoch: number | null };
  /** Records the run's snapshots in run.json. */
  setModels(models: Record<string, ModelSummary>): void;
  /** Reports a failure that must not stop training (keepBest inside fit). */
  reportFailure(error: unknown): void;
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Saves `model` under `tag` in the run's artifacts; the same tag again replaces it atomically.
 *
 * @example
 * const saved = await saveRunModel(host, model, { tag: 'final' });   // { tag, bytes, path, ... }
 */
export async function saveRunModel(host: ModelHost, model: unknown, options: SaveModelOptions, metric?: ModelEntry['metric']): Promise<SavedModel> {
  if (typeof options !== 'object' || options === null) throw new InvalidValueError(`saveModel needs options with a tag: await run.saveModel(model, { tag: 'final' }).`);
  const tag = checkTag(options.tag);
  const saveable = checkSaveable(model, 'saveModel');
  const step = checkIndex(options.step, 'step');
  const epoch = checkIndex(options.epoch, 'epoch');
  const position = host.position();
  const metrics = encodeMetrics(options.metrics);
  const meta = { step: step ?? position.step, epoch: epoch ?? position.epoch, ...(metric ? { metric } : {}), ...(metrics ? { metrics } : {}) };
  return queued(host.runDir, async () => {
    let written: WrittenSnapshot | null = null;
    const handler: ModelIOHandler = {
      save: async (artifacts: ModelArtifacts) => {
        written = await writeSnapshot(host.runDir, tag, artifacts, meta);
        return { modelArtifactsInfo: written.info };
      },
      load: () => Promise.reject(new TrainbookError('model-save', 'This handler only saves; load models with trainbook.loadModel().')),
    };
    try {
      await saveable.save(handler, options.includeOptimizer ? { includeOptimizer: true } : undefined);
    } catch (error) {
      if (error instanceof TrainbookError) throw error;
      throw new ModelSaveError(
        `Could not save model "${tag}" of run ${host.runId}: ${(error as Error)?.message ?? String(error)}. Any snapshot saved earlier under this tag is unchanged; free disk space (or fix the store folder) and save again.`,
        { cause: error },
      );
    }
    const done = written as WrittenSnapshot | null;
    if (!done) throw new ModelSaveError(`model.save() returned without handing over the model "${tag}"; pass a tfjs LayersModel.`);
    host.setModels(summarizeModels(done.entries));
    return { tag, bytes: done.entry.bytes, path: done.dir, savedAt: done.entry.savedAt, step: done.entry.step, epoch: done.entry.epoch };
  });
}

/** The last completed epoch (0-based) from the run's progress, as tfCallback keeps it. */
export function completedEpoch(progress: RunProgress | null): number | null {
  return progress?.epoch ? progress.epoch - 1 : null;
}

export function checkSaveable(model: unknown, method: string): SaveableModel {
  if (typeof model !== 'object' || model === null || typeof (model as { save?: unknown }).save !== 'function') {
    throw new InvalidValueError(`${method} needs a tfjs LayersModel (an object with save(handler)); got ${model === null ? 'null' : typeof model}.`);
  }
  return model as SaveableModel;
}

function checkIndex(value: unknown, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new InvalidValueError(`saveModel: ${name} must be a whole number ≥ 0, got ${String(value)}.`);
  return value;
}

function queued<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const result = previous.then(task, task);
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return result;
}
