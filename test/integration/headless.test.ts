import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../sdk/src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { requireBuilt, runCli } from '../helpers/sdk.js';
import { linkProject, requireKernel, VENV_PYTHON } from '../helpers/kernel.js';

beforeAll(() => {
  requireBuilt();
  requireKernel();
});

// Sources as lists of lines, as JupyterLab saves them (nbformat allows a string or a list).
const code = (id: string, source: string, tags: string[] = []) => ({ cell_type: 'code', id, metadata: { tags }, source: source.split(/(?<=\n)/), outputs: [], execution_count: null });

function writeNotebook(dir: string, cells: ReturnType<typeof code>[]): string {
  const nb = { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, cells };
  fs.writeFileSync(path.join(dir, 'nb.ipynb'), JSON.stringify(nb, null, 1));
  return path.join(dir, 'nb.ipynb');
}

const PARAMETERS = code('params', 'const lr = 0.1;\nconst epochs = 2;', ['parameters']);
const TRAIN = code(
  'train',
  `import * as trainbook from 'trainbook';
const run = trainbook.init({ git: false });
for (let epoch = 0; epoch < epochs; epoch++) run.log({ loss: lr / (epoch + 1) }, { epoch });
console.log('trained with lr', lr);`,
);
// The run ends in a later cell: the context set before that cell must not land in its output.
const FINISH = code('finish', 'await run.finish();');
// A cell tagged as an experiment that never calls the SDK: its execution is a run all the same.
const QUIET = code('quiet', 'const twice = lr * 2;', ['experiment:sweep']);
const env = { JUPYTER_PATH: path.join(path.dirname(path.dirname(VENV_PYTHON)), 'share', 'jupyter') };

