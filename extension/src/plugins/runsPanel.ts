/**
 * The runs panel in the right side bar and its commands (show, refresh, compare). Provides
 * `IRunsPanel`, which the team hub plugin adds its runs to.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';
import { KernelWatch } from '../experiments/kernelWatch.js';
import { runsIcon } from '../icons.js';
import { RunsPanelModel } from '../runs/model.js';
import { followPollSeconds } from '../runs/pollSetting.js';
import { ExperimentStore } from '../store/experimentStore.js';
import { CommandIDs, IExperimentTracker, IRunsPanel } from '../tokens.js';
import { RunsPanel } from '../widgets/panel.js';

/** Makes `cellId` the active cell of `panel`, scrolls to it and brings the notebook forward. */
function goToCell(app: JupyterFrontEnd, panel: NotebookPanel, cellId: string): void {
  const notebook = panel.content;
  const index = notebook.widgets.findIndex((cell) => cell.model.id === cellId);
  if (index === -1) return;
  notebook.activeCellIndex = index;
  void notebook.scrollToCell(notebook.widgets[index]!, 'center');
  app.shell.activateById(panel.id);
}

export const runsPanelPlugin: JupyterFrontEndPlugin<IRunsPanel> = {
  id: 'trainbook:runs-panel',
  description: "The notebook's runs: sort, filter, compare, go to the cell.",
  autoStart: true,
  provides: IRunsPanel,
  requires: [IExperimentTracker, INotebookTracker, ITranslator],
  optional: [ILayoutRestorer, ICommandPalette, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    tracker: IExperimentTracker,
    notebooks: INotebookTracker,
    translator: ITranslator,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settings: ISettingRegistry | null,
  ): IRunsPanel => {
    const trans = translator.load('trainbook');
    const kernels = new KernelWatch(notebooks, tracker);
    const model = new RunsPanelModel({ store: new ExperimentStore(app.serviceManager.contents) });
    const panel = new RunsPanel(model, {
      trans,
      commands: app.commands,
      openCell: (cellId) => {
        const current = notebooks.currentWidget;
        if (current) goToCell(app, current, cellId);
      },
    });
    panel.title.icon = runsIcon;
    const follow = (): void => {
      const current = notebooks.currentWidget;
      model.setNotebook(current ? { path: current.context.path, runs: tracker.runsOf(current), kernel: () => kernels.stateOf(current) } : null);
    };
    notebooks.currentChanged.connect(follow);
    follow();
    app.shell.add(panel, 'right', { rank: 600 });
    restorer?.add(panel, 'trainbook-runs');

    app.commands.addCommand(CommandIDs.showRuns, {
      label: trans.__('Show Runs Panel'),
      caption: trans.__("Show the current notebook's trainbook runs"),
      icon: runsIcon,
      execute: () => app.shell.activateById(panel.id),
    });
    app.commands.addCommand(CommandIDs.refreshRuns, {
      label: trans.__('Refresh Runs'),
      caption: trans.__("Read the notebook's runs from its store again"),
      isEnabled: () => notebooks.currentWidget !== null,
      execute: () => model.refresh(),
    });
    app.commands.addCommand(CommandIDs.compareRuns, {
      label: trans.__('Compare Selected Runs'),
      caption: trans.__('Overlaid curves, parameter diff and parallel coordinates of the selected runs'),
      isEnabled: () => model.selected.size >= 2,
      execute: () => panel.compareSelected(),
    });
    const category = trans.__('trainbook');
    for (const command of [CommandIDs.showRuns, CommandIDs.refreshRuns, CommandIDs.compareRuns]) palette?.addItem({ command, category });
    if (settings) followPollSeconds(settings, (seconds) => (model.pollSeconds = seconds));
    return model;
  },
};
