/**
 * The runs dashboard: `trainbook:open-dashboard` opens a main-area tab for a notebook, a
 * `.trainbook` store folder or a folder of them (args `{ path }`; the current notebook by
 * default; the file browser's selection from its context menu). In the palette, the notebook
 * toolbar and the file browser's context menu (placed by `schema/dashboard.json`), and the runs
 * panel's "Open dashboard" button runs it. Tabs are tracked and restored after a reload (path and
 * the model's `state()`), several at once; the team hub's runs come in when a hub is configured.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Clipboard, ICommandPalette, InputDialog, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { UUID } from '@lumino/coreutils';
import { currentChartTheme } from '../charts/theme.js';
import { DashboardModel } from '../dashboard/model.js';
import { KernelWatch } from '../experiments/kernelWatch.js';
import { runsIcon } from '../icons.js';
import { DEFAULT_POLL_SECONDS, followPollSeconds } from '../runs/pollSetting.js';
import { ExperimentStore } from '../store/experimentStore.js';
import { CommandIDs, IExperimentTracker, ITeamRuns } from '../tokens.js';
import { Dashboard } from '../widgets/dashboard/dashboard.js';
import type { ReportPost } from '../widgets/dashboard/reportEndpoint.js';

/** The id of the plugin whose settings schema is `schema/dashboard.json` (toolbar and menu items). */
export const DASHBOARD_PLUGIN_ID = 'trainbook:dashboard';
const NAMESPACE = 'trainbook-dashboard';

/** What a tab is restored from: its path, its widget id (so the layout finds it again) and its model's state. */
interface DashboardArgs {
  path?: string;
  id?: string;
  state?: unknown;
  fromFileBrowser?: boolean;
}

