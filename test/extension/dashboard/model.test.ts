/**
 * The dashboard's model without a browser: a folder with two notebooks' stores written by the
 * SDK (a.ipynb: lr 0.1 and 0.2, 5 points each; b.ipynb: lr 0.3, 8 points), read through the
 * extension's store over the fake Contents manager.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DashboardModel, MAX_SMOOTHING, type ChartSettings, type DashboardState } from '../../../extension/src/dashboard/model.js';
import { LIVE_REFRESH_MS } from '../../../extension/src/runs/model.js';
import { ExperimentStore } from '../../../extension/src/store/experimentStore.js';
import { init } from '../../../sdk/src/index.js';
import { fakeContents } from '../../helpers/contents.js';
import { tempDir } from '../../helpers/tmp.js';

interface Recorded {
  id: string;
  lr: number;
  notebook: string;
}

async function recordRuns(root: string, notebook: string, lrs: number[], steps: number): Promise<Recorded[]> {
  fs.writeFileSync(path.join(root, notebook), '{}');
  const runs: Recorded[] = [];
  for (const lr of lrs) {
    const run = init({ dir: path.join(root, notebook.replace(/\.ipynb$/, '.trainbook')), notebook, git: false, display: false, systemMetrics: false, name: `lr-${lr}`, params: { lr } });
    for (let step = 0; step < steps; step++) run.log({ loss: lr * (steps - step) }, { step });
    await run.finish();
    runs.push({ id: run.id, lr, notebook });
  }
  return runs;
}

async function folder() {
  const root = tempDir();
  const a = await recordRuns(root, 'a.ipynb', [0.1, 0.2], 5);
  const b = await recordRuns(root, 'b.ipynb', [0.3], 8);
  fs.writeFileSync(path.join(root, 'notes.txt'), 'not a store');
  const contents = fakeContents(root);
  return { root, a, b, contents, store: new ExperimentStore(contents) };
}

/** A dashboard on the folder's root, its stores read once. */
async function dashboardOn(setup: Awaited<ReturnType<typeof folder>>, options: { now?: () => number } = {}) {
  const model = new DashboardModel({ store: setup.store, contents: setup.contents, ...options });
  await model.open('');
  await model.refresh();
  return model;
}

/** Waits until the comparison holds these runs, in this order. */
async function comparisonOf(model: DashboardModel, ids: string[]): Promise<void> {
  await vi.waitFor(() => expect(model.comparison?.rows.map((row) => row.record.id) ?? []).toEqual(ids));
}

