import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../sdk/src/index.js';
import { acquireRunLock } from '../../sdk/src/store/lock.js';
import { effectiveStatus } from '../../core/src/format/status.js';
import { RunLockedError } from '../../core/src/errors.js';
import { tempDir } from '../helpers/tmp.js';
import { requireBuilt, runScript, startScript } from '../helpers/sdk.js';

beforeAll(requireBuilt);

function onlyRun(dir: string) {
  const { runs } = openStore(path.join(dir, '.trainbook')).list();
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

describe('run lifecycle across processes', () => {
  it('completes the runs of a script that ends without finish()', () => {
    const dir = tempDir();
    const result = runScript(dir, `const run = tb.init({ git: false }); run.log({ loss: 1 });`);
    expect(result.status).toBe(0);
    const run = onlyRun(dir);
    expect(run.status).toBe('completed');
    expect(run.record.summary.loss?.count).toBe(1);
  });

  it('fails the runs of a script that throws, keeping the error', () => {
    const dir = tempDir();
    const result = runScript(dir, `const run = tb.init({ git: false }); run.log({ loss: 1 }); throw new TypeError('bad batch shape');`);
    expect(result.status).not.toBe(0);
    const run = onlyRun(dir);
    expect(run.status).toBe('failed');
    expect(run.record.error).toMatchObject({ name: 'TypeError', message: 'bad batch shape' });
  });

  it('interrupts the runs of a script stopped by SIGTERM', async () => {
    const dir = tempDir();
    const child = startScript(dir, `const run = tb.init({ git: false }); console.log('ready'); setInterval(() => run.log({ loss: 1 }), 5);`);
    await once(child.stdout!, 'data');
    child.kill('SIGTERM');
    const [code, signal] = await once(child, 'exit');
    expect(code === null ? signal : code).toBe('SIGTERM');
    expect(onlyRun(dir).status).toBe('interrupted');
  });

  it('shows a run whose writer was killed as crashed, keeps what was flushed, and lets a new run start', async () => {
    const dir = tempDir();
    const child = startScript(
      dir,
      `const run = tb.init({ git: false }); for (let i = 0; i < 1000; i++) run.log({ loss: i }); run.flush(); console.log('flushed'); setInterval(() => run.log({ loss: -1 }), 1);`,
    );
    await once(child.stdout!, 'data');
    child.kill('SIGKILL');
    await once(child, 'exit');
    const run = onlyRun(dir);
    expect(run.record.status).toBe('running');
    expect(run.status).toBe('crashed');
    const data = openStore(path.join(dir, '.trainbook')).read(run.record.id);
    const loss = data.series.get('loss')!;
    expect([...loss.value.subarray(0, 1000)]).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(data.problems).toEqual([]);
    const again = runScript(dir, `const run = tb.init({ git: false }); run.log({ loss: 2 }); await run.finish();`);
    expect(again.status).toBe(0);
    const { runs } = openStore(path.join(dir, '.trainbook')).list();
    expect(runs.map((r) => r.status)).toEqual(['crashed', 'completed']);
  });

  it('refuses a second writer of one run while the first is alive', async () => {
    const dir = tempDir();
    const child = startScript(dir, `const run = tb.init({ git: false }); console.log(run.dir); setInterval(() => {}, 1000);`);
    const [chunk] = await once(child.stdout!, 'data');
    const runDir = String(chunk).trim();
    try {
      expect(() => acquireRunLock(runDir, path.basename(runDir))).toThrow(RunLockedError);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    // The holder is gone now: its stale lock is taken over.
    expect(fs.existsSync(acquireRunLock(runDir, path.basename(runDir)))).toBe(true);
  });
});

describe('effectiveStatus()', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  it('reads a running run with a stale heartbeat as crashed', () => {
    expect(effectiveStatus({ status: 'running', heartbeatAt: '2026-01-01T00:00:00Z' }, now)).toBe('crashed');
    expect(effectiveStatus({ status: 'running', heartbeatAt: '2026-01-01T00:09:50Z' }, now)).toBe('running');
    expect(effectiveStatus({ status: 'running', heartbeatAt: '2026-01-01T00:09:50Z' }, now, false)).toBe('crashed');
    expect(effectiveStatus({ status: 'completed', heartbeatAt: '2026-01-01T00:00:00Z' }, now)).toBe('completed');
  });
});
