import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuilt, runCli, runScript } from '../helpers/sdk.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';

let pg: TestPostgres;
beforeAll(async () => {
  requireBuilt();
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.destroy();
});

/** A run recorded by a real script: NaN/±Infinity, epochs, a timer, printed output, a cell, a failure message. */
const TRAIN = `
const run = tb.init({ name: process.env.RUN_NAME, git: false, display: false, systemMetrics: false,
  params: { lr: Number(process.env.LR), optimizer: { name: 'adam' } }, tags: ['team'],
  cell: { id: 'cell-1', source: 'await model.fit(x, y)', executionCount: 7 } });
for (let i = 0; i < 500; i++) run.log({ loss: i === 3 ? NaN : i === 4 ? Infinity : i === 5 ? -Infinity : Number(process.env.LR) * 10 / (i + 1), acc: i / 500 }, { step: i, epoch: Math.floor(i / 100) });
const t = run.chrono('epoch_time'); t.stop();
console.log('hello from training');
await run.finish();
`;

function train(dir: string, name: string, lr: number): void {
  const result = runScript(dir, TRAIN, { RUN_NAME: name, LR: String(lr), TRAINBOOK_DIR: '' });
  expect(result.status, result.stderr).toBe(0);
}

describe('trainbook hub init / push / pull / ls --hub / show --hub / report --hub', () => {
  it('works end to end, and a pulled run exports exactly as the original', () => {
    pg.psql('CREATE DATABASE team');
    const url = pg.urlFor('postgres', 'team');
    const init = runCli(['hub', 'init', url], tempDir());
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/Created the trainbook schema/);
    expect(init.stdout).toMatch(/GRANT SELECT ON ALL TABLES IN SCHEMA trainbook TO trainbook_reader/);
    expect(runCli(['hub', 'init', url], tempDir()).stdout).toMatch(/up to date/);

    const laptop = tempDir();
    train(laptop, 'slow', 0.01);
    train(laptop, 'fast', 0.1);
    const push = runCli(['push', '--hub', url], laptop);
    expect(push.status, push.stderr).toBe(0);
    expect(push.stdout).toMatch(/Pushed 2 of 2 runs/);
    expect(push.stdout).toMatch(/2000 new points/);
    const again = runCli(['push'], laptop, { TRAINBOOK_HUB: url });
    expect(again.stdout).toMatch(/already on the hub[\s\S]*already on the hub/);
    expect(again.stdout).toMatch(/0 new records, 0 new points/);

    const ls = runCli(['ls', '--hub', url, '--runs', 'loss < 0.001 and optimizer.name = "adam"'], tempDir());
    expect(ls.status, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/slow/);
    expect(ls.stdout).not.toMatch(/fast/);
    const sorted = JSON.parse(runCli(['ls', '--hub', url, '--sort', 'param:lr', '--desc', '--json'], tempDir()).stdout) as { runs: Array<{ name: string; remote: { store: string } }> };
    expect(sorted.runs.map((run) => run.name)).toEqual(['fast', 'slow']);
    expect(sorted.runs[0]!.remote.store).toBe('.trainbook');

    const elsewhere = tempDir();
    const pull = runCli(['pull', '--hub', url, '--runs', 'name = "slow"'], elsewhere);
    expect(pull.status, pull.stderr).toBe(0);
    expect(pull.stdout).toMatch(/1 new/);
    const id = fs.readdirSync(path.join(elsewhere, '.trainbook', 'runs'))[0]!;
    const original = runCli(['export', id, '--format', 'json'], laptop).stdout;
    const pulled = runCli(['export', id, '--format', 'json'], elsewhere).stdout;
    expect(pulled.length).toBeGreaterThan(1000);
    expect(pulled).toBe(original);
    expect(fs.readFileSync(path.join(elsewhere, '.trainbook', 'runs', id, 'events.jsonl'))).toEqual(fs.readFileSync(path.join(laptop, '.trainbook', 'runs', id, 'events.jsonl')));
    expect(runCli(['pull', '--hub', url], elsewhere).stdout).toMatch(/1 new, 0 updated, 1 unchanged/);
    expect(runCli(['pull', '--hub', url], laptop).stdout).toMatch(/kept \(this store's own runs\)/);

    const show = runCli(['show', 'slow', '--hub', url], tempDir());
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/hello from training/);
    const shown = JSON.parse(runCli(['show', id, '--hub', url, '--json'], tempDir()).stdout) as { points: Record<string, number>; cell: { source: string } };
    expect(shown.points).toMatchObject({ loss: 500, acc: 500 });
    expect(shown.cell.source).toBe('await model.fit(x, y)');

    const reportDir = tempDir();
    const report = runCli(['report', '--hub', url, '--runs', 'lr>0.05', '-o', 'r.html'], reportDir);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/\(1 runs/);
    expect(fs.readFileSync(path.join(reportDir, 'r.html'), 'utf8')).toContain('fast');
  });

  it('exits 2 with a clear line when the hub is missing, unreachable or has no schema', () => {
    const none = runCli(['push'], tempDir(), { TRAINBOOK_HUB: '' });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/No hub given/);
    const down = runCli(['ls', '--hub', 'postgres://ana:topsecret@127.0.0.1:1/x'], tempDir());
    expect(down.status).toBe(2);
    expect(down.stderr).toMatch(/Cannot reach the hub postgres:\/\/ana@127\.0\.0\.1:1\/x/);
    expect(down.stderr).not.toContain('topsecret');
    pg.psql('CREATE DATABASE bare');
    const bare = runCli(['ls', '--hub', pg.urlFor('postgres', 'bare')], tempDir());
    expect(bare.status).toBe(2);
    expect(bare.stderr).toMatch(/hub init/);
  });
});
