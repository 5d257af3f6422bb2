/**
 * The runs panel's model without a browser: real runs recorded by the SDK into a temp folder,
 * read through the extension's store over the fake Contents manager, and a fake team hub.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RunsPanelModel, type PanelNotebook } from '../../../extension/src/runs/model.js';
import { TEAM_POLL_MIN_MS } from '../../../extension/src/runs/teamFeed.js';
import { NotebookRuns } from '../../../extension/src/runs/notebookRuns.js';
import { ExperimentStore } from '../../../extension/src/store/experimentStore.js';
import { HubError, type HubStatus, type ITeamRuns, type RemoteRun, type TeamRunsRequest } from '../../../extension/src/tokens.js';
import { bareRunRecord } from '../../../core/src/format/records.js';
import type { Series } from '../../../core/src/format/series.js';
import { init } from '../../../sdk/src/index.js';
import { fakeContents } from '../../helpers/contents.js';
import { tempDir } from '../../helpers/tmp.js';

interface Recorded {
  id: string;
  lr: number;
}

/** Finished runs in `notebook`'s store under `root`, one per lr, each with `steps` points (loss = lr * (5 - step)). */
async function recordRuns(root: string, notebook: string, lrs: number[], steps = 5): Promise<Recorded[]> {
  fs.writeFileSync(path.join(root, notebook), '{}');
  const runs: Recorded[] = [];
  for (const lr of lrs) {
    const run = init({ dir: path.join(root, notebook.replace(/\.ipynb$/, '.trainbook')), notebook, git: false, display: false, systemMetrics: false, name: `lr-${lr}`, params: { lr } });
    for (let step = 0; step < steps; step++) run.log({ loss: lr * (5 - step) }, { step });
    await run.finish();
    runs.push({ id: run.id, lr });
  }
  return runs;
}

/** A Jupyter root with nb.ipynb and three finished runs in its store (loss = lr * (5 - step)). */
async function notebookWithRuns(lrs = [0.1, 0.2, 0.3]): Promise<{ root: string; store: ExperimentStore; runs: Recorded[] }> {
  const root = tempDir();
  const runs = await recordRuns(root, 'nb.ipynb', lrs);
  return { root, store: new ExperimentStore(fakeContents(root)), runs };
}

function notebookOf(store: ExperimentStore, notebook = 'nb.ipynb'): PanelNotebook {
  return { path: notebook, runs: new NotebookRuns(store, notebook), kernel: () => ({ running: false, restart: null }) };
}

/** A panel model following nb.ipynb, its runs read once. */
async function panelOn(lrs?: number[], options: { now?: () => number } = {}) {
  const { store, runs } = await notebookWithRuns(lrs);
  const model = new RunsPanelModel({ store, ...options });
  const notebook = notebookOf(store);
  model.setNotebook(notebook);
  await notebook.runs.refresh();
  return { model, runs, store };
}

function remoteRun(id: string, options: { name?: string; lr?: number; points?: number; status?: RemoteRun['status'] } = {}): RemoteRun {
  const record = bareRunRecord({ id, name: options.name ?? id, status: 'completed', startedAt: '2026-11-20T10:00:00.000Z', endedAt: '2026-11-20T10:05:00.000Z', heartbeatAt: '2026-11-20T10:05:00.000Z' });
  record.params = { lr: options.lr ?? 0.05 };
  record.summary = { loss: { last: 0.01, min: 0.01, max: 1, count: options.points ?? 10, step: 9 } };
  return { record, status: options.status ?? 'completed', remote: { store: '.trainbook', notebook: null, host: 'gpu-box', user: 'ada', points: options.points ?? 10, updatedAt: '2026-11-20T10:05:00.000Z' } };
}

