import { once } from 'node:events';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../sdk/src/index.js';
import { checkStore } from '../../sdk/src/store/doctor.js';
import { tempDir } from '../helpers/tmp.js';
import { requireBuilt, runCli, runScript, startScript } from '../helpers/sdk.js';

beforeAll(requireBuilt);

const TFJS = pathToFileURL(createRequire(import.meta.url).resolve('@tensorflow/tfjs')).href;

/** Process 1: steps 0..9 of `loss`, an epoch metric at the end of each of two epochs. */
const FIRST_HALF = `
const run = tb.init({ git: false, name: 'mlp', params: { lr: 0.01 }, seed: 7 });
for (let step = 0; step < 10; step++) {
  run.log({ loss: 10 - step });
  if (step === 4 || step === 9) run.log({ val_loss: 20 - step }, { step, epoch: step === 4 ? 0 : 1 });
}
const t = run.chrono('epoch_time'); t.stop();
`;

/** Process 2: resumes `reference`, says where it goes on, logs steps 10..19 and finishes. */
function secondHalf(reference: string): string {
  return `
const run = tb.init({ git: false, resume: ${JSON.stringify(reference)} });
console.log(JSON.stringify({ id: run.id, status: run.status, resumeEpoch: run.resumeEpoch, resumeStep: run.resumeStep, seed: run.seed, params: run.params }));
for (let step = 10; step < 20; step++) {
  run.log({ loss: 10 - step });
  if (step === 14 || step === 19) run.log({ val_loss: 20 - step }, { step, epoch: step === 14 ? 2 : 3 });
}
const t = run.chrono('epoch_time'); t.stop();
await run.finish();
`;
}

const storeOf = (dir: string) => openStore(path.join(dir, '.trainbook'));

function expectContinuousRun(dir: string, runId: string) {
  const data = storeOf(dir).read(runId);
  const loss = data.series.get('loss')!;
  expect([...loss.step]).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect([...loss.value]).toEqual(Array.from({ length: 20 }, (_, i) => 10 - i));
  const valLoss = data.series.get('val_loss')!;
  expect([...valLoss.step]).toEqual([4, 9, 14, 19]);
  expect([...valLoss.epoch]).toEqual([0, 1, 2, 3]);
  expect(data.record.summary.loss).toEqual({ last: -9, min: -9, max: 10, count: 20, step: 19 });
  expect(data.record.summary.val_loss).toEqual({ last: 1, min: 1, max: 16, count: 4, step: 19 });
  expect(data.record.chronos.epoch_time?.count).toBe(2);
  expect(data.record.status).toBe('completed');
  expect(data.status).toBe('completed');
  expect(data.record.endedAt).not.toBeNull();
  const resumeEvents = data.events.filter((event) => event.type === 'resume');
  expect(resumeEvents).toEqual([{ type: 'resume', time: expect.any(Number), step: 10 }]);
  return data;
}