describe('trainbook run (headless, real tslab kernel)', () => {
  it('runs every grid point in its own kernel, saves the executed notebooks and records the runs', () => {
    const dir = tempDir();
    linkProject(dir);
    const notebook = writeNotebook(dir, [PARAMETERS, TRAIN, FINISH, QUIET]);
    const original = fs.readFileSync(notebook, 'utf8');
    const result = runCli(['run', 'nb.ipynb', '--grid', 'lr=0.1,0.01', '--parallel', '2', '--jupyter-python', VENV_PYTHON], dir, env);
    expect(result.stderr).toContain('the parameters cell (cell 1) declares lr=0.1 epochs=2');
    expect(result.status, result.stderr).toBe(0);

    // Two executed notebooks beside the original, which is unchanged.
    expect(fs.readFileSync(notebook, 'utf8')).toBe(original);
    const outputs = fs.readdirSync(dir).filter((f) => /^nb\.run-\d{8}-\d{6}-[12]\.ipynb$/.test(f)).sort();
    expect(outputs).toHaveLength(2);
    const executed = JSON.parse(fs.readFileSync(path.join(dir, outputs[1]!), 'utf8'));
    expect(executed.cells.map((c: { id: string }) => c.id)).toEqual(['params', 'trainbook-injected-parameters', 'train', 'finish', 'quiet']);
    expect(executed.cells[1].metadata.tags).toEqual(['injected-parameters']);
    expect(executed.cells[1].source.join('')).toContain('const lr = 0.01;');
    expect(executed.cells[2].execution_count).toBe(3);

    // Two runs in the notebook's sidecar store, with the params each job ran with.
    const { runs: all } = openStore(path.join(dir, 'nb.trainbook')).list();
    const runs = all.filter((run) => run.record.cell?.id === 'train');
    const byLr = runs.map((run) => run.record).sort((a, b) => Number(b.params.lr) - Number(a.params.lr));
    expect(byLr.map((r) => r.params)).toEqual([
      { lr: 0.1, epochs: 2 },
      { lr: 0.01, epochs: 2 },
    ]);
    expect(byLr.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(byLr[1]!.notebook).toBe('nb.ipynb');
    expect(byLr[1]!.cell).toMatchObject({ id: 'train', executionCount: 3 });
    expect(byLr[1]!.summary.loss!.last).toBeCloseTo(0.005);
    // What the cells printed while the run was active, and nothing of trainbook's own requests.
    const printed = openStore(path.join(dir, 'nb.trainbook')).read(byLr[1]!.id).output.chunks.map((chunk) => chunk.text).join('');
    expect(printed).toBe('trained with lr 0.01\n');

    // The tagged cell that never called the SDK: one run per job, and one execution record each.
    const quiet = all.filter((run) => run.record.cell?.id === 'quiet').map((run) => run.record);
    expect(quiet.map((r) => [r.status, r.experiment, r.params.lr]).sort()).toEqual([
      ['completed', 'sweep', 0.01],
      ['completed', 'sweep', 0.1],
    ]);
    const executions = fs.readdirSync(path.join(dir, 'nb.trainbook', 'executions')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, 'nb.trainbook', 'executions', f), 'utf8')));
    expect(executions).toHaveLength(2);
    expect(executions.every((e) => e.cell.id === 'quiet' && e.success && e.synthesized && e.durationMs >= 0)).toBe(true);
    expect(executions.map((e) => e.runs[0]).sort()).toEqual(quiet.map((r) => r.id).sort());

    // The summary: one row per job with its run and last metric.
    expect(result.stdout).toMatch(/^JOB\s+PARAMS\s+STATUS/);
    expect(result.stdout).toMatch(new RegExp(`1\\s+lr=0\\.1\\s+completed\\s+\\S+\\s+${outputs[0]!.replace(/\./g, '\\.')}\\s+${byLr[0]!.id}\\s+completed\\s+loss=0\\.05`));
    expect(result.stdout).toMatch(new RegExp(`2\\s+lr=0\\.01\\s+completed\\s+\\S+\\s+${outputs[1]!.replace(/\./g, '\\.')}\\s+${byLr[1]!.id}\\s+completed\\s+loss=0\\.005`));
    expect(result.stdout).toContain('2 jobs: 2 completed');
    // Not a terminal: a line per event.
    expect(result.stderr).toMatch(/\[2\/2\] lr=0\.01: cell 5\/5 done/);
  }, 60_000);

  it('exits 1 when a cell throws, shows its error, fails its run and keeps the executed notebook', () => {
    const dir = tempDir();
    linkProject(dir);
    writeNotebook(dir, [
      PARAMETERS,
      code('start', `import * as trainbook from 'trainbook';\nconst run = trainbook.init({ git: false });\nrun.log({ loss: lr }, { epoch: 0 });`),
      code('boom', `throw new RangeError('diverged at lr ' + lr);`),
      code('never', `console.log('not reached');`),
    ]);
    const result = runCli(['run', 'nb.ipynb', '-p', 'lr=0.5', '-p', 'batch=8', '-o', 'out/executed.ipynb', '--timeout', '30'], dir, { ...env, TRAINBOOK_PYTHON: VENV_PYTHON, JPY_SESSION_NAME: '' });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain('the parameters cell does not declare "batch"');
    expect(result.stdout).toContain('job 1 (lr=0.5 batch=8) failed in cell 4: RangeError: diverged at lr 0.5');
    expect(result.stdout).toContain('1 job: 1 failed');

    const executed = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'executed.ipynb'), 'utf8'));
    expect(executed.cells[3].outputs.map((o: { text: string[] }) => o.text.join('')).join('')).toContain('RangeError: diverged at lr 0.5');
    expect(executed.cells[4].execution_count).toBeNull();

    const { runs } = openStore(path.join(dir, 'nb.trainbook')).list();
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('failed');
    expect(runs[0]!.record.params).toEqual({ lr: 0.5, epochs: 2, batch: 8 });
    expect(runs[0]!.record.error).toMatchObject({ name: 'RangeError', message: 'diverged at lr 0.5' });
  }, 60_000);

  it('records parameters named constructor and toString, from -p and from the parameters cell; refuses a __proto__ variable', () => {
    const dir = tempDir();
    linkProject(dir);
    writeNotebook(dir, [
      code('params', 'const lr = 0.1;\nconst constructor = 2;', ['parameters']),
      code('train', `import * as trainbook from 'trainbook';\nconst run = trainbook.init({ git: false });\nrun.log({ loss: lr }, { step: 0 });\nawait run.finish();`),
    ]);
    // tslab cannot declare a variable named __proto__: refused up front, with what to do.
    const refused = runCli(['run', 'nb.ipynb', '-p', '__proto__={"polluted":1}', '--jupyter-python', VENV_PYTHON], dir, env);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/"__proto__" cannot name a variable in the TypeScript kernel.*rename it/);
    // As a key inside a value, __proto__ is data: the kernel's run context keeps it.
    const result = runCli(['run', 'nb.ipynb', '-p', 'toString="x"', '-p', 'constructor=3', '-p', 'cfg={"__proto__":{"polluted":1}}', '--jupyter-python', VENV_PYTHON], dir, env);
    expect(result.status, result.stderr).toBe(0);
    const { runs } = openStore(path.join(dir, 'nb.trainbook')).list();
    expect(runs).toHaveLength(1);
    const params = runs[0]!.record.params;
    expect(Object.keys(params).sort()).toEqual(['cfg.__proto__.polluted', 'constructor', 'lr', 'toString']);
    expect(params).toEqual(JSON.parse('{"lr": 0.1, "constructor": 3, "toString": "x", "cfg.__proto__.polluted": 1}'));
    expect(runs[0]!.record.summary.loss!.last).toBe(0.1);
  }, 60_000);

  it('says how to fix a missing kernel or a bad parameter, with exit 2, before starting anything', () => {
    const dir = tempDir();
    writeNotebook(dir, [PARAMETERS]);
    const noKernel = runCli(['run', 'nb.ipynb', '--kernel', 'no-such-kernel', '--jupyter-python', VENV_PYTHON], dir, env);
    expect(noKernel.status).toBe(2);
    expect(noKernel.stderr).toMatch(/no "no-such-kernel" kernel.*npx trainbook jupyter install/);
    const noPython = runCli(['run', 'nb.ipynb', '--jupyter-python', path.join(dir, 'missing-python')], dir, env);
    expect(noPython.status).toBe(2);
    expect(noPython.stderr).toMatch(/No Python at .*missing-python/);
    const badKey = runCli(['run', 'nb.ipynb', '-p', 'learning-rate=1'], dir, env);
    expect(badKey.status).toBe(2);
    expect(badKey.stderr).toMatch(/not an identifier/);
    expect(fs.readdirSync(dir).sort()).toEqual(['nb.ipynb']);
  }, 30_000);
});