/** A team hub that answers from a list; records each request. */
class FakeTeam implements ITeamRuns {
  readonly requests: TeamRunsRequest[] = [];
  readonly runReads: string[] = [];
  fail: HubError | null = null;
  constructor(
    public remote: RemoteRun[],
    private readonly hubStatus: HubStatus = { configured: true, hub: 'postgres://reader@db:5432/team', reachable: true, schemaVersion: 1 },
  ) {}
  async status(): Promise<HubStatus> {
    return this.hubStatus;
  }
  async runs(request: TeamRunsRequest = {}) {
    this.requests.push(request);
    if (this.fail) throw this.fail;
    return { hub: this.hubStatus.hub, total: this.remote.length, runs: this.remote };
  }
  async run(reference: string) {
    this.runReads.push(reference);
    const run = this.remote.find((r) => r.record.id === reference)!;
    const length = run.remote.points;
    const series: Series = { name: 'loss', length, step: Float64Array.from({ length }, (_, i) => i), time: new Float64Array(length), epoch: new Float64Array(length).fill(NaN), value: Float64Array.from({ length }, (_, i) => 1 / (i + 1)) };
    return { record: run.record, series: new Map([['loss', series]]) };
  }
}

/** Resolves once `signal`-driven work settles (the model's reads are promise chains). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe('RunsPanelModel', () => {
  describe('#setNotebook()', () => {
    it("shows the notebook's runs from its store, newest first", async () => {
      const { model, runs } = await panelOn();
      expect(model.rows.map((row) => row.record.id)).toEqual(runs.map((r) => r.id).reverse());
      expect(model.rows.every((row) => row.remote === null && row.status === 'completed')).toBe(true);
      expect(model.columns).toEqual({ params: ['lr'], metrics: ['loss'], tags: false });
    });
  });

  describe('#setNotebooks()', () => {
    /** Two notebooks in one root: a.ipynb (lr 0.1, 0.2; 5 points each) and b.ipynb (lr 0.3; 8 points). */
    async function twoNotebooks(options: { followSelection?: boolean } = {}) {
      const root = tempDir();
      const a = await recordRuns(root, 'a.ipynb', [0.1, 0.2]);
      const b = await recordRuns(root, 'b.ipynb', [0.3], 8);
      const store = new ExperimentStore(fakeContents(root));
      const model = new RunsPanelModel({ store, ...options });
      const notebooks = [notebookOf(store, 'a.ipynb'), notebookOf(store, 'b.ipynb')];
      model.setNotebooks(notebooks);
      await Promise.all(notebooks.map((notebook) => notebook.runs.refresh()));
      return { model, a, b, root, store, notebooks };
    }

    it("shows every notebook's runs, each row with its notebook, and sorts across them", async () => {
      const { model, a, b } = await twoNotebooks();
      const notebookOfRow = Object.fromEntries(model.rows.map((row) => [row.record.id, row.notebook]));
      expect(notebookOfRow).toEqual({ [a[0]!.id]: 'a.ipynb', [a[1]!.id]: 'a.ipynb', [b[0]!.id]: 'b.ipynb' });
      model.sortBy('param:lr');
      expect(model.rows.map((row) => row.record.id)).toEqual([a[0]!.id, a[1]!.id, b[0]!.id]);
      model.setQuery('lr > 0.15');
      expect(model.rows.map((row) => row.notebook)).toEqual(['a.ipynb', 'b.ipynb']);
      expect(model.notebooks.map((notebook) => notebook.path)).toEqual(['a.ipynb', 'b.ipynb']);
    });

    it("compares runs of two notebooks, each run's series read from its own notebook's store", async () => {
      const { model, a, b } = await twoNotebooks();
      model.select([a[0]!.id, b[0]!.id]);
      await model.compareSelected();
      const lengths = model.comparison!.rows.map((row, i) => [row.notebook, model.comparison!.series[i]!.get('loss')!.length]);
      expect(lengths).toEqual(expect.arrayContaining([['a.ipynb', 5], ['b.ipynb', 8]]));
      expect(model.comparison!.omitted).toBe(0);
    });

    it('shows a run found in two stores (a copied store) once, from the first notebook', async () => {
      const { root, a, store } = await twoNotebooks();
      fs.cpSync(path.join(root, 'a.trainbook'), path.join(root, 'c.trainbook'), { recursive: true });
      fs.writeFileSync(path.join(root, 'c.ipynb'), '{}');
      const model = new RunsPanelModel({ store });
      const notebooks = [notebookOf(store, 'c.ipynb'), notebookOf(store, 'a.ipynb')];
      model.setNotebooks(notebooks);
      await Promise.all(notebooks.map((notebook) => notebook.runs.refresh()));
      expect(model.allRows.map((row) => [row.record.id, row.notebook]).sort()).toEqual(a.map((run) => [run.id, 'c.ipynb']).sort());
    });

    it('keeps the selection of runs still there when the notebooks change, and waits for a store read before dropping any', async () => {
      const { model, a, b, store, notebooks } = await twoNotebooks();
      model.select([a[0]!.id, b[0]!.id]);
      model.setNotebooks([notebooks[0]!]);
      expect([...model.selected]).toEqual([a[0]!.id]);
      // A notebook not read yet: the selection of its runs is held until its store answers.
      const fresh = notebookOf(store, 'b.ipynb');
      model.setNotebooks([notebooks[0]!, fresh]);
      model.select([a[0]!.id, b[0]!.id, '20261120-100000000-gone0']);
      expect(model.selected.size).toBe(3);
      await fresh.runs.refresh();
      expect([...model.selected]).toEqual([a[0]!.id, b[0]!.id]);
    });
  });

  describe('#compareMinimum and #compareLimit', () => {
    it('compares one run when the minimum is 1, and at most the limit, saying how many it left out', async () => {
      const { model, runs } = await panelOn([0.1, 0.2, 0.3]);
      model.compareMinimum = 1;
      model.setSelected(runs[0]!.id, true);
      await model.compareSelected();
      expect(model.comparison!.rows.map((row) => row.record.id)).toEqual([runs[0]!.id]);
      model.compareLimit = 2;
      model.select(runs.map((run) => run.id));
      await model.compareSelected();
      // Table order (newest first): the two newest are drawn, the oldest left out.
      expect(model.comparison!.rows.map((row) => row.record.id)).toEqual([runs[2]!.id, runs[1]!.id]);
      expect(model.comparison!.omitted).toBe(1);
      expect(model.comparedIds).toEqual([runs[2]!.id, runs[1]!.id]);
    });
  });

  describe('followSelection', () => {
    async function following(lrs = [0.1, 0.2, 0.3]) {
      const { store, runs } = await notebookWithRuns(lrs);
      const model = new RunsPanelModel({ store, followSelection: true });
      model.compareMinimum = 1;
      const notebook = notebookOf(store);
      model.setNotebook(notebook);
      await notebook.runs.refresh();
      return { model, runs, store };
    }
    /** Waits until the comparison holds these runs, in this order. */
    async function comparisonOf(model: RunsPanelModel, ids: string[]): Promise<void> {
      await vi.waitFor(() => expect(model.comparison?.rows.map((row) => row.record.id) ?? []).toEqual(ids));
    }

    it('draws the comparison as runs are selected, in selection order, and keeps it when the table is re-sorted', async () => {
      const { model, runs } = await following();
      const seen: Array<string[] | null> = [];
      model.comparisonChanged.connect((_, comparison) => seen.push(comparison ? comparison.rows.map((row) => row.record.id) : null));
      model.setSelected(runs[0]!.id, true);
      await comparisonOf(model, [runs[0]!.id]);
      model.setSelected(runs[2]!.id, true);
      model.setSelected(runs[1]!.id, true);
      await comparisonOf(model, [runs[0]!.id, runs[2]!.id, runs[1]!.id]);
      model.sortBy('param:lr');
      model.sortBy('param:lr');
      await settle();
      expect(model.comparedIds).toEqual([runs[0]!.id, runs[2]!.id, runs[1]!.id]);
      // Deselecting redraws without the run (no empty comparison between); none selected clears it.
      model.setSelected(runs[2]!.id, false);
      await comparisonOf(model, [runs[0]!.id, runs[1]!.id]);
      expect(seen).not.toContain(null);
      model.select([]);
      expect(model.comparison).toBeNull();
      expect(seen.at(-1)).toBeNull();
    });

    it('leaves out runs the query hides, and reads only the series of runs not read before', async () => {
      const { model, runs, store } = await following();
      const reads = vi.spyOn(store, 'readSeries');
      model.select(runs.map((run) => run.id));
      await comparisonOf(model, runs.map((run) => run.id));
      expect(reads).toHaveBeenCalledTimes(3);
      model.setQuery('lr < 0.25');
      await comparisonOf(model, [runs[0]!.id, runs[1]!.id]);
      model.setQuery('');
      await comparisonOf(model, runs.map((run) => run.id));
      expect(reads).toHaveBeenCalledTimes(4);
    });
  });

  describe('#setQuery()', () => {
    it('filters with the query language and keeps the last good filter on a bad query', async () => {
      const { model, runs } = await panelOn();
      model.setQuery('lr >= 0.2');
      expect(model.rows.map((row) => row.record.id).sort()).toEqual([runs[1]!.id, runs[2]!.id].sort());
      model.setQuery('loss <');
      expect(model.queryProblem).toMatchObject({ position: 6 }); // 0-based; the message counts from 1
      expect(model.queryProblem!.message).toMatch(/column 7: expected a value/);
      expect(model.rows).toHaveLength(2);
      model.setQuery('');
      expect(model.queryProblem).toBeNull();
      expect(model.rows).toHaveLength(3);
    });
  });

  describe('#sortBy()', () => {
    it('sorts by a metric value chosen by the stat, and flips on the same column', async () => {
      const { model, runs } = await panelOn([0.3, 0.1, 0.2]);
      model.metricStat = 'max';
      model.sortBy('metric:loss');
      const lrOf = (id: string) => runs.find((r) => r.id === id)!.lr;
      expect(model.rows.map((row) => lrOf(row.record.id))).toEqual([0.1, 0.2, 0.3]);
      model.sortBy('metric:loss');
      expect(model.descending).toBe(true);
      expect(model.rows.map((row) => lrOf(row.record.id))).toEqual([0.3, 0.2, 0.1]);
    });
  });

  describe('#compareSelected()', () => {
    it('reads the selected runs\' series from the store, in table order, and drops the comparison when one is deselected', async () => {
      const { model, runs } = await panelOn();
      const seen: Array<unknown> = [];
      model.comparisonChanged.connect((_, comparison) => seen.push(comparison));
      model.setSelected(runs[0]!.id, true);
      await model.compareSelected();
      expect(model.comparison).toBeNull(); // one run: nothing to compare
      model.setSelected(runs[2]!.id, true);
      await model.compareSelected();
      expect(model.comparison!.rows.map((row) => row.record.id)).toEqual([runs[2]!.id, runs[0]!.id]);
      expect(model.comparison!.series.map((series) => series.get('loss')!.length)).toEqual([5, 5]);
      model.setSelected(runs[2]!.id, false);
      expect(model.comparison).toBeNull();
      expect(seen.at(-1)).toBeNull();
    });
  });

  describe('#details', () => {
    it("gives one selected run's output, and none for two", async () => {
      const { model, runs } = await panelOn([0.1]);
      model.setSelected(runs[0]!.id, true);
      expect(model.details!.row.record.id).toBe(runs[0]!.id);
      await expect(model.details!.output).resolves.toMatchObject({ cutAfterBytes: null });
      model.select([]);
      expect(model.details).toBeNull();
    });
  });

  describe('#setTeamSource()', () => {
    it("adds the team's runs beside the notebook's, once per id, marked remote, and sends the panel's query to the hub", async () => {
      const { model, runs } = await panelOn([0.1, 0.2]);
      // The hub holds one run this notebook pushed (same id) and one from another machine.
      const pushedHere = remoteRun(runs[0]!.id, { name: 'pushed', lr: 0.1 });
      const theirs = remoteRun('20261120-100000000-remot', { name: 'theirs', lr: 0.05 });
      const team = new FakeTeam([pushedHere, theirs]);
      model.setTeamSource(team);
      await settle();
      await settle();
      expect(model.teamAvailable).toBe(true);
      expect(model.rows.map((row) => [row.record.name, row.remote?.host ?? null])).toEqual(expect.arrayContaining([['lr-0.1', null], ['lr-0.2', null], ['theirs', 'gpu-box']]));
      expect(model.rows).toHaveLength(3);
      expect(team.requests[0]).toMatchObject({ query: '', sort: 'started', descending: true });

      // The same query filters local runs here and goes to the hub for the remote ones.
      vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
      team.remote = [];
      model.setQuery('lr < 0.15');
      expect(model.rows.filter((row) => row.remote === null).map((row) => row.record.id)).toEqual([runs[0]!.id]);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(team.requests.at(-1)!.query).toBe('lr < 0.15');
      expect(model.rows.map((row) => row.record.id)).toEqual([runs[0]!.id]);
    });

    it('compares a local run with a remote one: remote series come from the hub', async () => {
      const { model, runs } = await panelOn([0.1]);
      const theirs = remoteRun('20261120-100000000-remot', { points: 7 });
      const team = new FakeTeam([theirs]);
      model.setTeamSource(team);
      await settle();
      await settle();
      model.select([runs[0]!.id, theirs.record.id]);
      await model.compareSelected();
      expect(team.runReads).toEqual([theirs.record.id]);
      const lengths = Object.fromEntries(model.comparison!.rows.map((row, i) => [row.remote ? 'remote' : 'local', model.comparison!.series[i]!.get('loss')!.length]));
      expect(lengths).toEqual({ local: 5, remote: 7 });
    });

    it('follows a remote run live: new points on the hub read its series again', async () => {
      let clock = Date.parse('2026-11-20T10:06:00.000Z');
      const { model, runs } = await panelOn([0.1], { now: () => clock });
      const live = remoteRun('20261120-100000000-remot', { points: 4, status: 'running' });
      const team = new FakeTeam([live]);
      model.setTeamSource(team);
      await settle();
      await settle();
      model.select([runs[0]!.id, live.record.id]);
      await model.compareSelected();
      expect(team.runReads).toHaveLength(1);
      // Pushed more points; the next due read of the hub sees them and the comparison follows.
      team.remote = [{ ...live, status: 'completed', remote: { ...live.remote, points: 9, updatedAt: '2026-11-20T10:06:30.000Z' } }];
      clock += TEAM_POLL_MIN_MS;
      await model.refresh();
      await settle();
      expect(team.runReads).toHaveLength(2);
      expect(model.comparison!.series[1]!.get('loss')!.length).toBe(9);
    });

    it('shows nothing of the hub when the server has none configured, and never asks for runs', async () => {
      const { model } = await panelOn([0.1]);
      const team = new FakeTeam([remoteRun('20261120-100000000-remot')], { configured: false, hub: null, reachable: false, schemaVersion: null });
      model.setTeamSource(team);
      await settle();
      await model.refresh();
      expect(model.teamAvailable).toBe(false);
      expect(team.requests).toEqual([]);
      expect(model.rows.every((row) => row.remote === null)).toBe(true);
    });

    it('hides the team runs when the toggle is off', async () => {
      const { store } = await notebookWithRuns([0.1]);
      const model = new RunsPanelModel({ store });
      model.setNotebook(notebookOf(store));
      await model.notebook!.runs.refresh();
      model.setTeamSource(new FakeTeam([remoteRun('20261120-100000000-remot')]));
      await settle();
      await settle();
      expect(model.rows.filter((row) => row.remote)).toHaveLength(1);
      model.showTeam = false;
      expect(model.rows.filter((row) => row.remote)).toHaveLength(0);
    });
  });

  describe('#setVisible()', () => {
    it('polls the store at the set interval while visible, and not while hidden or in a background tab', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const { store } = await notebookWithRuns([0.1]);
      let hidden = false;
      const model = new RunsPanelModel({ store, pageHidden: () => hidden });
      const notebook = notebookOf(store);
      const refresh = vi.spyOn(notebook.runs, 'refresh');
      model.setNotebook(notebook);
      model.pollSeconds = 2;
      model.setVisible(true);
      expect(refresh).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(4_000);
      expect(refresh).toHaveBeenCalledTimes(3);
      hidden = true;
      await vi.advanceTimersByTimeAsync(4_000);
      expect(refresh).toHaveBeenCalledTimes(3);
      hidden = false;
      model.setVisible(false);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(refresh).toHaveBeenCalledTimes(3);
      model.dispose();
    });
  });
});
