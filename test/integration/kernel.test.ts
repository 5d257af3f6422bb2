import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../sdk/src/index.js';
import { parseLivePayload, RUN_MIME, type LivePayload } from '../../core/src/live/payload.js';
import { tempDir } from '../helpers/tmp.js';
import { requireBuilt } from '../helpers/sdk.js';
import { linkProject, requireKernel, runInKernel, type IopubMessage } from '../helpers/kernel.js';

beforeAll(() => {
  requireBuilt();
  requireKernel();
});

const displays = (messages: IopubMessage[]) => messages.filter((m) => m.msg_type === 'display_data' || m.msg_type === 'update_display_data');

describe('live output in a real tslab kernel', () => {
  it('shows the run as one output updated in place, throttled, bounded in size, spike kept', () => {
    const dir = tempDir();
    linkProject(dir);
    fs.writeFileSync(path.join(dir, 'nb.ipynb'), '{}');
    const messages = runInKernel(
      dir,
      [
        `import * as trainbook from 'trainbook';
const run = trainbook.init({ name: 'kernel <b>run</b>', git: false });
run.setProgress({ epoch: 0, epochs: 4, batch: 0, batches: 10, trainStartedAt: Date.now(), fraction: 0 });
for (let i = 0; i < 1_000_000; i++) run.log({ 'batch/loss': Math.sin(i / 1000) + (i === 654_321 ? 50 : 0) }, { step: i });
for (let e = 0; e < 4; e++) { run.log({ loss: 1 / (e + 1), val_loss: 1.2 / (e + 1) }, { epoch: e }); run.setProgress({ epoch: e + 1, fraction: (e + 1) / 4 }); await new Promise((r) => setTimeout(r, 300)); }`,
        `await run.finish(); run`,
      ],
      { env: { JPY_SESSION_NAME: path.join(dir, 'nb.ipynb') } },
    );
    const shown = displays(messages);
    expect(shown[0]!.msg_type).toBe('display_data');
    expect(shown.slice(1).every((m) => m.msg_type === 'update_display_data')).toBe(true);
    const ids = new Set(shown.map((m) => m.content.transient.display_id));
    expect(ids.size).toBe(1);
    // Throttled: 1.2 s of training gives a handful of updates, not one per log call.
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.length).toBeLessThan(20);
    const last = shown.at(-1)!.content.data as Record<string, unknown>;
    // The final display carries a picture of the charts too (for viewers without Vega), never HTML.
    expect(Object.keys(last).sort()).toEqual([RUN_MIME, 'application/vnd.vegalite.v5+json', 'image/png', 'text/plain'].sort());
    expect(JSON.stringify(last).length).toBeLessThan(150_000);
    const payload = parseLivePayload(last[RUN_MIME]) as LivePayload;
    expect(payload.run.status).toBe('completed');
    expect(payload.run.name).toBe('kernel <b>run</b>');
    expect(payload.run.store).toBe('nb.trainbook');
    const batchLoss = payload.series.find((s) => s.name === 'batch/loss')!;
    expect(batchLoss.count).toBe(1_000_000);
    expect(Math.max(...batchLoss.value.map(Number))).toBeGreaterThan(50); // the one-step spike survives
    expect(last['text/plain']).toMatch(/kernel <b>run<\/b> · completed/);
    // The cell's last expression prints a short description, not the run's internals.
    const printed = messages.filter((m) => m.cell === 1 && m.msg_type === 'stream').map((m) => m.content.text).join('');
    expect(printed).toMatch(/Run "kernel <b>run<\/b>" \(\d{8}-\d{9}-\w{5}, completed\)/);
    // The run went to the notebook's sidecar store.
    const { runs } = openStore(path.join(dir, 'nb.trainbook')).list();
    expect(runs.map((r) => r.record.notebook)).toEqual(['nb.ipynb']);
    expect(runs[0]!.record.summary['batch/loss']!.count).toBe(1_000_000);
  }, 180_000);

  it('keeps updating the output from timers after the cell finished', () => {
    const dir = tempDir();
    linkProject(dir);
    const messages = runInKernel(
      dir,
      [
        `import * as trainbook from 'trainbook';
const run = trainbook.init({ git: false });
let i = 0;
const timer = setInterval(() => { run.log({ loss: 1 / ++i }); if (i === 8) { clearInterval(timer); run.finish(); } }, 100);`,
      ],
      { linger: 3 },
    );
    const shown = displays(messages);
    const late = shown.filter((m) => m.during === -1);
    expect(late.length).toBeGreaterThan(0);
    const payload = parseLivePayload(shown.at(-1)!.content.data[RUN_MIME]) as LivePayload;
    expect(payload.run.status).toBe('completed');
    expect(payload.series[0]!.count).toBe(8);
  }, 120_000);

  it('continues a run after a kernel restart: init({ resume: "last" }) in the new kernel', () => {
    const dir = tempDir();
    linkProject(dir);
    const env = { JPY_SESSION_NAME: path.join(dir, 'nb.ipynb') };
    // First kernel: three steps, then the kernel goes away without finish().
    runInKernel(dir, [`import * as trainbook from 'trainbook';\nconst run = trainbook.init({ name: 'long', git: false, seed: 3 });\nfor (let s = 0; s < 3; s++) run.log({ loss: 3 - s });\nrun.flush();`], { env });
    const store = path.join(dir, 'nb.trainbook');
    const [stopped] = openStore(store).list().runs;
    expect(stopped!.status).not.toBe('completed');
    // A new kernel (a restart) picks it up.
    const messages = runInKernel(
      dir,
      [`import * as trainbook from 'trainbook';\nconst run = trainbook.init({ resume: 'last' });\nfor (let s = 0; s < 3; s++) run.log({ loss: -s });\nawait run.finish();\nconsole.log(run.id, run.seed, run.resumeStep);`],
      { env },
    );
    const printed = messages.filter((m) => m.msg_type === 'stream').map((m) => m.content.text).join('');
    expect(printed).toContain(`${stopped!.record.id} 3 3`);
    const data = openStore(store).read(stopped!.record.id);
    expect(openStore(store).list().runs).toHaveLength(1);
    expect([...data.series.get('loss')!.step]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(data.status).toBe('completed');
    expect(data.record.resumes).toEqual([{ at: expect.any(String), fromStep: 3, fromStatus: stopped!.status }]);
  }, 120_000);
});
