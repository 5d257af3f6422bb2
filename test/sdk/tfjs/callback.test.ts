import { describe, expect, it } from 'vitest';
import { createTfCallback, trainingFraction, type TrainingTarget } from '../../../sdk/src/tfjs/callback.js';
import type { RunProgress } from '../../../core/src/format/types.js';

/** A plain target: what the callbacks need, nothing of a run. */
function fakeTarget(nextAutoStep = 0) {
  const logged: Array<{ values: Record<string, number>; step?: number; epoch?: number }> = [];
  const progress: Array<Partial<RunProgress>> = [];
  let flushes = 0;
  let tfjsNoted = 0;
  const target: TrainingTarget = {
    nextAutoStep,
    log: (values, options) => logged.push({ values: { ...values }, ...options }),
    setProgress: (p) => progress.push(p),
    noteTfjs: () => tfjsNoted++,
    flush: () => flushes++,
  };
  return { target, logged, progress, flushes: () => flushes, tfjsNoted: () => tfjsNoted };
}

/** What tfjs passes as `this`: its wrapper, with `params`. */
const wrapper = { params: { epochs: 2, samples: 8, batchSize: 4, initialEpoch: 0 } };

describe('createTfCallback()', () => {
  it('logs batch and epoch metrics into any target, on one step axis, with progress and a flush per epoch', () => {
    const { target, logged, progress, flushes, tfjsNoted } = fakeTarget(5);
    const callback = createTfCallback(target);
    callback.onTrainBegin.call(wrapper);
    for (const epoch of [0, 1]) {
      callback.onEpochBegin.call(wrapper, epoch);
      callback.onBatchEnd.call(wrapper, 0, { batch: 0, size: 4, loss: 1 });
      callback.onBatchEnd.call(wrapper, 1, { batch: 1, size: 4, loss: 0.5 });
      callback.onEpochEnd.call(wrapper, epoch, { loss: 0.7, val_loss: 0.9 });
    }
    callback.onTrainEnd.call(wrapper);
    expect(tfjsNoted()).toBe(1);
    expect(logged.slice(0, 3)).toEqual([
      { values: { 'batch/loss': 1 }, step: 5 },
      { values: { 'batch/loss': 0.5 }, step: 6 },
      { values: { loss: 0.7, val_loss: 0.9 }, step: 6, epoch: 0 },
    ]);
    expect(logged.at(-1)).toEqual({ values: { loss: 0.7, val_loss: 0.9 }, step: 8, epoch: 1 });
    expect(progress[0]).toMatchObject({ epoch: 0, epochs: 2, batches: 2, fraction: 0 });
    expect(progress.at(-1)).toEqual({ fraction: 1 });
    expect(flushes()).toBe(3);
  });

  it('leaves batch metrics out when asked, and skips values that are not numbers', () => {
    const { target, logged } = fakeTarget();
    const callback = createTfCallback(target, { batchMetrics: false });
    callback.onTrainBegin.call(wrapper);
    callback.onBatchEnd.call(wrapper, 0, { loss: 1 });
    callback.onEpochEnd.call(wrapper, 0, { loss: 0.5, note: 'x' as unknown as number });
    expect(logged).toEqual([{ values: { loss: 0.5 }, step: 0, epoch: 0 }]);
  });
});

describe('trainingFraction()', () => {
  it('counts from the initial epoch, null when the totals are unknown', () => {
    expect(trainingFraction(3, 5, 10, 5, 2)).toBeCloseTo(0.5);
    expect(trainingFraction(0, 1, null, null)).toBeNull();
  });
});
