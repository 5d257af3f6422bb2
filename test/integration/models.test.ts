import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, listModels, loadModel, ModelNotFoundError, ModelTagError, openStore, RunNotFoundError, TfjsNotFoundError, InvalidValueError } from '../../sdk/src/index.js';
import { DIST, ROOT, requireBuilt, runCli, runScript } from '../helpers/sdk.js';
import { tempDir } from '../helpers/tmp.js';

beforeAll(async () => {
  requireBuilt();
  await tf.setBackend('cpu');
});

/** A temp project folder whose node_modules is this repo's, as a user's project has tfjs installed. */
function project(): string {
  const dir = tempDir();
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function tinyModel(inputs = 3, units = 8) {
  const model = tf.sequential({ layers: [tf.layers.dense({ units, inputShape: [inputs], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
  return model;
}

const weightsOf = (model: tf.LayersModel): number[][] => model.getWeights().map((w) => Array.from(w.dataSync()));

/** The JSON a script printed on its `RESULT ` line (tfjs prints its own banner around it). */
function resultOf(output: { stdout: string; stderr: string; status: number | null }): any {
  const line = output.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (output.status !== 0 || !line) throw new Error(`script failed (${output.status}):\n${output.stdout}\n${output.stderr}`);
  return JSON.parse(line.slice('RESULT '.length));
}

const TRAIN = `
import * as tf from '@tensorflow/tfjs';
await tf.setBackend('cpu');
const xs = tf.tensor2d(Array.from({ length: 128 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 7) / 7]));
const ys = xs.square().sum(1, true);
const probe = xs.slice(0, 4);
const predict = (m) => Array.from(m.predict(probe).dataSync());
const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [3], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
model.compile({ optimizer: tf.train.adam(0.08), loss: 'meanSquaredError' });
const run = tb.init({ name: 'mlp', git: false, display: false });
const initial = predict(model);
const perEpoch = [];
const keep = run.keepBest({ model, monitor: 'val_loss', keepInitial: true });
const history = await model.fit(xs, ys, {
  epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: 0,
  callbacks: [run.tfCallback(), keep, { onEpochEnd: () => { perEpoch.push(predict(model)); } }],
});
const saved = await run.saveModel(model, { tag: 'final' });
await run.finish();
console.log('RESULT ' + JSON.stringify({ id: run.id, initial, perEpoch, final: predict(model), valLoss: history.history.val_loss, epochs: history.epoch, best: keep.best, saved }));
`;

const LOAD = `
import * as tf from '@tensorflow/tfjs';
await tf.setBackend('cpu');
const xs = tf.tensor2d(Array.from({ length: 128 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 7) / 7]));
const probe = xs.slice(0, 4);
const out = {};
for (const tag of ['initial', 'best', 'final']) out[tag] = Array.from((await tb.loadModel('mlp', tag)).predict(probe).dataSync());
out.default = Array.from((await tb.loadModel('mlp')).predict(probe).dataSync());
out.tags = tb.listModels('mlp').map((m) => m.tag);
console.log('RESULT ' + JSON.stringify(out));
`;

describe('models', () => {
  describe('Run#saveModel() / Run#keepBest() / loadModel() across processes', () => {
    it('loads in a new process exactly the weights trained, kept best and initial ones, and `show` lists them', () => {
      const dir = project();
      const trained = resultOf(runScript(dir, TRAIN));
      const loaded = resultOf(runScript(dir, LOAD));
      // Exact float equality: the snapshot holds the very weights, not an approximation.
      expect(loaded.final).toEqual(trained.final);
      expect(loaded.initial).toEqual(trained.initial);
      const bestEpoch = trained.valLoss.indexOf(Math.min(...trained.valLoss));
      expect(trained.best).toEqual({ epoch: trained.epochs[bestEpoch], value: trained.valLoss[bestEpoch] });
      expect(loaded.best).toEqual(trained.perEpoch[bestEpoch]);
      expect(loaded.default).toEqual(loaded.best);
      expect(loaded.tags).toEqual(['initial', 'best', 'final']);
      // 96 training samples in batches of 16: 6 batches per epoch, 18 steps (0-17).
      expect(trained.saved).toMatchObject({ tag: 'final', epoch: 2, step: 17 });
      expect(fs.statSync(path.join(trained.saved.path, 'weights.bin')).size + fs.statSync(path.join(trained.saved.path, 'model.json')).size).toBe(trained.saved.bytes);

      const record = openStore(path.join(dir, '.trainbook')).find(trained.id).record;
      expect(Object.keys(record.models!)).toEqual(['initial', 'best', 'final']);
      expect(record.models!.best).toMatchObject({ epoch: bestEpoch, metric: { name: 'val_loss', value: trained.valLoss[bestEpoch] } });

      const shown = runCli(['show', 'mlp'], dir);
      expect(shown.status, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(/\nmodels\n {2}TAG +EPOCH +STEP +METRIC +SIZE +SAVED\n {2}initial .*\n {2}best +\d +\d+ +val_loss=[\d.e-]+ +\d\.\d KiB .*\n {2}final +2 +17 /);
    });
  });

  describe('Run#keepBest()', () => {
    it('snapshots the weights of the epoch whose monitored metric was best (min and auto→max)', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false });
      const model = tinyModel();
      const lossKeeper = run.keepBest({ model, monitor: 'val_loss' });
      const accKeeper = run.keepBest({ model, monitor: 'val_acc', tag: 'best acc' });
      const snapshots: number[][][] = [];
      const logs = [
        { val_loss: 0.5, val_acc: 0.6 },
        { val_loss: 0.3, val_acc: 0.7 },
        { val_loss: 0.4, val_acc: 0.9 },
        { val_loss: NaN, val_acc: 0.8 },
      ];
      for (const [epoch, values] of logs.entries()) {
        model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, epoch + 1)));
        snapshots.push(weightsOf(model));
        await lossKeeper.onEpochEnd(epoch, values);
        await accKeeper.onEpochEnd(epoch, values);
      }
      expect(lossKeeper.best).toEqual({ epoch: 1, value: 0.3 });
      expect(accKeeper.best).toEqual({ epoch: 2, value: 0.9 });
      expect(weightsOf(await loadModel(run, 'best', { tf }))).toEqual(snapshots[1]);
      expect(weightsOf(await loadModel(run, 'best acc', { tf }))).toEqual(snapshots[2]);
      expect(run.toRecord().models!['best acc']).toMatchObject({ epoch: 2, metric: { name: 'val_acc', value: 0.9 } });
      await run.finish();
    });

    it('goes on from the stored best and initial snapshots after a resume', async () => {
      const dir = tempDir();
      const first = init({ dir, git: false, display: false });
      const model = tinyModel();
      const initialWeights = weightsOf(model);
      const keeper = first.keepBest({ model, monitor: 'val_loss', keepInitial: true });
      await keeper.onTrainBegin();
      model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, 1)));
      await keeper.onEpochEnd(0, { val_loss: 0.1 });
      const bestWeights = weightsOf(model);
      first.finishNow({ status: 'interrupted' });

      const resumed = init({ dir, git: false, display: false, resume: first.id });
      const again = resumed.keepBest({ model, monitor: 'val_loss', keepInitial: true });
      expect(again.best).toEqual({ epoch: 0, value: 0.1 });
      await again.onTrainBegin(); // the initial weights on record stay the untrained ones
      model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, 2)));
      await again.onEpochEnd(1, { val_loss: 0.9 }); // worse than the stored best: not kept
      expect(weightsOf(await loadModel(resumed, 'best', { tf }))).toEqual(bestWeights);
      expect(weightsOf(await loadModel(resumed, 'initial', { tf }))).toEqual(initialWeights);
      await again.onEpochEnd(2, { val_loss: 0.05 });
      expect(weightsOf(await loadModel(resumed, 'best', { tf }))).toEqual(weightsOf(model));
      expect(again.best).toEqual({ epoch: 2, value: 0.05 });
      await resumed.finish();
    });

    it('says once when the monitored metric is missing, and needs the model', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false });
      expect(() => run.keepBest({} as never)).toThrow(InvalidValueError);
      expect(() => run.keepBest({ model: tinyModel(), tag: '' })).toThrow(ModelTagError);
      const writes: string[] = [];
      const original = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string) => (writes.push(String(chunk)), true)) as typeof process.stderr.write;
      try {
        const keeper = run.keepBest({ model: tinyModel() });
        await keeper.onEpochEnd(0, { loss: 1 });
        await keeper.onEpochEnd(1, { loss: 0.5 });
        expect(keeper.best).toBeNull();
      } finally {
        process.stderr.write = original;
      }
      expect(writes.filter((w) => w.includes('keepBest watches "val_loss"'))).toHaveLength(1);
      expect(writes[0]).toMatch(/they have: loss/);
      expect(listModels(run)).toEqual([]);
      await run.finish();
    });
  });

  describe('Run#saveModel()', () => {
    it('replaces a tag atomically: one entry, one folder, the new weights', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false });
      const model = tinyModel();
      const first = await run.saveModel(model, { tag: 'final' });
      model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, 0.25)));
      const second = await run.saveModel(model, { tag: 'final', epoch: 7, step: 70 });
      expect(second.path).not.toBe(first.path);
      expect(fs.existsSync(first.path)).toBe(false);
      const modelsDir = path.join(run.dir, 'artifacts', 'models');
      expect(fs.readdirSync(modelsDir).sort()).toEqual([path.basename(second.path), 'index.json'].sort());
      expect(listModels(run).map((m) => [m.tag, m.epoch, m.step])).toEqual([['final', 7, 70]]);
      expect(weightsOf(await loadModel(run, 'final', { tf }))).toEqual(weightsOf(model));
      await run.finish();
    });

    it('keeps hostile and unicode tags as data, inside the run folder', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false });
      const model = tinyModel();
      const tags = ['../../x', '名前 🚀', '__proto__', '.', 'a/b\\c', '..', 'CON'];
      for (const tag of tags) await run.saveModel(model, { tag });
      const modelsDir = path.join(run.dir, 'artifacts', 'models');
      const folders = fs.readdirSync(modelsDir).filter((name) => name !== 'index.json');
      expect(folders).toHaveLength(tags.length);
      for (const folder of folders) expect(folder).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
      // Nothing escaped: the store holds only store.json and runs/, the temp folder only the store.
      expect(fs.readdirSync(dir).sort()).toEqual(['runs', 'store.json']);
      expect(listModels(run).map((m) => m.tag)).toEqual(tags);
      expect(Object.keys(run.toRecord().models!)).toEqual(tags);
      for (const tag of tags) expect(weightsOf(await loadModel(run, tag, { tf })), tag).toEqual(weightsOf(model));
      await run.finish();
      expect(Object.keys(openStore(dir).find(run.id).record.models!)).toEqual(tags);
    });

    it('refuses empty and over-long tags and non-models with typed errors, writing nothing', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false });
      await expect(run.saveModel(tinyModel(), { tag: '' })).rejects.toThrow(ModelTagError);
      await expect(run.saveModel(tinyModel(), { tag: 'x'.repeat(129) })).rejects.toThrow(/at most 128/);
      await expect(run.saveModel({} as never, { tag: 'final' })).rejects.toThrow(InvalidValueError);
      await expect(run.saveModel(tinyModel(), { tag: 'final', epoch: -1 })).rejects.toThrow(InvalidValueError);
      expect(fs.existsSync(path.join(run.dir, 'artifacts', 'models'))).toBe(false);
      await run.finish();
    });

    it('works after finish() and records the snapshot in run.json', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false });
      await run.finish();
      await run.saveModel(tinyModel(), { tag: 'final' });
      expect(Object.keys(openStore(dir).find(run.id).record.models!)).toEqual(['final']);
    });

    it('clears a temporary folder left by a process that died mid-save, without binding it to the tag', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false });
      const abandoned = path.join(run.dir, 'artifacts', 'models', '.tmp-999999999-final-dead');
      fs.mkdirSync(abandoned, { recursive: true });
      fs.writeFileSync(path.join(abandoned, 'model.json'), '{"modelTop');
      await expect(loadModel(run, 'final', { tf })).rejects.toThrow(ModelNotFoundError);
      await run.saveModel(tinyModel(), { tag: 'final' });
      expect(fs.existsSync(abandoned)).toBe(false);
      await run.finish();
    });

    it('reports a full disk as ModelSaveError, keeps the earlier snapshot, and never stops fit', () => {
      const dir = project();
      const script = path.join(dir, 'full.mjs');
      fs.writeFileSync(
        script,
        `import * as tb from ${JSON.stringify(DIST)};
import * as tf from '@tensorflow/tfjs';
process.on('SIGXFSZ', () => {});
await tf.setBackend('cpu');
const small = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
const big = tf.sequential({ layers: [tf.layers.dense({ units: 1024, inputShape: [300] })] }); // 1.2 MB of weights
big.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
const run = tb.init({ name: 'full', git: false, display: false });
await run.saveModel(small, { tag: 'final' });
let error = null;
try { await run.saveModel(big, { tag: 'final' }); } catch (e) { error = { name: e.name, code: e.code, message: e.message }; }
const keep = run.keepBest({ model: big, monitor: 'loss' });
const history = await big.fit(tf.zeros([4, 300]), tf.zeros([4, 1024]), { epochs: 2, verbose: 0, callbacks: [run.tfCallback(), keep] });
const finished = await run.finish();
const loaded = await tb.loadModel('full', 'final', { tf });
console.log('RESULT ' + JSON.stringify({ error, epochs: history.epoch, lost: finished.lost, same: JSON.stringify(loaded.getWeights().map((w) => Array.from(w.dataSync()))) === JSON.stringify(small.getWeights().map((w) => Array.from(w.dataSync()))), tags: tb.listModels('full').map((m) => m.tag) }));
`,
      );
      const output = spawnSync('bash', ['-c', `ulimit -f 1024; exec "${process.execPath}" full.mjs`], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, TRAINBOOK_DIR: '' } });
      const result = resultOf(output);
      expect(result.error).toMatchObject({ name: 'ModelSaveError', code: 'model-save' });
      expect(result.error.message).toMatch(/EFBIG|ENOSPC/);
      expect(result.error.message).toMatch(/snapshot saved earlier under this tag is unchanged/);
      expect(result.same).toBe(true);
      expect(result.tags).toEqual(['final']);
      expect(result.epochs).toEqual([0, 1]);
      expect(result.lost.records).toBeGreaterThan(0);
      expect(output.stderr.match(/cannot write run/g)).toHaveLength(1);
      const leftovers = fs.readdirSync(path.join(dir, '.trainbook', 'runs', fs.readdirSync(path.join(dir, '.trainbook', 'runs'))[0]!, 'artifacts', 'models'));
      expect(leftovers.filter((name) => name.startsWith('.tmp-'))).toEqual([]);
      expect(leftovers).toHaveLength(2); // index.json and the small snapshot
    });
  });

  describe('loadModel()', () => {
    it('lists the saved tags when the tag is missing', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false, name: 'r' });
      await run.saveModel(tinyModel(), { tag: 'final' });
      await run.saveModel(tinyModel(), { tag: 'epoch 3' });
      await run.finish();
      const error = await loadModel('r', 'best', { dir, tf }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelNotFoundError);
      expect((error as ModelNotFoundError).tags).toEqual(['final', 'epoch 3']);
      expect((error as Error).message).toBe('No model saved under "best". This run has: "final", "epoch 3".');
      // No tag: 'final' is the default when there is no 'best'.
      expect((await loadModel('r', undefined, { dir, tf })).layers).toHaveLength(2);
    });

    it('says which run is missing, and that tfjs is missing when it cannot be found', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false, name: 'r' });
      await run.saveModel(tinyModel(), { tag: 'final' });
      await run.finish();
      await expect(loadModel('nope', 'final', { dir, tf })).rejects.toThrow(RunNotFoundError);
      const noTfjs = tempDir(); // no node_modules up its tree
      const error = await loadModel('r', 'final', { dir, from: noTfjs }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TfjsNotFoundError);
      expect((error as Error).message).toMatch(/@tensorflow\/tfjs-node-gpu: not installed; @tensorflow\/tfjs-node: not installed; @tensorflow\/tfjs: not installed/);
      expect((error as Error).message).toMatch(/pass your module: loadModel\(run, tag, \{ tf \}\)/);
    });

    it('refuses a damaged index that points outside the run instead of following it', async () => {
      const dir = tempDir();
      const run = init({ dir, git: false, display: false });
      await run.saveModel(tinyModel(), { tag: 'final' });
      await run.finish();
      const indexFile = path.join(run.dir, 'artifacts', 'models', 'index.json');
      const index = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
      index.models[0].folder = '../../../..';
      fs.writeFileSync(indexFile, JSON.stringify(index));
      await expect(loadModel(run, 'final', { tf })).rejects.toThrow(/cannot be read/);
      // And a save refuses to overwrite the damaged index rather than losing its entries.
      await expect(run.saveModel(tinyModel(), { tag: 'other' })).rejects.toThrow(/cannot be read .*Nothing was written/);
      expect(fs.readFileSync(indexFile, 'utf8')).toBe(JSON.stringify(index));
      expect(fs.readdirSync(path.dirname(indexFile))).toHaveLength(2);
    });
  });
});
