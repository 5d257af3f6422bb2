/**
 * `run.keepBest({ model, monitor })`: a tfjs callback that snapshots the model whenever the
 * monitored epoch metric improves. tfjs wraps plain callback objects in a CustomCallback that is
 * never given the model (BaseCallback.setModel does nothing), so the model is an option.
 */
import { InvalidValueError, decodeNumber, encodeNumber } from 'trainbook/core';
import { writeOwnLine } from '../console/ownLines.js';
import { readModelIndex, type ModelEntry } from '../store/modelIndex.js';
import { isImprovement, resolveMode, type MonitorMode } from './monitor.js';
import { checkSaveable, saveRunModel, type ModelHost, type SaveableModel } from './save.js';
import { checkTag } from './tags.js';

export interface KeepBestOptions {
  /** The model being trained (the one whose `fit` gets this callback). */
  model: SaveableModel;
  /** Epoch metric to watch (default 'val_loss'; needs validation data in fit). */
  monitor?: string;
  /** 'min', 'max', or 'auto' (default): max for names with acc/auc/precision/recall/f1, else min. */
  mode?: MonitorMode;
  /** Tag of the kept snapshot (default 'best'). */
  tag?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Also save the untrained weights as tag 'initial' when training begins (default false). */
  keepInitial?: boolean;
}

/** Pass it in `callbacks` of `model.fit` / `model.fitDataset`, alone or with `run.tfCallback()`. */
export interface KeepBestCallback {
  onTrainBegin: (logs?: Record<string, number>) => Promise<void>;
  onEpochEnd: (epoch: number, logs?: Record<string, number>) => Promise<void>;
  /** The epoch (0-based) and value of the snapshot kept so far; null before the first. */
  readonly best: { epoch: number; value: number } | null;
}

export const INITIAL_TAG = 'initial';

/**
 * Builds the keepBest callback for a run.
 *
 * @example
 * const keep = createKeepBest(host, { model, monitor: 'val_loss' });
 * await model.fit(x, y, { validationSplit: 0.2, callbacks: [run.tfCallback(), keep] });
 */
function readModelIndexQuietly(runDir: string): ModelEntry[] {
  try {
    return readModelIndex(runDir);
  } catch {
    return []; // an unreadable index: saving will refuse to overwrite it and say so
  }
}

export function createKeepBest(host: ModelHost, options: KeepBestOptions): KeepBestCallback {
  if (typeof options !== 'object' || options === null) throw new InvalidValueError(`keepBest needs options: run.keepBest({ model, monitor: 'val_loss' }).`);
  const model = checkSaveable(
    options.model,
    'keepBest({ model })', // tfjs does not give plain callback objects the model, so it must be passed
  );
  const monitor = options.monitor ?? 'val_loss';
  if (typeof monitor !== 'string' || monitor.length === 0) throw new InvalidValueError(`keepBest: monitor must be a metric name such as 'val_loss'.`);
  if (options.mode !== undefined && !['min', 'max', 'auto'].includes(options.mode)) {
    throw new InvalidValueError(`keepBest: mode must be 'min', 'max' or 'auto', got ${JSON.stringify(options.mode)}.`);
  }
  const mode = resolveMode(monitor, options.mode);
  const tag = checkTag(options.tag ?? 'best');
  const minDelta = options.minDelta ?? 0;
  if (typeof minDelta !== 'number' || !Number.isFinite(minDelta) || minDelta < 0) throw new InvalidValueError(`keepBest: minDelta must be a finite number ≥ 0.`);

  // A run that already kept snapshots (a resumed run, a second fit) goes on from them: the stored
  // best of this metric is the one to beat, and the stored initial weights stay the initial ones.
  const stored = readModelIndexQuietly(host.runDir);
  const storedBest = stored.find((entry) => entry.tag === tag && entry.metric?.name === monitor);
  let best: { epoch: number; value: number } | null =
    storedBest?.metric && Number.isFinite(decodeNumber(storedBest.metric.value)) ? { epoch: storedBest.epoch ?? -1, value: decodeNumber(storedBest.metric.value) } : null;
  let initialSaved = !options.keepInitial || stored.some((entry) => entry.tag === INITIAL_TAG);
  let warnedMissing = false;

  return {
    onTrainBegin: async () => {
      if (initialSaved) return;
      initialSaved = true;
      try {
        await saveRunModel(host, model, { tag: INITIAL_TAG, step: host.position().step ?? undefined });
      } catch (error) {
        host.reportFailure(error);
      }
    },
    onEpochEnd: async (epoch: number, logs?: Record<string, number>) => {
      const value = logs?.[monitor];
      if (typeof value !== 'number') {
        if (!warnedMissing) {
          warnedMissing = true;
          // trainbook's own warning: not part of the run's captured output.
          writeOwnLine(
            `trainbook: keepBest watches "${monitor}", which this epoch's logs lack (they have: ${Object.keys(logs ?? {}).join(', ') || 'nothing'}). Give fit validation data, or monitor one of those.\n`,
          );
        }
        return;
      }
      if (!isImprovement(mode, value, best?.value ?? null, minDelta)) return;
      try {
        await saveRunModel(host, model, { tag, epoch, metrics: logs }, { name: monitor, value: encodeNumber(value) });
        best = { epoch, value };
      } catch (error) {
        host.reportFailure(error); // never stop training for a snapshot; finish() reports it
      }
    },
    get best() {
      return best;
    },
  };
}
