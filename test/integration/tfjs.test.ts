import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, openStore, selectBackend } from '../../sdk/src/index.js';
import { tempDir } from '../helpers/tmp.js';

/** A small, learnable problem made here: y = 1 when x0 + x1 > 0, with 8 features. */
function makeData(samples: number, seed = 1) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const xs = Array.from({ length: samples }, () => Array.from({ length: 8 }, random));
  const ys = xs.map((row) => [row[0]! + row[1]! > 0 ? 1 : 0]);
  return { x: tf.tensor2d(xs), y: tf.tensor2d(ys) };
}

function makeModel() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 16, inputShape: [8], activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['acc'] });
  return model;
}

let backend = '';
beforeAll(async () => {
  const choice = await selectBackend(tf, { quiet: true });
  backend = choice.backend;
});

describe('tfjs', () => {
  describe('selectBackend()', () => {
    it('picks the fastest backend installed here (wasm, as tfjs-node is absent) and says what it tried', async () => {
      expect(backend).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
      const choice = await selectBackend(tf, { quiet: true });
      expect(choice.tried.filter((t) => t.backend === 'tensorflow').every((t) => !t.ok && t.reason === 'not installed')).toBe(true);
      expect(choice.simd).toBe(true);
    });
    it('honours an explicit backend', async () => {
      const choice = await selectBackend(tf, { backend: 'cpu', quiet: true });
      expect(choice.backend).toBe('cpu');
      await selectBackend(tf, { backend: 'wasm', quiet: true });
      expect(tf.getBackend()).toBe('wasm');
    });
  });

  describe('Run#tfCallback()', () => {
    it('stores the epoch metrics of model.fit exactly as History has them, and every batch', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false, params: { lr: 0.01 } });
      const { x, y } = makeData(256);
      const history = await makeModel().fit(x, y, { epochs: 3, batchSize: 32, validationSplit: 0.25, verbose: 0, callbacks: run.tfCallback() });
      await run.finish();
      const data = openStore(dir).read(run.id);
      for (const key of ['loss', 'acc', 'val_loss', 'val_acc']) {
        const series = data.series.get(key)!;
        expect([...series.value], key).toEqual(history.history[key]);
        expect([...series.epoch], key).toEqual(history.epoch);
      }
      // 192 training samples / 32 = 6 batches per epoch, 3 epochs.
      const batchLoss = data.series.get('batch/loss')!;
      expect(batchLoss.length).toBe(18);
      expect([...batchLoss.step]).toEqual(Array.from({ length: 18 }, (_, i) => i));
      expect([...data.series.get('loss')!.step]).toEqual([5, 11, 17]);
      expect(data.series.has('batch/batch')).toBe(false);
      expect(data.record.env?.tfjs).toEqual({ version: tf.version_core, backend: 'wasm' });
      expect(data.record.progress).toMatchObject({ epoch: 3, epochs: 3, batches: 6, fraction: 1 });
      x.dispose();
      y.dispose();
    });

    it('works with model.fitDataset', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false });
      const { x, y } = makeData(128, 7);
      const dataset = tf.data.zip({ xs: tf.data.array(tf.unstack(x)), ys: tf.data.array(tf.unstack(y)) }).batch(16);
      const history = await makeModel().fitDataset(dataset as tf.data.Dataset<tf.TensorContainer>, { epochs: 2, verbose: 0, callbacks: run.tfCallback() });
      await run.finish();
      const data = openStore(dir).read(run.id);
      expect([...data.series.get('loss')!.value]).toEqual(history.history.loss);
      expect([...data.series.get('acc')!.value]).toEqual(history.history.acc);
      expect(data.series.get('batch/loss')!.length).toBe(16);
    });

    it('continues steps across two fit calls on one run', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false });
      const callback = run.tfCallback({ batchMetrics: false });
      const { x, y } = makeData(64, 3);
      const model = makeModel();
      await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0, callbacks: callback });
      await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0, callbacks: callback });
      await run.finish();
      const loss = openStore(dir).read(run.id).series.get('loss')!;
      expect([...loss.step]).toEqual([1, 3]);
      expect(openStore(dir).read(run.id).series.has('batch/loss')).toBe(false);
    });

    it('continues steps when each fit gets a callback of its own', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false });
      const { x, y } = makeData(64, 3);
      const model = makeModel();
      await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0, callbacks: run.tfCallback() });
      await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0, callbacks: run.tfCallback() });
      await run.finish();
      const data = openStore(dir).read(run.id);
      expect([...data.series.get('batch/loss')!.step]).toEqual([0, 1, 2, 3]);
      expect([...data.series.get('loss')!.step]).toEqual([1, 3]);
    });
  });
});