describe('init({ resume })', () => {
  it("continues the last run of a finished process: steps, epochs, summaries, seed and params", () => {
    const dir = tempDir();
    expect(runScript(dir, `${FIRST_HALF} await run.finish();`).status).toBe(0);
    const before = storeOf(dir).list().runs[0]!.record;
    const second = runScript(dir, secondHalf('last'));
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    const said = JSON.parse(second.stdout) as Record<string, unknown>;
    expect(said).toEqual({ id: before.id, status: 'running', resumeEpoch: 2, resumeStep: 10, seed: 7, params: { lr: 0.01 } });

    const data = expectContinuousRun(dir, before.id);
    expect(storeOf(dir).list().runs).toHaveLength(1);
    expect(data.record.startedAt).toBe(before.startedAt);
    expect(data.record.resumes).toEqual([{ at: expect.any(String), fromStep: 10, fromStatus: 'completed' }]);
    const statuses = data.events.flatMap((event) => (event.type === 'status' || event.type === 'resume' ? [event.type === 'status' ? event.status : 'resume'] : []));
    expect(statuses).toEqual(['running', 'completed', 'resume', 'running', 'completed']);
    expect(data.problems).toEqual([]);
    expect(checkStore(path.join(dir, '.trainbook')).findings).toEqual([]);

    // The report draws one continuous curve with the gap marked.
    const report = runCli(['report', '-o', 'report.html'], dir, { TRAINBOOK_DIR: '.trainbook' });
    expect(report.status).toBe(0);
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('>resumed</text>');
  });

  it('continues system samples after the stored ones, so their steps never repeat', () => {
    const dir = tempDir();
    const sampled = (resume: string) => `
const run = tb.init({ git: false, name: 'sampled', systemMetrics: { intervalMs: 100 }${resume} });
await new Promise((resolve) => setTimeout(resolve, 450));
await run.finish();`;
    expect(runScript(dir, sampled('')).status).toBe(0);
    expect(runScript(dir, sampled(", resume: 'last'")).status).toBe(0);
    const run = storeOf(dir).list().runs[0]!;
    const memory = storeOf(dir).read(run.record.id).series.get('sys/memory_used_percent')!;
    const steps = [...memory.step];
    expect(steps.length).toBeGreaterThanOrEqual(4);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i));
    expect(run.record.resumes).toHaveLength(1);
  });

  it('refuses to resume a run while its writer is alive, then resumes it by id once the writer was killed', async () => {
    const dir = tempDir();
    const child = startScript(dir, `${FIRST_HALF} run.flush(); console.log(run.id); setInterval(() => {}, 1000);`);
    const [chunk] = await once(child.stdout!, 'data');
    const id = String(chunk).trim();
    const eventsFile = path.join(dir, '.trainbook', 'runs', id, 'events.jsonl');
    try {
      const refused = runScript(dir, `try { tb.init({ git: false, resume: ${JSON.stringify(id)} }); } catch (e) { console.log(e.name, e.code); process.exitCode = 5; }`);
      expect(refused.stdout.trim()).toBe('RunLockedError run-locked');
      expect(refused.status).toBe(5);
      // The refused resume wrote nothing.
      expect(storeOf(dir).read(id).events.some((event) => event.type === 'resume')).toBe(false);
      expect(storeOf(dir).read(id).record.resumes ?? []).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    expect(storeOf(dir).read(id).status).toBe('crashed');
    const sizeBefore = fs.statSync(eventsFile).size;

    const second = runScript(dir, secondHalf(id.slice(0, 20)));
    expect(second.stderr).toBe('');
    expect(JSON.parse(second.stdout)).toMatchObject({ id, status: 'running', resumeEpoch: 2, resumeStep: 10, seed: 7 });
    const data = expectContinuousRun(dir, id);
    expect(data.record.resumes).toEqual([{ at: expect.any(String), fromStep: 10, fromStatus: 'crashed' }]);
    // Appended only: the first process's bytes are still the file's beginning.
    expect(fs.statSync(eventsFile).size).toBeGreaterThan(sizeBefore);
  });

  it('resumes a run by name and keeps the records intact after a torn last line', () => {
    const dir = tempDir();
    const first = runScript(dir, `${FIRST_HALF} run.flush(); process.kill(process.pid, 'SIGKILL');`);
    expect(first.signal).toBe('SIGKILL');
    const id = storeOf(dir).list().runs[0]!.record.id;
    const eventsFile = path.join(dir, '.trainbook', 'runs', id, 'events.jsonl');
    const torn = '{"crc":"0badf00d","type":"metrics","time":1,"ser';
    fs.appendFileSync(eventsFile, torn);
    expect(storeOf(dir).read(id).tornTail).toEqual({ offset: expect.any(Number), length: torn.length });

    const second = runScript(dir, secondHalf('mlp'));
    expect(second.stderr).toBe('');
    const data = expectContinuousRun(dir, id);
    // The torn line is now a damaged line of its own, and the only thing lost.
    expect(data.tornTail).toBeNull();
    expect(data.problems).toHaveLength(1);
    expect(data.problems[0]!.length).toBe(torn.length);
    const findings = checkStore(path.join(dir, '.trainbook')).findings;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ runId: id, severity: 'damage', line: data.problems[0]!.line });
  });

  it('refuses a seed or a param that contradicts the stored run, naming it, and adds new params', () => {
    const dir = tempDir();
    expect(runScript(dir, `${FIRST_HALF} await run.finish();`).status).toBe(0);
    const attempt = (options: string) =>
      runScript(dir, `try { const run = tb.init({ git: false, resume: 'last', ${options} }); console.log(JSON.stringify({ seed: run.seed, params: run.params })); await run.finish(); } catch (e) { console.log(e.name, e.key, e.message); }`).stdout.trim();
    expect(attempt('seed: 8')).toMatch(/^ResumeConflictError seed Cannot resume with seed = 8: the run was recorded with 7/);
    expect(attempt("params: { lr: 0.1 }")).toMatch(/^ResumeConflictError lr Cannot resume with param "lr" = 0.1: the run was recorded with 0.01/);
    // Nothing was written by the refused attempts.
    expect(storeOf(dir).list().runs[0]!.record.resumes ?? []).toEqual([]);
    expect(JSON.parse(attempt("seed: 7, params: { lr: 0.01, warmup: { steps: 5 } }"))).toEqual({ seed: 7, params: { lr: 0.01, 'warmup.steps': 5 } });
    expect(storeOf(dir).list().runs[0]!.record.params).toEqual({ lr: 0.01, 'warmup.steps': 5 });
  });

  it('says what to do when there is nothing to resume', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, '.trainbook', 'runs'), { recursive: true });
    const out = runScript(dir, `for (const ref of ['last', 'nope']) { try { tb.init({ git: false, resume: ref }); } catch (e) { console.log(e.name + ': ' + e.message); } }`).stdout;
    expect(out).toMatch(/RunNotFoundError: No run to resume in .*Start one with trainbook\.init\(\)/);
    expect(out).toMatch(/RunNotFoundError: No run "nope"/);
  });

  it('continues a tfjs fit with initialEpoch: batch steps and epochs go on where they stopped', () => {
    const dir = tempDir();
    const training = (initRun: string, epochs: number) => `
import * as tf from ${JSON.stringify(TFJS)};
await tf.setBackend('cpu');
const run = tb.init({ git: false, display: false, ${initRun} });
const xs = tf.tensor2d(Array.from({ length: 32 }, (_, i) => [i / 32, 1 - i / 32]));
const ys = tf.tensor2d(Array.from({ length: 32 }, (_, i) => [i % 2]));
const model = tf.sequential();
model.add(tf.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' }));
model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
const history = await model.fit(xs, ys, { epochs: ${epochs}, initialEpoch: run.resumeEpoch, batchSize: 8, verbose: 0, callbacks: run.tfCallback() });
console.log(JSON.stringify({ id: run.id, resumeEpoch: run.resumeEpoch, epochs: history.epoch }));
await run.finish();
`;
    const first = runScript(dir, training('', 2));
    expect(first.stderr).not.toMatch(/trainbook:|Error/);
    expect(JSON.parse(first.stdout)).toMatchObject({ resumeEpoch: 0, epochs: [0, 1] });
    const second = runScript(dir, training("resume: 'last'", 4));
    expect(second.stderr).not.toMatch(/trainbook:|Error/);
    const said = JSON.parse(second.stdout) as { id: string; resumeEpoch: number; epochs: number[] };
    expect(said).toMatchObject({ resumeEpoch: 2, epochs: [2, 3] });

    const data = storeOf(dir).read(said.id);
    // 32 samples / 8 = 4 batches per epoch, 4 epochs in two processes.
    const batchLoss = data.series.get('batch/loss')!;
    expect([...batchLoss.step]).toEqual(Array.from({ length: 16 }, (_, i) => i));
    const loss = data.series.get('loss')!;
    expect([...loss.step]).toEqual([3, 7, 11, 15]);
    expect([...loss.epoch]).toEqual([0, 1, 2, 3]);
    expect(data.record.resumes).toEqual([{ at: expect.any(String), fromStep: 8, fromStatus: 'completed' }]);
    expect(data.record.progress).toMatchObject({ epoch: 4, epochs: 4, fraction: 1 });
  });
});
