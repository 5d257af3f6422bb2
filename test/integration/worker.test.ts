import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireBuilt, runCli } from '../helpers/sdk.js';
import { linkProject, requireKernel, VENV_PYTHON } from '../helpers/kernel.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';

let pg: TestPostgres;
let databases = 0;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  requireBuilt();
  requireKernel();
  pg = await startPostgres();
});
afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await pg?.destroy();
});

const code = (id: string, source: string, tags: string[] = []) => ({ cell_type: 'code', id, metadata: { tags }, source, outputs: [], execution_count: null });

/** A tiny notebook: `steps` points `pause` ms apart; throws for lr above `failAbove`. */
function writeNotebook(dir: string, options: { pause: number; steps: number; failAbove?: number }): void {
  const cells = [
    code('params', 'const lr = 0.1;\nconst batch = 32;', ['parameters']),
    code(
      'train',
      `import * as trainbook from 'trainbook';
const run = trainbook.init({ git: false, systemMetrics: false });
${options.failAbove === undefined ? '' : `if (lr > ${options.failAbove}) throw new RangeError('diverged at lr ' + lr);`}
for (let step = 0; step < ${options.steps}; step++) {
  run.log({ loss: (lr * 32) / batch / (step + 1) }, { step });
  await new Promise((resolve) => setTimeout(resolve, ${options.pause}));
}
await run.finish();`,
    ),
  ];
  const nb = { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, cells };
  fs.writeFileSync(path.join(dir, 'train.ipynb'), JSON.stringify(nb, null, 1));
}

const ENV = { JUPYTER_PATH: path.join(path.dirname(path.dirname(VENV_PYTHON)), 'share', 'jupyter'), TRAINBOOK_PYTHON: VENV_PYTHON, JPY_SESSION_NAME: '', JPY_PARENT_PID: '', TRAINBOOK_DIR: '' };

function freshHub(dir: string): string {
  const name = `w${++databases}`;
  pg.psql(`CREATE DATABASE ${name}`);
  const url = pg.urlFor('postgres', name);
  const init = runCli(['hub', 'init', url], dir);
  expect(init.status, init.stderr).toBe(0);
  return url;
}

