/**
 * trainbook's JupyterLab plugins: cell experiments (tagging, run context, execution records,
 * badges) and the runs panel. The MIME renderer lives in index.ts.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, InputDialog } from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { LabIcon } from '@jupyterlab/ui-components';
import { Token } from '@lumino/coreutils';
import { EXPERIMENT_TAG, experimentFromTags, PARAMETERS_TAG, type KernelRestart } from 'trainbook/core';
import { RunsPanel } from './experiments/panel.js';
import { ExperimentStore } from './experiments/store.js';
import { cellTags, ExperimentTracker, setCellTags } from './experiments/tracker.js';

export const CommandIDs = {
  toggleExperiment: 'trainbook:toggle-experiment',
  nameExperiment: 'trainbook:name-experiment',
  toggleParameters: 'trainbook:toggle-parameters',
  showRuns: 'trainbook:show-runs',
  refreshRuns: 'trainbook:refresh-runs',
  compareRuns: 'trainbook:compare-runs',
} as const;

const FLASK_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16"><path class="jp-icon3" fill="#616161" d="M9 2h6v2h-1v5.3l5.6 9.4A2 2 0 0 1 17.9 22H6.1a2 2 0 0 1-1.7-3.3L10 9.3V4H9zm3 9.2L8.2 17h7.6z"/></svg>';
const RUNS_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16"><path class="jp-icon3" fill="#616161" d="M3 3h2v16h16v2H3zm4 12 4-5 3 3 5-7 1.6 1.2-6.4 9-3-3-2.6 3.3z"/></svg>';
const PARAMETERS_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16"><path class="jp-icon3" fill="#616161" d="M3 5h10v2H3zm14 0h4v2h-4V9h-2V3h2zM3 11h4v2H3zm8 0h10v2H11v2H9V9h2zM3 17h10v2H3zm14 0h4v2h-4v2h-2v-6h2z"/></svg>';
export const parametersIcon = new LabIcon({ name: 'trainbook:parameters', svgstr: PARAMETERS_SVG });
export const experimentIcon = new LabIcon({ name: 'trainbook:experiment', svgstr: FLASK_SVG });
export const runsIcon = new LabIcon({ name: 'trainbook:runs', svgstr: RUNS_SVG });

/** The cell-experiment tracker, for plugins that add to it. */
export const IExperimentTracker = new Token<ExperimentTracker>('trainbook:IExperimentTracker', 'Records executions of experiment cells into the sidecar store.');

const EXPERIMENTS_PLUGIN_ID = 'trainbook:experiments';

function activeCodeCells(notebooks: INotebookTracker) {
  const notebook = notebooks.currentWidget?.content;
  if (!notebook) return [];
  return notebook.widgets.filter((cell) => cell.model.type === 'code' && notebook.isSelectedOrActive(cell));
}

/** Tagging cells as experiments, the run context and the execution records. */
const experimentsPlugin: JupyterFrontEndPlugin<ExperimentTracker> = {
  id: EXPERIMENTS_PLUGIN_ID,
  description: 'Cell experiments: tag a cell, and each of its executions becomes a run in the sidecar store.',
  autoStart: true,
  provides: IExperimentTracker,
  requires: [INotebookTracker],
  optional: [ICommandPalette, ISettingRegistry],
  activate: (app: JupyterFrontEnd, notebooks: INotebookTracker, palette: ICommandPalette | null, settings: ISettingRegistry | null): ExperimentTracker => {
    const tracker = new ExperimentTracker(notebooks, new ExperimentStore(app.serviceManager.contents));
    const { commands } = app;
    const activeTagged = (): boolean => {
      const cell = notebooks.activeCell;
      return !!cell && cell.model.type === 'code' && experimentFromTags(cellTags(cell)) !== null;
    };
    const hasCodeCell = (): boolean => notebooks.activeCell?.model.type === 'code';

    commands.addCommand(CommandIDs.toggleExperiment, {
      label: 'Toggle Experiment Cell',
      caption: 'Record each execution of the selected cells as a trainbook run',
      icon: experimentIcon,
      isEnabled: hasCodeCell,
      isToggled: activeTagged,
      execute: () => {
        const untag = activeTagged();
        for (const cell of activeCodeCells(notebooks)) {
          const tags = cellTags(cell).filter((t) => t !== EXPERIMENT_TAG && !t.startsWith(`${EXPERIMENT_TAG}:`));
          setCellTags(cell, untag ? tags : [...tags, EXPERIMENT_TAG]);
        }
      },
    });
    commands.addCommand(CommandIDs.nameExperiment, {
      label: 'Name Experiment…',
      caption: 'Tag the selected cells as the experiment with this name',
      icon: experimentIcon,
      isEnabled: hasCodeCell,
      execute: async () => {
        const current = notebooks.activeCell ? experimentFromTags(cellTags(notebooks.activeCell)) : null;
        const result = await InputDialog.getText({ title: 'Experiment name', text: current ?? '', placeholder: 'e.g. lr-sweep' });
        const name = result.button.accept ? (result.value ?? '').trim() : null;
        if (name === null) return;
        for (const cell of activeCodeCells(notebooks)) {
          const tags = cellTags(cell).filter((t) => t !== EXPERIMENT_TAG && !t.startsWith(`${EXPERIMENT_TAG}:`));
          setCellTags(cell, [...tags, name ? `${EXPERIMENT_TAG}:${name}` : EXPERIMENT_TAG]);
        }
      },
    });
    commands.addCommand(CommandIDs.toggleParameters, {
      label: 'Toggle Parameters Cell',
      caption: "Read this cell's const/let literals as the params of the notebook's experiment runs",
      icon: parametersIcon,
      isEnabled: hasCodeCell,
      isToggled: () => !!notebooks.activeCell && cellTags(notebooks.activeCell).includes(PARAMETERS_TAG),
      execute: () => {
        const cell = notebooks.activeCell;
        if (!cell || cell.model.type !== 'code') return;
        const tags = cellTags(cell);
        setCellTags(cell, tags.includes(PARAMETERS_TAG) ? tags.filter((t) => t !== PARAMETERS_TAG) : [...tags, PARAMETERS_TAG]);
      },
    });
    notebooks.activeCellChanged.connect(() => commands.notifyCommandChanged(CommandIDs.toggleExperiment));
    if (palette) {
      for (const command of [CommandIDs.toggleExperiment, CommandIDs.nameExperiment, CommandIDs.toggleParameters]) palette.addItem({ command, category: 'trainbook' });
    }
    if (settings) {
      void settings.load(EXPERIMENTS_PLUGIN_ID).then((loaded) => {
        const apply = (): void => {
          tracker.settings = {
            passRunContext: loaded.get('passRunContext').composite !== false,
            recordExecutions: loaded.get('recordExecutions').composite !== false,
          };
        };
        apply();
        loaded.changed.connect(apply);
      }).catch((error: unknown) => console.warn('trainbook: settings not loaded', error));
    }
    return tracker;
  },
};