describe('DashboardModel', () => {
  describe('#open()', () => {
    it("shows both notebooks' runs, each with its notebook, and the notebook column since there are two", async () => {
      const setup = await folder();
      const model = await dashboardOn(setup);
      expect(model.target).toMatchObject({ kind: 'folder', path: '' });
      expect(model.notebookPaths).toEqual(['a.ipynb', 'b.ipynb']);
      const notebookOf = Object.fromEntries(model.runs.rows.map((row) => [row.record.id, row.notebook]));
      expect(notebookOf).toEqual(Object.fromEntries([...setup.a, ...setup.b].map((run) => [run.id, run.notebook])));
      expect(model.visibleColumns.map((column) => column.id)).toEqual(['name', 'status', 'notebook', 'started', 'duration', 'param:lr', 'metric:loss']);
      // One notebook: no notebook column.
      await model.open('a.ipynb');
      await model.refresh();
      expect(model.runs.rows).toHaveLength(2);
      expect(model.availableColumns).not.toContain('notebook');
    });

    it('follows the last path asked for when an earlier one resolves later', async () => {
      const setup = await folder();
      const model = new DashboardModel({ store: setup.store, contents: setup.contents });
      const folderOpen = model.open(''); // lists the folder: answers after the notebook
      await model.open('b.ipynb');
      await folderOpen;
      expect(model.target).toMatchObject({ kind: 'notebook', path: 'b.ipynb' });
      expect(model.notebookPaths).toEqual(['b.ipynb']);
    });
  });

  describe('#runs', () => {
    it('filters and sorts across both notebooks', async () => {
      const setup = await folder();
      const model = await dashboardOn(setup);
      model.runs.sortBy('metric:loss');
      // Last loss = lr * 1 for every run: 0.1, 0.2 (a), 0.3 (b).
      expect(model.runs.rows.map((row) => row.notebook)).toEqual(['a.ipynb', 'a.ipynb', 'b.ipynb']);
      model.runs.sortBy('metric:loss');
      expect(model.runs.rows[0]!.record.id).toBe(setup.b[0]!.id);
      model.runs.setQuery('lr >= 0.2');
      expect(model.runs.rows.map((row) => row.record.id)).toEqual([setup.b[0]!.id, setup.a[1]!.id]);
    });
  });

  describe('#comparison', () => {
    it("follows the selection from one run on, each run's series from its own store, colours in selection order", async () => {
      const setup = await folder();
      const model = await dashboardOn(setup);
      const seen: number[] = [];
      model.comparisonChanged.connect((_, comparison) => seen.push(comparison?.rows.length ?? 0));
      const [a0] = setup.a;
      const [b0] = setup.b;
      model.runs.setSelected(b0!.id, true);
      expect(model.colorIndex(b0!.id)).toBe(0); // known at once, before the series are read
      await comparisonOf(model, [b0!.id]);
      model.runs.setSelected(a0!.id, true);
      await comparisonOf(model, [b0!.id, a0!.id]);
      expect(model.comparison!.series.map((series) => series.get('loss')!.length)).toEqual([8, 5]);
      expect([model.colorIndex(b0!.id), model.colorIndex(a0!.id), model.colorIndex(setup.a[1]!.id)]).toEqual([0, 1, null]);
      expect(seen).toEqual([1, 2]);
    });

    it('draws a run again as it gains points', async () => {
      const setup = await folder();
      let offset = 0;
      const live = init({ dir: path.join(setup.root, 'a.trainbook'), notebook: 'a.ipynb', git: false, display: false, systemMetrics: false, name: 'live', params: { lr: 0.5 } });
      try {
        for (let step = 0; step < 3; step++) live.log({ loss: 1 / (step + 1) }, { step });
        live.flush();
        const model = await dashboardOn(setup, { now: () => Date.now() + offset });
        expect(model.runs.rows.find((row) => row.record.id === live.id)!.status).toBe('running');
        model.runs.select([live.id]);
        await vi.waitFor(() => expect(model.comparison?.series[0]!.get('loss')?.length).toBe(3));
        for (let step = 3; step < 7; step++) live.log({ loss: 1 / (step + 1) }, { step });
        live.flush();
        offset = LIVE_REFRESH_MS; // a live run's new points are read at most this often
        await model.refresh();
        await vi.waitFor(() => expect(model.comparison?.series[0]!.get('loss')?.length).toBe(7));
      } finally {
        await live.finish();
      }
    });

    it('compares at most the limit and says how many selected runs it left out', async () => {
      const setup = await folder();
      const model = await dashboardOn(setup);
      model.runs.compareLimit = 2;
      const ids = [...setup.a, ...setup.b].map((run) => run.id);
      model.runs.select(ids);
      await comparisonOf(model, ids.slice(0, 2));
      expect(model.comparison!.omitted).toBe(1);
      expect(model.colorIndex(ids[2]!)).toBeNull();
    });
  });

  describe('chart settings', () => {
    it('clamps the smoothing, takes only known x axes, and signals each change once', async () => {
      const setup = await folder();
      const model = await dashboardOn(setup);
      const seen: ChartSettings[] = [];
      model.settingsChanged.connect((_, settings) => seen.push(settings));
      model.setSmoothing(0.6);
      model.setSmoothing(0.6);
      model.setSmoothing(5);
      model.setXAxis('wall');
      model.setXAxis('sideways' as never);
      model.setLogScale(true);
      expect(seen.map((s) => [s.smoothing, s.xAxis, s.logScale])).toEqual([
        [0.6, 'step', false],
        [MAX_SMOOTHING, 'step', false],
        [MAX_SMOOTHING, 'wall', false],
        [MAX_SMOOTHING, 'wall', true],
      ]);
    });

    it('forgets a hidden run once it leaves the comparison', async () => {
      const setup = await folder();
      const model = await dashboardOn(setup);
      const [a0, a1] = setup.a;
      model.runs.select([a0!.id, a1!.id]);
      await comparisonOf(model, [a0!.id, a1!.id]);
      model.setRunHidden(a1!.id, true);
      expect(model.settings.hiddenRuns).toEqual([a1!.id]);
      model.runs.setSelected(a1!.id, false);
      await comparisonOf(model, [a0!.id]);
      expect(model.settings.hiddenRuns).toEqual([]);
    });
  });

  describe('#state() and #restore()', () => {
    it('brings a tab back as it was, restored before its stores are read: query, sort, stat, selection (order kept), columns, charts', async () => {
      const setup = await folder();
      const model = await dashboardOn(setup);
      const [a0, a1] = setup.a;
      const [b0] = setup.b;
      model.runs.setQuery('lr > 0');
      model.runs.setSort('param:lr', true);
      model.runs.metricStat = 'min';
      model.runs.select([b0!.id, a0!.id]);
      model.moveColumn('metric:loss', -3);
      model.setColumnHidden('started', true);
      model.resizeColumn('param:lr', 200);
      model.setSmoothing(0.8);
      model.setXAxis('relative');
      model.setRunHidden(a0!.id, true);
      await comparisonOf(model, [b0!.id, a0!.id]);
      const state = JSON.parse(JSON.stringify(model.state())) as DashboardState;
      expect(state).toMatchObject({ version: 1, query: 'lr > 0', sort: { column: 'param:lr', descending: true }, metricStat: 'min', selected: [b0!.id, a0!.id], charts: { smoothing: 0.8, xAxis: 'relative', logScale: false, hiddenRuns: [a0!.id] } });

      const restored = new DashboardModel({ store: new ExperimentStore(setup.contents), contents: setup.contents });
      restored.restore(state);
      await restored.open('');
      expect([...restored.runs.selected]).toEqual([b0!.id, a0!.id]); // held while the stores are read
      await restored.refresh();
      await comparisonOf(restored, [b0!.id, a0!.id]);
      expect(restored.runs.rows.map((row) => row.record.id)).toEqual([b0!.id, a1!.id, a0!.id]);
      expect(restored.visibleColumns).toEqual(model.visibleColumns);
      expect(restored.settings).toEqual(model.settings);
      expect(restored.state()).toEqual(state);
    });

    it('reads a hostile state without harm: unknown keys dropped, wrong types ignored, __proto__ inert', async () => {
      const setup = await folder();
      const model = await dashboardOn(setup);
      model.runs.setQuery('lr < 1');
      model.runs.select([setup.a[0]!.id]);
      model.setSmoothing(0.5);
      model.moveColumn('param:lr', 1);
      const before = model.state();
      const hostile = JSON.parse(`{
        "__proto__": { "query": "lr > 5", "polluted": true },
        "constructor": { "prototype": { "polluted": true } },
        "query": 42, "sort": { "column": ["x"], "descending": "yes" }, "metricStat": "median",
        "selected": "all", "showTeam": "no", "extra": { "deep": 1 },
        "charts": { "smoothing": 7, "xAxis": "sideways", "logScale": 1, "hiddenRuns": [1, "../../etc", null] },
        "columns": "all of them"
      }`);
      model.restore(hostile);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(model.state()).toEqual(before);
      expect(model.runs.rows).toHaveLength(3);
      // A columns object keeps only what it understands.
      model.restore({ columns: { order: { length: 3 }, hidden: [null, 'status'], widths: JSON.parse('{"__proto__": 3}') } });
      expect(model.state().columns).toEqual({ order: [], hidden: ['status'], widths: [] });
      model.restore({ columns: before.columns });
      for (const junk of [null, 'state', 7, [], { version: 2, query: 'lr > 5' }]) model.restore(junk);
      expect(model.state()).toEqual(before);
      // Selected ids that are not run ids are left out; those that are, kept in order.
      model.restore({ selected: [setup.b[0]!.id, '__proto__', 5, setup.a[0]!.id] });
      expect(model.state().selected).toEqual([setup.b[0]!.id, setup.a[0]!.id]);
    });
  });

  describe('#refresh()', () => {
    it('lists a followed folder again, so a store added to it appears', async () => {
      const setup = await folder();
      const model = await dashboardOn(setup);
      const [c0] = await recordRuns(setup.root, 'c.ipynb', [0.4], 3);
      await model.refresh();
      expect(model.notebookPaths).toEqual(['a.ipynb', 'b.ipynb', 'c.ipynb']);
      await vi.waitFor(() => expect(model.runs.rows.map((row) => row.record.id)).toContain(c0!.id));
      model.dispose();
    });
  });
});
