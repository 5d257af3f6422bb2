import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../sdk/src/index.js';
import { DIST, requireBuilt } from '../helpers/sdk.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * A full disk: a 1 MiB tmpfs where this machine lets us mount one (root), else a process file
 * size limit (ulimit -f), under which writes fail with EFBIG the way they fail with ENOSPC.
 */
let mountPoint = '';
let mounted = false;
beforeAll(() => {
  requireBuilt();
  // Not tempDir(): that is removed after each test, and a mount point must outlive the test.
  mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-full-'));
  mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]).status === 0;
});
afterAll(() => {
  if (mounted) spawnSync('umount', [mountPoint]);
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

const SCRIPT = `
import * as tb from ${JSON.stringify(DIST)};
process.on('SIGXFSZ', () => {}); // under ulimit -f, a write past the limit fails instead of killing us
const run = tb.init({ dir: process.argv[2], git: false, display: false });
const started = Date.now();
let logged = 0;
for (let i = 0; i < 400_000; i++) {
  run.log({ loss: Math.sin(i), acc: i / 400_000 }, { step: i });
  logged += 2;
  if (i % 20_000 === 0) run.flush();
}
const result = await run.finish();
console.log(JSON.stringify({ logged, lost: result.lost, seconds: (Date.now() - started) / 1000, id: run.id }));
`;

describe('torture: disk full', () => {
  it('never throws into the loop or hangs, reports once, stays readable, and finish() says what was lost', () => {
    const dir = tempDir();
    const script = path.join(dir, 'full.mjs');
    fs.writeFileSync(script, SCRIPT);
    const store = path.join(mountPoint, 'store');
    const result = mounted
      ? spawnSync(process.execPath, [script, store], { encoding: 'utf8', timeout: 120_000 })
      : spawnSync('bash', ['-c', `ulimit -f 1024; exec "${process.execPath}" "${script}" "${store}"`], { encoding: 'utf8', timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { logged: number; lost: { points: number; records: number; firstError: string }; seconds: number; id: string };
    expect(summary.lost.points).toBeGreaterThan(0);
    expect(summary.lost.points).toBeLessThan(summary.logged);
    expect(summary.lost.firstError).toMatch(mounted ? /ENOSPC/ : /EFBIG/);
    expect(result.stderr.match(/cannot write run/g)).toHaveLength(1);
    expect(result.stderr).toMatch(/finished with losses/);
    const data = openStore(store).read(summary.id);
    const loss = data.series.get('loss')!;
    expect(loss.length).toBe(summary.logged / 2 - summary.lost.points / 2);
    for (let i = 0; i < loss.length; i++) if (loss.step[i] !== i) throw new Error(`point ${i} has step ${loss.step[i]}`);
  }, 150_000);
});
