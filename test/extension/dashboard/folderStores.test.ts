/**
 * What the dashboard's path argument means, over the fake Contents manager on a real folder that
 * looks like a stranger's: a notebook with its store, a store alone, a notebook without one,
 * unrelated files and folders, a hidden store, links (to a folder outside, dangling).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardTarget, normalizePath, storesInFolder } from '../../../extension/src/dashboard/folderStores.js';
import { ExperimentStore } from '../../../extension/src/store/experimentStore.js';
import { init } from '../../../sdk/src/index.js';
import { fakeContents } from '../../helpers/contents.js';
import { tempDir } from '../../helpers/tmp.js';

async function recordRun(store: string, notebook: string, name: string): Promise<string> {
  const run = init({ dir: store, notebook, git: false, display: false, systemMetrics: false, name });
  run.log({ loss: 1 }, { step: 0 });
  await run.finish();
  return run.id;
}

async function strangersFolder() {
  const base = tempDir();
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(root, 'a.ipynb'), '{}');
  const a = await recordRun(path.join(root, 'a.trainbook'), 'a.ipynb', 'a-run');
  const b = await recordRun(path.join(root, 'b.trainbook'), 'b.ipynb', 'b-run'); // its notebook is not here
  fs.writeFileSync(path.join(root, 'c.ipynb'), '{}'); // a notebook without runs
  fs.writeFileSync(path.join(root, 'notes.txt'), 'hello');
  fs.writeFileSync(path.join(root, 'fake.trainbook'), 'a file, not a store');
  fs.mkdirSync(path.join(root, 'data'));
  fs.mkdirSync(path.join(root, '.hidden.trainbook'));
  fs.mkdirSync(path.join(root, 'sub'));
  fs.writeFileSync(path.join(root, 'sub', 's.ipynb'), '{}');
  await recordRun(path.join(root, 'sub', 's.trainbook'), 's.ipynb', 's-run');
  await recordRun(path.join(outside, 'elsewhere.trainbook'), 'elsewhere.ipynb', 'outside-run');
  fs.symlinkSync(path.join(outside, 'elsewhere.trainbook'), path.join(root, 'linked.trainbook'), 'dir');
  fs.symlinkSync(path.join(base, 'nothing-here'), path.join(root, 'dead.trainbook'));
  return { root, a, b, contents: fakeContents(root) };
}

describe('dashboardTarget()', () => {
  it("means a folder's stores: a notebook's, a store alone, and a link the server shows as a folder; not files, a dangling link, hidden or nested stores", async () => {
    const { contents } = await strangersFolder();
    const target = await dashboardTarget(contents, '');
    expect(target.kind).toBe('folder');
    expect(target.stores).toEqual([
      { path: 'a.ipynb', store: 'a.trainbook', hasNotebook: true },
      { path: 'b.trainbook', store: 'b.trainbook', hasNotebook: false },
      { path: 'linked.trainbook', store: 'linked.trainbook', hasNotebook: false },
    ]);
    expect((await dashboardTarget(contents, '/sub/')).stores).toEqual([{ path: 'sub/s.ipynb', store: 'sub/s.trainbook', hasNotebook: true }]);
    expect(await storesInFolder(contents, 'data')).toEqual([]);
  });

  it('means a notebook itself without asking the server, and a store folder through its notebook when one is beside it', async () => {
    const { contents } = await strangersFolder();
    expect(await dashboardTarget(contents, 'c.ipynb')).toEqual({ kind: 'notebook', path: 'c.ipynb', stores: [{ path: 'c.ipynb', store: 'c.trainbook', hasNotebook: true }] });
    expect(contents.calls).toEqual([]);
    expect(await dashboardTarget(contents, 'a.trainbook')).toMatchObject({ kind: 'store', stores: [{ path: 'a.ipynb', store: 'a.trainbook', hasNotebook: true }] });
    expect(await dashboardTarget(contents, 'sub/s.trainbook')).toMatchObject({ kind: 'store', stores: [{ path: 'sub/s.ipynb' }] });
    expect(await dashboardTarget(contents, 'b.trainbook')).toMatchObject({ kind: 'store', stores: [{ path: 'b.trainbook', hasNotebook: false }] });
  });

  it('says missing for a path the server does not have, a file that is neither, or a store name that is a file', async () => {
    const { contents } = await strangersFolder();
    for (const argument of ['nope', 'notes.txt', 'nope.trainbook', 'fake.trainbook', 'dead.trainbook', 'nope/deeper']) {
      expect(await dashboardTarget(contents, argument)).toMatchObject({ kind: 'missing', stores: [] });
    }
    // A store is looked up in its parent's listing: no 404 asked for.
    contents.calls.length = 0;
    await dashboardTarget(contents, 'nope.trainbook');
    expect(contents.calls).toEqual(['get ']);
  });

  it("gives paths the extension's store reads the runs by, a lone store's included", async () => {
    const { contents, a, b } = await strangersFolder();
    const store = new ExperimentStore(contents);
    const target = await dashboardTarget(contents, '');
    const ids = await Promise.all(target.stores.slice(0, 2).map(async (found) => (await store.listRuns(found.path)).runs.map((run) => run.record.id)));
    expect(ids).toEqual([[a], [b]]);
  });
});

describe('normalizePath()', () => {
  it('drops leading, trailing and doubled slashes and dot segments', () => {
    expect(normalizePath('/a//b/./c.ipynb/')).toBe('a/b/c.ipynb');
    expect(normalizePath('/')).toBe('');
  });
});
