/**
 * The team hub in the runs panel, for real: a PostgreSQL hub with two runs pushed from another
 * "machine" (a temp folder), a real JupyterLab whose server has TRAINBOOK_HUB naming a read-only
 * role with a password, a notebook with a run of its own, and Chromium. The panel shows the
 * team's runs beside the notebook's (host and user), filters both with one query, compares a
 * local run with a remote one, lists a run pushed while it is open, and follows a remote run that
 * is still training (its curve grows as the hub gets its points). The password never reaches the page.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { init } from '../../sdk/src/index.js';
import { labSession, openNotebook, runCommand, screenshot } from '../helpers/lab.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { CLI, ROOT, runCli } from '../helpers/sdk.js';
import { tempDir } from '../helpers/tmp.js';
import { recordRun } from '../hub/fixtures.js';

const PASSWORD = 'Reader-S3cret-pw';
let pg: TestPostgres;
let adminUrl: string;
let readerUrl: string;
let laptop: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  pg = await startPostgres();
  pg.psql('CREATE DATABASE team');
  adminUrl = pg.urlFor('postgres', 'team');
  const initialized = runCli(['hub', 'init', adminUrl], tempDir());
  expect(initialized.status, initialized.stderr).toBe(0);
  pg.psql(`CREATE ROLE trainbook_reader LOGIN PASSWORD '${PASSWORD}'; GRANT USAGE ON SCHEMA trainbook TO trainbook_reader; GRANT SELECT ON ALL TABLES IN SCHEMA trainbook TO trainbook_reader;`, 'team');
  readerUrl = pg.urlFor('trainbook_reader', 'team', PASSWORD);
  laptop = tempDir();
  const store = path.join(laptop, '.trainbook');
  ids.slow = (await recordRun(store, { name: 'slow', params: { lr: 0.01, optimizer: { name: 'adam' } } })).id;
  ids.fast = (await recordRun(store, { name: 'fast', params: { lr: 0.1, optimizer: { name: 'sgd' } } })).id;
  const push = runCli(['push', '--hub', adminUrl], laptop);
  expect(push.status, push.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await pg?.destroy();
}, 60_000);

function notebook(): string {
  return JSON.stringify({
    cells: [{ cell_type: 'code', id: 'c', metadata: {}, source: '1 + 1;', outputs: [], execution_count: null }],
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

const session = labSession(
  'team',
  (root) => {
    fs.writeFileSync(path.join(root, 'exp.ipynb'), notebook());
    // The server extension from this checkout, pointed at this checkout's CLI (as hubServer.test.ts does).
    fs.mkdirSync(path.join(root, '.jupyter-config'), { recursive: true });
    fs.writeFileSync(
      path.join(root, '.jupyter-config', 'jupyter_server_config.json'),
      JSON.stringify({ ServerApp: { jpserver_extensions: { trainbook_server: true } }, TrainbookServer: { node: process.execPath, cli: CLI } }),
    );
  },
  { env: () => ({ TRAINBOOK_HUB: readerUrl, PYTHONPATH: path.join(ROOT, 'sdk', 'python') }) },
);

describe('the team hub in the runs panel (real PostgreSQL, server extension, lab, Chromium)', () => {
  it("shows the team's runs beside the notebook's with host and user, filters both, compares a local and a remote run, lists a run pushed meanwhile and follows one that trains", async () => {
    const { lab, browser, root } = session;
    const { page } = browser;
    // The notebook's own run, recorded here into its store.
    const local = init({ dir: path.join(root, 'exp.trainbook'), notebook: 'exp.ipynb', git: false, display: false, systemMetrics: false, name: 'mine', params: { lr: 0.02, optimizer: { name: 'adam' } } });
    for (let step = 0; step < 300; step++) local.log({ loss: 2 / (step + 2) }, { step: step * 2 });
    await local.finish();
    const [host, user] = pg.psql(`SELECT host || '|' || username FROM trainbook.runs WHERE id = '${ids.slow}'`, 'team').trim().split('|');

    await openNotebook(page, lab.url('exp.ipynb'));
    await runCommand(page, 'Show Runs Panel');
    const panel = page.locator('#trainbook-runs');
    await expect.poll(() => panel.locator('.tb-RunsTable-row').count(), { timeout: 30_000 }).toBe(3);
    const team = panel.locator('.tb-RunsPanel-team');
    expect(await team.isVisible()).toBe(true);
    expect(await team.getAttribute('aria-pressed')).toBe('true');
    const teamLine = await panel.locator('.tb-RunsPanel-teamLine').textContent();
    expect(teamLine).toContain(`postgres://trainbook_reader@127.0.0.1:${pg.port}/team`);
    expect(teamLine).toContain('2 team runs');
    const remoteRows = panel.locator('.tb-RunsTable-row[data-remote="true"]');
    expect(await remoteRows.count()).toBe(2);
    expect(await panel.locator(`.tb-RunsTable-row[data-run-id="${local.id}"]`).getAttribute('data-remote')).toBeNull();
    const origins = await remoteRows.locator('td[data-column="origin"]').allTextContents();
    expect(origins).toEqual([`${user}@${host}`, `${user}@${host}`]);
    expect(await remoteRows.first().locator('.tb-RemoteBadge').textContent()).toBe('team');

    // Widen the side bar (drag the splitter left of it) so the screenshots show the whole table.
    const box = (await panel.boundingBox())!;
    await page.mouse.move(box.x - 3, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x - 450, box.y + 200, { steps: 10 });
    await page.mouse.up();
    await screenshot(page, 'team-hub-panel.png');

    // One query: the notebook's runs filtered here, the team's by the hub (SQL).
    const query = panel.locator('.tb-RunsPanel-query');
    await query.fill('lr < 0.05 and optimizer.name = "adam"');
    await expect.poll(() => panel.locator('.tb-RunsTable-row').count(), { timeout: 30_000 }).toBe(2);
    expect(await panel.locator(`.tb-RunsTable-row[data-run-id="${ids.slow}"]`).count()).toBe(1);
    expect(await panel.locator(`.tb-RunsTable-row[data-run-id="${local.id}"]`).count()).toBe(1);

    // Compare the local run with the remote one: the remote series come from the hub.
    await panel.locator(`.tb-RunsTable-row[data-run-id="${local.id}"] input[type="checkbox"]`).check();
    await panel.locator(`.tb-RunsTable-row[data-run-id="${ids.slow}"] input[type="checkbox"]`).check();
    await panel.locator('.tb-RunsPanel-compare').click();
    await panel.locator('.tb-DiffTable').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await panel.locator('.tb-DiffTable tr[data-param="lr"]').getAttribute('data-differs')).toBe('true');
    expect(await panel.locator('.tb-DiffTable tr[data-param="optimizer.name"]').getAttribute('data-differs')).toBe('false');
    const chart = panel.locator('.tb-Compare .tb-Chart[data-metric="loss"]');
    await chart.waitFor({ state: 'attached', timeout: 30_000 });
    expect(await chart.getAttribute('data-runs')).toBe('2');
    await expect.poll(() => chart.locator('path[aria-roledescription="line mark"], .mark-line path').count(), { timeout: 20_000 }).toBe(2);
    await panel.locator('.tb-Compare').scrollIntoViewIfNeeded();
    await screenshot(page, 'team-hub-compare.png');

    // One remote run selected: its details say where it came from.
    await panel.locator(`.tb-RunsTable-row[data-run-id="${local.id}"] input[type="checkbox"]`).uncheck();
    const details = panel.locator('.tb-RunDetails');
    await details.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await details.locator('.tb-RunDetails-remote').getAttribute('data-host')).toBe(host);

    // A run pushed while the panel is open shows up at the next poll.
    await query.fill('');
    await expect.poll(() => panel.locator('.tb-RunsTable-row').count(), { timeout: 30_000 }).toBe(3);
    ids.late = (await recordRun(path.join(laptop, '.trainbook'), { name: 'late', params: { lr: 0.5 } })).id;
    const push = runCli(['push', '--hub', adminUrl], laptop);
    expect(push.status, push.stderr).toBe(0);
    await expect.poll(() => panel.locator(`.tb-RunsTable-row[data-run-id="${ids.late}"]`).count(), { timeout: 30_000 }).toBe(1);

    // A run that is still training on the other machine, pushed as it goes: compared with the
    // local run, its curve grows as the hub gets more points.
    const live = init({ dir: path.join(laptop, '.trainbook'), git: false, display: false, systemMetrics: false, hub: false, name: 'live', params: { lr: 0.03, optimizer: { name: 'adam' } } });
    const logPoints = (from: number, to: number): void => {
      for (let step = from; step < to; step++) live.log({ loss: 1 / (step + 1) }, { step });
      live.flush();
    };
    logPoints(0, 100);
    expect(runCli(['push', '--hub', adminUrl], laptop).status).toBe(0);
    const liveRow = panel.locator(`.tb-RunsTable-row[data-run-id="${live.id}"]`);
    await expect.poll(() => liveRow.getAttribute('data-status'), { timeout: 30_000 }).toBe('running');
    await panel.locator(`.tb-RunsTable-row[data-run-id="${ids.slow}"] input[type="checkbox"]`).uncheck();
    await panel.locator(`.tb-RunsTable-row[data-run-id="${local.id}"] input[type="checkbox"]`).check();
    await liveRow.locator('input[type="checkbox"]').check();
    await panel.locator('.tb-RunsPanel-compare').click();
    const liveChart = panel.locator('.tb-Compare .tb-Chart[data-metric="loss"]');
    await expect.poll(async () => Number(await liveChart.getAttribute('data-points')), { timeout: 30_000 }).toBe(300 + 100);
    logPoints(100, 250);
    expect(runCli(['push', '--hub', adminUrl], laptop).status).toBe(0);
    await expect.poll(async () => Number(await liveChart.getAttribute('data-points')), { timeout: 30_000 }).toBe(300 + 250);
    await panel.locator('.tb-RunsTable').scrollIntoViewIfNeeded();
    await screenshot(page, 'team-hub-live.png');
    await live.finish();

    // Hide the team's runs: only the notebook's own are left.
    await team.click();
    await expect.poll(() => panel.locator('.tb-RunsTable-row').count()).toBe(1);
    expect(await page.content()).not.toContain(PASSWORD);
    expect(browser.errors).toEqual([]);
    expect(browser.external).toEqual([]);
  }, 240_000);
});