/** The runs panel in the right side bar. */
const runsPanelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'trainbook:runs-panel',
  description: "The notebook's runs: sort, filter, compare, go to the cell.",
  autoStart: true,
  requires: [IExperimentTracker, INotebookTracker],
  optional: [ILayoutRestorer, ICommandPalette, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    tracker: ExperimentTracker,
    notebooks: INotebookTracker,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settings: ISettingRegistry | null,
  ): void => {
    // Each notebook's last kernel restart, as seen from here (a crash makes the server auto-restart
    // it), with the heartbeats its running runs had: the runs that stop beating went with the kernel.
    const restarts = new WeakMap<NotebookPanel, KernelRestart>();
    const watchRestarts = (panel: NotebookPanel): void => {
      panel.sessionContext.statusChanged.connect((_, status) => {
        if (status !== 'restarting' && status !== 'autorestarting') return;
        const seenAt = Date.now();
        const model = tracker.modelFor(panel);
        // Read the store first: the heartbeats of runs that died with the kernel are final now.
        void model.refresh().then(() => {
          const heartbeats = new Map(model.records.filter((r) => r.status === 'running').map((r) => [r.id, r.heartbeatAt] as const));
          restarts.set(panel, { seenAt, heartbeats });
        });
      });
    };
    notebooks.forEach(watchRestarts);
    notebooks.widgetAdded.connect((_, panel) => watchRestarts(panel));
    const kernelRunning = (panel: NotebookPanel): boolean | null => {
      const session = panel.sessionContext.session;
      if (!session?.kernel) return panel.sessionContext.isReady || panel.sessionContext.hasNoKernel ? false : null;
      const status = session.kernel.status;
      if (status === 'dead') return false;
      return status === 'unknown' ? null : true;
    };
    const kernelState = (panel: NotebookPanel) => ({ running: kernelRunning(panel), restart: restarts.get(panel) ?? null });
    const goToCell = (panel: NotebookPanel, cellId: string): void => {
      const notebook = panel.content;
      const index = notebook.widgets.findIndex((cell) => cell.model.id === cellId);
      if (index === -1) return;
      notebook.activeCellIndex = index;
      void notebook.scrollToCell(notebook.widgets[index]!, 'center');
      app.shell.activateById(panel.id);
    };
    const store = new ExperimentStore(app.serviceManager.contents);
    const panel = new RunsPanel(store, kernelState, goToCell);
    panel.title.icon = runsIcon;
    const follow = (): void => {
      const current = notebooks.currentWidget;
      panel.setNotebook(current, current ? tracker.modelFor(current) : null);
    };
    notebooks.currentChanged.connect(follow);
    follow();
    app.shell.add(panel, 'right', { rank: 600 });
    restorer?.add(panel, 'trainbook-runs');

    app.commands.addCommand(CommandIDs.showRuns, {
      label: 'Show Runs Panel',
      caption: "Show the current notebook's trainbook runs",
      icon: runsIcon,
      execute: () => app.shell.activateById(panel.id),
    });
    app.commands.addCommand(CommandIDs.refreshRuns, {
      label: 'Refresh Runs',
      caption: "Read the notebook's runs from its store again",
      execute: () => tracker.modelFor(notebooks.currentWidget!).refresh(),
      isEnabled: () => notebooks.currentWidget !== null,
    });
    app.commands.addCommand(CommandIDs.compareRuns, {
      label: 'Compare Selected Runs',
      caption: 'Overlaid curves, parameter diff and parallel coordinates of the selected runs',
      execute: () => panel.showCompare(),
    });
    if (palette) {
      for (const command of [CommandIDs.showRuns, CommandIDs.refreshRuns, CommandIDs.compareRuns]) palette.addItem({ command, category: 'trainbook' });
    }
    if (settings) {
      void settings.load(EXPERIMENTS_PLUGIN_ID).then((loaded) => {
        const apply = (): void => {
          const seconds = loaded.get('pollIntervalSeconds').composite;
          panel.pollInterval = typeof seconds === 'number' ? seconds : 3;
        };
        apply();
        loaded.changed.connect(apply);
      }).catch(() => undefined);
    }
  },
};

export default [experimentsPlugin, runsPanelPlugin];
