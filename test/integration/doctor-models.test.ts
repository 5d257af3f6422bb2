import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkStore } from '../../sdk/src/store/doctor.js';
import { tempDir } from '../helpers/tmp.js';
import { requireBuilt, runScript } from '../helpers/sdk.js';

beforeAll(requireBuilt);

/** A finished run with two saved models (a stand-in model object: saveModel only needs `save(handler)`). */
function runWithModels(dir: string): string {
  const result = runScript(
    dir,
    `
const model = { save: (handler) => handler.save({ modelTopology: { layers: [] }, weightSpecs: [], weightData: new ArrayBuffer(8), format: 'layers-model' }) };
const run = tb.init({ git: false, display: false });
await run.saveModel(model, { tag: 'best' });
await run.saveModel(model, { tag: 'final' });
await run.finish();
console.log(run.dir);
`,
  );
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim().split('\n').at(-1)!;
}

describe('trainbook doctor and saved models', () => {
  it('passes a run whose models are whole', () => {
    const dir = tempDir();
    runWithModels(dir);
    expect(checkStore(path.join(dir, '.trainbook')).findings).toEqual([]);
  });

  it('reports a missing snapshot, and removes leftovers of interrupted saves on --repair', () => {
    const dir = tempDir();
    const runDir = runWithModels(dir);
    const models = path.join(runDir, 'artifacts', 'models');
    const index = JSON.parse(fs.readFileSync(path.join(models, 'index.json'), 'utf8')) as { models: Array<{ tag: string; folder: string }> };
    const final = index.models.find((entry) => entry.tag === 'final')!;
    fs.rmSync(path.join(models, final.folder, 'model.json'));
    fs.mkdirSync(path.join(models, 'orphan-folder'));
    fs.mkdirSync(path.join(models, '.tmp-999999-best'));

    const report = checkStore(path.join(dir, '.trainbook'));
    const messages = report.findings.map((f) => [f.severity, f.message]);
    expect(messages).toEqual(
      expect.arrayContaining([
        ['damage', 'saved model "final" is missing its model.json'],
        ['warning', 'model folder that no tag points to (a save interrupted before the index was updated)'],
        ['warning', 'half-written model save left by process 999999, which is gone'],
      ]),
    );
    expect(report.findings).toHaveLength(3);

    const repaired = checkStore(path.join(dir, '.trainbook'), { repair: true });
    expect(repaired.findings.filter((f) => f.repaired === 'removed')).toHaveLength(2);
    expect(fs.existsSync(path.join(models, 'orphan-folder'))).toBe(false);
    expect(fs.existsSync(path.join(models, '.tmp-999999-best'))).toBe(false);
    // The damaged snapshot stays (it is not the doctor's to delete), and 'best' is untouched.
    expect(fs.existsSync(path.join(models, final.folder))).toBe(true);
    expect(checkStore(path.join(dir, '.trainbook')).findings.map((f) => f.message)).toEqual(['saved model "final" is missing its model.json']);
  });

  it('keeps every saved model when the index is lost, and reports it', () => {
    const dir = tempDir();
    const runDir = runWithModels(dir);
    const models = path.join(runDir, 'artifacts', 'models');
    const folders = fs.readdirSync(models).filter((name) => name !== 'index.json').sort();
    expect(folders).toHaveLength(2);
    fs.rmSync(path.join(models, 'index.json'));
    const repaired = checkStore(path.join(dir, '.trainbook'), { repair: true });
    expect(repaired.findings.map((f) => [f.severity, f.message, f.repaired])).toEqual([['damage', 'models index is missing; 2 saved model folder(s) are kept', undefined]]);
    expect(fs.readdirSync(models).sort()).toEqual(folders);
  });

  it('leaves the model folders of a run still being written alone', () => {
    const dir = tempDir();
    const result = runScript(
      dir,
      `
const run = tb.init({ git: false, display: false });
const fs = await import('node:fs');
fs.mkdirSync(run.dir + '/artifacts/models/best-inflight', { recursive: true });
fs.writeFileSync(run.dir + '/artifacts/models/index.json', JSON.stringify({ format: 1, models: [] }));
run.flush();
const { checkStore } = await import(${JSON.stringify(path.resolve('sdk/dist/store/doctor.js'))});
const report = checkStore(${JSON.stringify(path.join('.trainbook'))}, { repair: true });
console.log(JSON.stringify(report.findings.map((f) => f.repaired ?? null)), fs.existsSync(run.dir + '/artifacts/models/best-inflight'));
await run.finish();
`,
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('[null] true');
  });
});
