import type { RunProgress } from 'trainbook/core';

/** Numbers tfjs passes to callbacks (`loss`, `acc`, `val_loss`, ...). */
export type TfLogs = Record<string, number>;

/** Where metric values go, as `run.log` takes them. */
export interface MetricSink {
  log(values: Record<string, number>, options: { step?: number; epoch?: number }): void;
}

/** Where training progress goes (epochs, batches, the share done), as `run.setProgress` takes it. */
export interface ProgressSink {
  setProgress(progress: Partial<RunProgress>): void;
}

/**
 * What the callbacks record into: a run, or anything with these few members (tests pass a plain
 * object). As tfjs-vis `fitCallbacks` takes its target, the callback is handed its own.
 */
export interface TrainingTarget extends MetricSink, ProgressSink {
  /** The step a `log` without a step would get now: batch steps go on from it. */
  readonly nextAutoStep: number;
  /** Training began: the tfjs backend in use is worth recording now. */
  noteTfjs(): void;
  /** Writes what is pending (at each epoch's end and when training ends). */
  flush(): void;
}

/**
 * The shape of tfjs `CustomCallbackArgs`, without importing tfjs: pass it as `callbacks` to
 * `model.fit` or `model.fitDataset` of `@tensorflow/tfjs`, `tfjs-node` or `tfjs-node-gpu`.
 */
export interface TfCallback {
  onTrainBegin: (logs?: TfLogs) => void;
  onEpochBegin: (epoch: number, logs?: TfLogs) => void;
  onBatchEnd: (batch: number, logs?: TfLogs) => void;
  onEpochEnd: (epoch: number, logs?: TfLogs) => void;
  onTrainEnd: (logs?: TfLogs) => void;
}

export interface TfCallbackOptions {
  /** Log batch metrics as `batch/<name>` (default true). Epoch metrics are always logged. */
  batchMetrics?: boolean;
  /** Epochs and batches per epoch, when tfjs does not say (it does for fit and fitDataset). */
  epochs?: number;
  batchesPerEpoch?: number;
}

/** What tfjs sets as `this.params` on the callback object it wraps ours in. */
interface TfParams {
  epochs?: number;
  initialEpoch?: number;
  samples?: number | null;
  steps?: number | null;
  batchSize?: number | null;
}

const BATCH_BOOKKEEPING = new Set(['batch', 'size']);

/**
 * Builds tfjs callbacks that log into `run` (any {@link TrainingTarget}). Steps count batches
 * across epochs and across successive `fit` calls on the same run, so epoch points line up with
 * batch points on one axis; a resumed run's count goes on from its stored steps, and
 * `fit({ initialEpoch })` epochs keep their numbers. Plain functions (not arrows): tfjs calls them
 * with `this` set to its wrapper, which carries `params` (epochs, samples, batch size).
 *
 * @example
 * await model.fit(x, y, { epochs: 3, callbacks: createTfCallback(run) });
 */
export function createTfCallback(run: TrainingTarget, options: TfCallbackOptions = {}): TfCallback {
  const logBatches = options.batchMetrics ?? true;
  // Set when training begins: batches go on after the run's last step (an earlier fit's, or a resumed run's stored ones).
  let globalBatch = run.nextAutoStep;
  let epochs: number | null = options.epochs ?? null;
  let batches: number | null = options.batchesPerEpoch ?? null;
  let initialEpoch = 0;
  let currentEpoch = 0;

  const log = (logs: TfLogs | undefined, prefix: string, logOptions: { step: number; epoch?: number }): void => {
    if (!logs) return;
    const values: Record<string, number> = {};
    let any = false;
    for (const key of Object.keys(logs)) {
      if (prefix && BATCH_BOOKKEEPING.has(key)) continue;
      const value = logs[key];
      if (typeof value !== 'number') continue; // tfjs resolves scalars before calling us; skip anything else
      values[prefix + key] = value;
      any = true;
    }
    if (any) run.log(values, logOptions);
  };

  return {
    onTrainBegin: function (this: unknown) {
      globalBatch = run.nextAutoStep;
      const params = readParams(this);
      if (params) {
        epochs = options.epochs ?? params.epochs ?? epochs;
        initialEpoch = params.initialEpoch ?? 0;
        batches = options.batchesPerEpoch ?? params.steps ?? (params.samples && params.batchSize ? Math.ceil(params.samples / params.batchSize) : batches);
      }
      run.noteTfjs();
      run.setProgress({ epoch: initialEpoch, epochs, batch: 0, batches, trainStartedAt: Date.now(), fraction: 0 });
    },
    onEpochBegin: function (epoch: number) {
      currentEpoch = epoch;
      run.setProgress({ epoch, batch: 0 });
    },
    onBatchEnd: function (batch: number, logs?: TfLogs) {
      if (logBatches) log(logs, 'batch/', { step: globalBatch });
      globalBatch++;
      run.setProgress({ batch: batch + 1, fraction: trainingFraction(currentEpoch, batch + 1, batches, epochs, initialEpoch) });
    },
    onEpochEnd: function (epoch: number, logs?: TfLogs) {
      log(logs, '', { step: Math.max(globalBatch - 1, 0), epoch });
      run.setProgress({ epoch: epoch + 1, batch: 0, fraction: trainingFraction(epoch + 1, 0, batches, epochs, initialEpoch) });
      run.flush();
    },
    onTrainEnd: function () {
      run.setProgress({ fraction: 1 });
      run.flush();
    },
  };
}

function readParams(self: unknown): TfParams | null {
  if (typeof self !== 'object' || self === null) return null;
  const params = (self as { params?: unknown }).params;
  return typeof params === 'object' && params !== null ? (params as TfParams) : null;
}

/** Share of the training loop done after `batch` batches of `epoch`; null when the totals are unknown. */
export function trainingFraction(
  epoch: number,
  batch: number,
  batches: number | null,
  epochs: number | null,
  initialEpoch = 0,
): number | null {
  if (!epochs || epochs <= initialEpoch) return null;
  const withinEpoch = batches ? Math.min(1, batch / batches) : 0;
  return Math.min(1, Math.max(0, (epoch - initialEpoch + withinEpoch) / (epochs - initialEpoch)));
}
