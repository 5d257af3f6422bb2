/**
 * The page side of the dashboard table's browser test (bundled by esbuild, loaded into Chromium):
 * a real DashboardModel and DashboardTable over the extension's real store, whose Contents manager
 * asks the test's Node process (`contentsCall`, exposed by Playwright), which answers from a real
 * folder through `test/helpers/contents.ts`.
 */
import type { Contents } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { paletteColor } from 'trainbook/core';
import { DashboardModel } from '../../../extension/src/dashboard/model.js';
import { ExperimentStore } from '../../../extension/src/store/experimentStore.js';
import { DashboardTable } from '../../../extension/src/widgets/dashboard/table.js';

type Answer = { ok: unknown } | { status: number; message: string };

declare global {
  interface Window {
    contentsCall(folder: string, method: string, args: unknown[]): Promise<Answer>;
    openDashboard(folder: string, path: string): Promise<void>;
    dashboard: { model: DashboardModel; table: DashboardTable };
    paletteColor: typeof paletteColor;
  }
}

/** An error as the Contents manager throws it: the server's status on `response`. */
class ServerError extends Error {
  constructor(
    message: string,
    readonly response: { status: number },
  ) {
    super(message);
  }
}

function bridgedContents(folder: string): Contents.IManager {
  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    const answer = await window.contentsCall(folder, method, args);
    if ('ok' in answer) return answer.ok;
    throw new ServerError(answer.message, { status: answer.status });
  };
  return {
    get: (path: string, options?: Contents.IFetchOptions) => call('get', [path, options ?? {}]),
    save: (path: string, options?: Partial<Contents.IModel>) => call('save', [path, options ?? {}]),
    rename: (path: string, newPath: string) => call('rename', [path, newPath]),
    delete: (path: string) => call('delete', [path]),
  } as unknown as Contents.IManager;
}

window.paletteColor = paletteColor;

window.openDashboard = async (folder: string, path: string): Promise<void> => {
  window.dashboard?.table.dispose();
  window.dashboard?.model.dispose();
  const contents = bridgedContents(folder);
  const model = new DashboardModel({ store: new ExperimentStore(contents), contents });
  const table = new DashboardTable(model, { trans: nullTranslator.load('trainbook') });
  Widget.attach(table, document.getElementById('host')!);
  window.dashboard = { model, table };
  await model.open(path);
  await model.refresh();
};