/** The report endpoint with the user's Jupyter session (token or cookie, and the XSRF header). */
function serverReportPost(settings: ServerConnection.ISettings): ReportPost {
  const url = URLExt.join(settings.baseUrl, 'trainbook', 'api', 'report');
  return (body) => ServerConnection.makeRequest(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json' }, cache: 'no-cache' }, settings);
}

/** The file browser's first selected item, if it is something a dashboard opens (a notebook or a folder). */
function selectedTarget(browser: IDefaultFileBrowser | null): string | null {
  const item = browser?.selectedItems().next();
  if (!item || item.done) return null;
  const model = item.value;
  return model.type === 'notebook' || model.type === 'directory' ? model.path : null;
}

/** The last segment of a path ('' for the root). */
function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export const dashboardPlugin: JupyterFrontEndPlugin<void> = {
  id: DASHBOARD_PLUGIN_ID,
  description: 'The runs dashboard: a main-area tab comparing the runs of a notebook, a store or a folder of them.',
  autoStart: true,
  requires: [ITranslator],
  optional: [ILayoutRestorer, ICommandPalette, INotebookTracker, IDefaultFileBrowser, IExperimentTracker, ITeamRuns, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    notebooks: INotebookTracker | null,
    browser: IDefaultFileBrowser | null,
    experiments: IExperimentTracker | null,
    team: ITeamRuns | null,
    settingRegistry: ISettingRegistry | null,
  ): void => {
    const trans = translator.load('trainbook');
    const { commands, serviceManager } = app;
    const store = new ExperimentStore(serviceManager.contents);
    const tracker = new WidgetTracker<MainAreaWidget<Dashboard>>({ namespace: NAMESPACE });
    const kernels = notebooks && experiments ? new KernelWatch(notebooks, experiments) : null;
    const post = serverReportPost(serviceManager.serverSettings);
    let pollSeconds = DEFAULT_POLL_SECONDS;

    /** The kernel of an open notebook (nothing is known of notebooks that are not open). */
    const kernelOf = (path: string) => {
      const panel = notebooks?.find((candidate) => candidate.context.path === path);
      return panel && kernels ? kernels.stateOf(panel) : { running: null, restart: null };
    };

    /**
     * Opens a report the server just wrote in JupyterLab's HTML viewer, trusted: its scripts (the
     * report's own, hashed in its CSP) run in the viewer's sandbox (`allow-scripts` without
     * `allow-same-origin`: an origin of its own, as Jupyter serves files under /files/).
     */
    const openReport = async (file: string): Promise<void> => {
      const widget: unknown = await commands.execute('docmanager:open', { path: file, factory: 'HTML Viewer' });
      if (widget && typeof widget === 'object' && 'trusted' in widget) (widget as { trusted: boolean }).trusted = true;
    };

    const open = async (args: DashboardArgs): Promise<MainAreaWidget<Dashboard> | null> => {
      const path = typeof args.path === 'string' ? args.path : args.fromFileBrowser ? selectedTarget(browser) : (notebooks?.currentWidget?.context.path ?? null);
      if (path === null) return null;
      const id = typeof args.id === 'string' && args.id.startsWith(`${NAMESPACE}-`) ? args.id : `${NAMESPACE}-${UUID.uuid4()}`;
      const existing = tracker.find((widget) => widget.id === id);
      if (existing) {
        app.shell.activateById(existing.id);
        return existing;
      }
      // Set once the tab exists: polls are skipped while the tab or the page is hidden.
      let tabVisible = (): boolean => true;
      const model = new DashboardModel({ store, contents: serviceManager.contents, kernelOf, pageHidden: () => document.hidden || !tabVisible() });
      model.runs.pollSeconds = pollSeconds;
      if (args.state !== undefined) model.restore(args.state);
      if (team) model.runs.setTeamSource(team);
      const content = new Dashboard(model, {
        trans,
        theme: currentChartTheme,
        path,
        report: {
          post,
          openFile: (file) => void openReport(file),
          copy: (text) => Clipboard.copyToSystem(text),
          askOutput: async (suggested) => {
            const result = await InputDialog.getText({ title: trans.__('Write report to'), label: trans.__('An .html file, relative to the server root'), text: suggested });
            const value = result.button.accept ? (result.value ?? '').trim() : '';
            return value === '' ? null : value;
          },
        },
      });
      const widget = new MainAreaWidget({ content });
      tabVisible = () => content.isVisible;
      widget.id = id;
      widget.title.label = trans.__('Runs: %1', baseName(path) || trans.__('(root)'));
      widget.title.caption = trans.__('Runs dashboard of %1', path || '/');
      widget.title.icon = runsIcon;
      widget.title.closable = true;
      widget.addClass('tb-DashboardTab');
      // The restorer keeps the path and the state; saved again when the state changes (not on every poll).
      let saved = '';
      const save = (): void => {
        const state = JSON.stringify(model.state());
        if (state === saved || widget.isDisposed) return;
        saved = state;
        void tracker.save(widget);
      };
      model.changed.connect(save);
      model.layoutChanged.connect(save);
      model.settingsChanged.connect(save);
      widget.disposed.connect(() => model.dispose());
      await tracker.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      void model.open(path).catch((error: unknown) => content.showError(error instanceof Error ? error.message : String(error)));
      return widget;
    };

    commands.addCommand(CommandIDs.openDashboard, {
      label: (args) => ((args as DashboardArgs).fromFileBrowser ? trans.__('Open in Runs Dashboard') : trans.__('Open Runs Dashboard')),
      caption: trans.__('Compare runs in a dashboard tab: a notebook, a .trainbook store, or every store of a folder'),
      icon: (args) => ((args as DashboardArgs).fromFileBrowser ? undefined : runsIcon),
      isVisible: (args) => !(args as DashboardArgs).fromFileBrowser || selectedTarget(browser) !== null,
      isEnabled: (args) => {
        const given = args as DashboardArgs;
        return typeof given.path === 'string' || (given.fromFileBrowser ? selectedTarget(browser) !== null : !!notebooks?.currentWidget);
      },
      execute: (args) => open(args as DashboardArgs),
    });
    notebooks?.currentChanged.connect(() => commands.notifyCommandChanged(CommandIDs.openDashboard));
    palette?.addItem({ command: CommandIDs.openDashboard, category: trans.__('trainbook') });

    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openDashboard,
        name: (widget) => widget.id,
        args: (widget) => ({ path: widget.content.path, id: widget.id, state: widget.content.model.state() }) as unknown as ReadonlyPartialJSONObject,
      });
    }
    if (settingRegistry) {
      // The runs panel's refresh interval (the cell experiments' settings) is the dashboard's too.
      followPollSeconds(settingRegistry, (seconds) => {
        pollSeconds = seconds;
        tracker.forEach((widget) => {
          widget.content.model.runs.pollSeconds = seconds;
        });
      });
    }
  },
};
