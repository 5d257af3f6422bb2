/**
 * The stores the dashboard's browser test opens: a folder with two notebooks, `mnist.ipynb`
 * (3 finished runs: an lr sweep) and `sweep.ipynb` (200 runs of a grid), written by the real SDK.
 * Each run logs loss, acc and val_loss over its steps, so every chart has a shape to see.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { init } from '../../sdk/src/index.js';

const NOTEBOOK = JSON.stringify({
  cells: [{ cell_type: 'code', id: 'c', metadata: {}, source: '1 + 1;', outputs: [], execution_count: null }],
  metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
  nbformat: 4,
  nbformat_minor: 5,
});

export interface DashboardRun {
  id: string;
  name: string;
  notebook: string;
}

/** Writes one run: a noisy decaying loss whose speed depends on the learning rate. */
async function writeRun(folder: string, notebook: string, name: string, params: Record<string, unknown>, steps: number, seed: number): Promise<DashboardRun> {
  const run = init({ dir: path.join(folder, notebook.replace(/\.ipynb$/, '.trainbook')), notebook, git: false, display: false, systemMetrics: false, hub: false, name, params });
  const lr = Number(params.lr);
  let noise = seed;
  for (let step = 0; step < steps; step++) {
    noise = (noise * 1103515245 + 12345) % 2147483648;
    const jitter = (noise / 2147483648 - 0.5) * 0.08;
    const loss = 2.3 * Math.exp(-step * lr * 0.6) + 0.05 + jitter;
    run.log({ loss, acc: Math.min(0.99, 1 - loss / 2.5), val_loss: loss * 1.1 + 0.02 }, { step, epoch: Math.floor(step / 20) });
  }
  await run.finish();
  return { id: run.id, name, notebook };
}

/** Fills `folder` with the two notebooks and their stores; returns the runs, per notebook. */
export async function writeDashboardStores(folder: string): Promise<{ mnist: DashboardRun[]; sweep: DashboardRun[] }> {
  fs.writeFileSync(path.join(folder, 'mnist.ipynb'), NOTEBOOK);
  fs.writeFileSync(path.join(folder, 'sweep.ipynb'), NOTEBOOK);
  const mnist: DashboardRun[] = [];
  for (const [i, lr] of [0.03, 0.1, 0.3].entries()) mnist.push(await writeRun(folder, 'mnist.ipynb', `mlp-lr${lr}`, { lr, optimizer: 'adam', layers: i + 1 }, 120, i + 1));
  const sweep: DashboardRun[] = [];
  const optimizers = ['adam', 'sgd', 'rmsprop', 'adagrad'];
  for (let i = 0; i < 200; i++) {
    const lr = Number((0.01 * (1 + (i % 10) * 3)).toFixed(3));
    const optimizer = optimizers[Math.floor(i / 10) % optimizers.length]!;
    const batch = [16, 32, 64, 128, 256][Math.floor(i / 40)]!;
    sweep.push(await writeRun(folder, 'sweep.ipynb', `grid-${String(i).padStart(3, '0')}`, { lr, optimizer, batch }, 40, i + 7));
  }
  return { mnist, sweep };
}