interface Worker {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startWorker(dir: string, args: string[]): Worker {
  const child = spawn(process.execPath, [CLI, 'worker', ...args], { cwd: dir, env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  workers.push(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

const sql = (url: string, query: string): string[][] =>
  pg
    .psql(query, new URL(url).pathname.slice(1))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('|'));

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function queue(dir: string, url: string, args: string[]): string {
  const queued = runCli(['run', 'train.ipynb', ...args, '--hub', url, '--queue'], dir, ENV);
  expect(queued.status, queued.stderr).toBe(0);
  expect(queued.stdout).toMatch(/Start workers in the project's folder/);
  return /Queued sweep (\S+)/.exec(queued.stdout)![1]!;
}

describe('trainbook worker (real PostgreSQL, real tslab kernels)', () => {
  it('runs a 4-point grid with 3 workers (one with --parallel 2), one killed -9 mid-job: every point ends with one completed run, the crashed attempt shows', async () => {
    const dir = tempDir();
    linkProject(dir);
    // 6 s a run: the live push (every 3 s) puts it on the hub while it still trains, so the kill lands mid-run.
    writeNotebook(dir, { pause: 300, steps: 20 });
    const url = freshHub(dir);
    const sweep = queue(dir, url, ['--grid', 'lr=0.1,0.01', '--grid', 'batch=32,64', '--name', 'grid']);

    const args = ['--hub', url, '--sweep', sweep, '--exit-when-empty', '--lease-seconds', '3', '--heartbeat-seconds', '0.5'];
    // The third worker runs two jobs at once (--parallel 2).
    const started = [startWorker(dir, args), startWorker(dir, args), startWorker(dir, [...args, '--parallel', '2'])];
    const victim = started[0]!;
    // Mid-job: its attempt is running and its run is already on the hub (pushed live by the kernel).
    const victimJob = await waitFor('the first worker to be training on the hub', () => {
      const rows = sql(url, `SELECT a.job_id, a.attempt FROM trainbook.job_attempts a WHERE a.worker LIKE '%:${victim.child.pid}' AND a.state = 'running'
        AND EXISTS (SELECT 1 FROM trainbook.runs r WHERE (r.record::json -> 'tagValues' ->> 'job') = a.job_id AND r.event_count > 2)`);
      return rows[0];
    });
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    // A spare worker, free when the dead worker's lease runs out (the others are busy with their 6 s jobs).
    started.push(startWorker(dir, args));
    const codes = await Promise.all(started.slice(1).map((w) => w.exited));
    expect(codes, started.map((w) => w.stderr()).join('\n---\n')).toEqual([0, 0, 0]);

    // Every grid point: exactly one completed run on the hub, with its params and the job's tags.
    const completed = sql(
      url,
      `SELECT r.record::json -> 'tagValues' ->> 'job', r.params ->> 'lr', r.params ->> 'batch', r."group" FROM trainbook.runs r WHERE r.status = 'completed' ORDER BY 1`,
    );
    expect(completed.map((row) => row[0])).toEqual([1, 2, 3, 4].map((n) => `${sweep}-${n}`));
    expect(completed.map((row) => `${row[1]}/${row[2]}`).sort()).toEqual(['0.01/32', '0.01/64', '0.1/32', '0.1/64']);
    expect(completed.every((row) => row[3] === sweep)).toBe(true);
    // The killed attempt's run stopped heartbeating when its worker died (its kernel went with it).
    const halfDone = sql(url, `SELECT r.id, r.status, extract(epoch FROM r.heartbeat_at) * 1000 FROM trainbook.runs r WHERE r.status <> 'completed'`);
    expect(halfDone).toHaveLength(1);
    expect(halfDone[0]![1]).toBe('running');
    expect(Number(halfDone[0]![2])).toBeLessThan(killedAt + 1000);
    const local = JSON.parse(fs.readFileSync(path.join(dir, 'train.trainbook', 'runs', halfDone[0]![0]!, 'run.json'), 'utf8'));
    expect(Date.parse(local.heartbeatAt)).toBeLessThan(killedAt + 1000);
    expect(local.tagValues).toEqual({ sweep, job: victimJob[0], attempt: Number(victimJob[1]) });

    // The --parallel 2 worker had two attempts running at the same time.
    const overlapping = sql(url, `SELECT count(*) FROM trainbook.job_attempts a JOIN trainbook.job_attempts b
      ON a.worker = b.worker AND (a.job_id, a.attempt) < (b.job_id, b.attempt) AND a.started_at < b.ended_at AND b.started_at < a.ended_at
      WHERE a.worker LIKE '%:${started[2]!.child.pid}'`);
    expect(Number(overlapping[0]![0])).toBeGreaterThan(0);

    const status = runCli(['sweep', 'status', sweep, '--hub', url], dir);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain(`Sweep ${sweep} (grid): train.ipynb`);
    expect(status.stdout).toMatch(new RegExp(`${victimJob[1]}\\s+\\S+:${victim.child.pid}\\s+crashed\\s`));
    expect(status.stdout).toMatch(/lr=0\.1 batch=32\s+completed/);
    expect(status.stdout).toContain('4 jobs: 4 completed');
    expect(status.stdout).toMatch(/loss=0\.0\d+/);
    const json = JSON.parse(runCli(['sweep', 'status', sweep, '--hub', url, '--json'], dir).stdout);
    const retried = json.jobs.find((job: { id: string }) => job.id === victimJob[0]);
    expect(retried.attempts).toBe(Number(victimJob[1]) + 1);

    // The sweep's runs together, by tag, on the hub.
    const ls = JSON.parse(runCli(['ls', '--hub', url, '--runs', `tags.sweep = "${sweep}"`, '--json'], dir).stdout) as { runs: unknown[] };
    expect(ls.runs).toHaveLength(5);
    const report = runCli(['report', '--hub', url, '--runs', `tags.sweep=${sweep},status=completed`, '-o', 'sweep.html'], dir);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/Wrote sweep\.html \(4 runs/);

    // Figures: how long the killed worker's job waited before another worker took it again.
    const attempts = json.attempts.filter((a: { jobId: string }) => a.jobId === victimJob[0]);
    const lastBeat = Date.parse(attempts[0].heartbeatAt);
    const retaken = Date.parse(attempts[1].startedAt);
    console.log(`[worker] dead worker's job taken again ${((retaken - killedAt) / 1000).toFixed(2)} s after the kill (${((retaken - lastBeat) / 1000).toFixed(2)} s after its last heartbeat; lease 3 s)`);
    expect(retaken - lastBeat).toBeLessThan(3000 + 2500);
  }, 150_000);

  it('fails a job whose cell throws (not retried), exits 1 as `trainbook run` does; an idle worker takes a job at once; Ctrl-C gives a job back', async () => {
    const dir = tempDir();
    linkProject(dir);
    writeNotebook(dir, { pause: 200, steps: 3, failAbove: 0.2 });
    const url = freshHub(dir);
    const worker = startWorker(dir, ['--hub', url, '--max-jobs', '2', '--lease-seconds', '5']);
    await waitFor('the worker to wait for jobs', () => /waiting for jobs/.test(worker.stderr()));
    const sweep = queue(dir, url, ['--grid', 'lr=0.1,0.5']);
    expect(await worker.exited, worker.stderr()).toBe(1);
    expect(worker.stderr()).toMatch(/job 2 \(lr=0\.5\) of \S+: failed in [\d.]+s \(run \S+\): cell 3: RangeError: diverged at lr 0\.5/);
    const status = runCli(['sweep', 'status', sweep, '--hub', url], dir);
    expect(status.status).toBe(1);
    expect(status.stdout).toContain('job 2 (lr=0.5) failed: cell 3: RangeError: diverged at lr 0.5');
    expect(status.stdout).toContain('2 jobs: 1 completed, 1 failed');
    const json = JSON.parse(runCli(['sweep', 'status', sweep, '--hub', url, '--json'], dir).stdout);
    expect(json.jobs.map((job: { attempts: number }) => job.attempts)).toEqual([1, 1]);
    expect(json.jobs[1].runIds).toEqual(json.attempts[1].runIds);
    expect(json.runs.find((run: { id: string }) => run.id === json.jobs[1].runIds[0]).status).toBe('failed');
    // The first job was queued while the worker waited: the time it waited for it.
    const waited = Date.parse(json.attempts[0].startedAt) - Date.parse(json.jobs[0].queuedAt);
    console.log(`[worker] a job waited ${waited} ms for an idle worker (LISTEN/NOTIFY)`);
    expect(waited).toBeLessThan(1000);

    // Ctrl-C: the kernel is interrupted, the run ends interrupted, the job goes back to the queue.
    writeNotebook(dir, { pause: 500, steps: 200 });
    const long = queue(dir, url, ['-p', 'lr=0.3']);
    const stopping = startWorker(dir, ['--hub', url, '--sweep', long]);
    await waitFor('the long job to train on the hub', () => sql(url, `SELECT 1 FROM trainbook.runs r WHERE r."group" = '${long}' AND r.event_count > 2`)[0], 60_000);
    stopping.child.kill('SIGINT');
    expect(await stopping.exited, stopping.stderr()).toBe(1);
    const after = JSON.parse(runCli(['sweep', 'status', long, '--hub', url, '--json'], dir).stdout);
    expect(after.jobs[0].state).toBe('queued');
    expect(after.attempts.map((a: { state: string }) => a.state)).toEqual(['interrupted']);
    expect(after.runs.map((run: { status: string }) => run.status)).toEqual(['interrupted']);
    const cancel = runCli(['sweep', 'cancel', long, '--hub', url], dir);
    expect(cancel.stdout).toContain('1 queued job dropped');
  }, 150_000);
});
