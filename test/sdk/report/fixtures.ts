import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScript } from '../../helpers/sdk.js';

/** Every kind of markup that must stay text: tags, a script end, an event handler, comment openers, quotes, line separators. */
export const PAYLOAD = `</script><script>window.__xss=1</script><img src=x onerror="window.__xss=2"><!--'"\`=&amp;\u2028\u2029<svg onload=window.__xss=3>`;

/**
 * A store beside `train.ipynb` with three runs: two normal ones with a loss curve (one spike),
 * and one whose every field carries PAYLOAD, which failed with PAYLOAD in its error.
 */
export function makeStore(dir: string, points = 3000): string {
  fs.writeFileSync(path.join(dir, 'train.ipynb'), '{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}');
  const body = `
const P = ${JSON.stringify(PAYLOAD)};
const make = async (options, scale, fail) => {
  const run = tb.init({ notebook: 'train.ipynb', display: false, ...options });
  for (let i = 0; i < ${points}; i++) {
    const loss = Math.exp(-i / 600 * scale) + (i === 1234 ? 5 : 0);
    run.log({ loss, val_loss: loss + 0.05, acc: 1 - Math.exp(-i / 500) }, { step: i });
  }
  run.log({ loss: NaN }, { step: ${points} });
  const t = run.chrono('batch_time'); t.stop();
  if (fail) {
    // The hostile run also printed PAYLOAD (captured output) and saved a model tagged with it.
    console.log(P);
    const model = { save: (handler) => handler.save({ modelTopology: { layers: [] }, weightSpecs: [], weightData: new ArrayBuffer(0), format: 'layers-model' }) };
    await run.saveModel(model, { tag: P });
    run.fail(fail);
  }
  await run.finish();
  return run.id;
};
const ids = [];
ids.push(await make({ name: 'baseline', tags: ['mnist'], params: { lr: 0.01, optimizer: { name: 'adam' }, layers: 2 },
  cell: { id: 'cell-1', source: "const run = trainbook.init({ params: { lr: 0.01 } }); // train\\nawait model.fit(x, y, { epochs: 3, callbacks: run.tfCallback() });", executionCount: 3 } }, 1));
ids.push(await make({ name: 'fast', tags: ['mnist'], params: { lr: 0.1, optimizer: { name: 'adam' }, layers: 2 } }, 2));
const error = new Error(P); error.stack = 'Error: ' + P + '\\n    at train (' + P + ':1:1)';
ids.push(await make({ name: P, experiment: P, group: P, notes: P, tags: [P], params: { [P]: P, lr: 0.5, optimizer: { name: P } },
  cell: { id: P, source: 'const s = "' + P + '"; // ' + P + '\\n/* ' + P + ' */', executionCount: 1 } }, 3, error));
console.log(JSON.stringify(ids));
`;
  const result = runScript(dir, body);
  if (result.status !== 0) throw new Error(`making the store failed:\n${result.stderr}`);
  return path.join(dir, 'train.trainbook');
}

export function runIds(dir: string): string[] {
  return fs.readdirSync(path.join(dir, 'train.trainbook', 'runs')).sort();
}

export function storedRecord(dir: string, id: string): Record<string, unknown> {
  const record = JSON.parse(fs.readFileSync(path.join(dir, 'train.trainbook', 'runs', id, 'run.json'), 'utf8')) as Record<string, unknown>;
  delete record.writer;
  return record;
}
