/**
 * The cell commands: toggle an experiment cell, name its experiment, toggle the parameters cell
 * (cell toolbar, context menu, Alt+E and the palette, as `schema/experiments.json` places them).
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, InputDialog } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator } from '@jupyterlab/translation';
import { EXPERIMENT_TAG, experimentFromTags, PARAMETERS_TAG } from 'trainbook/core';
import { cellTags, setCellTags } from '../experiments/cellTags.js';
import { experimentIcon, parametersIcon } from '../icons.js';
import { CommandIDs } from '../tokens.js';

/** The selected (or active) code cells of the current notebook. */
function selectedCodeCells(notebooks: INotebookTracker) {
  const notebook = notebooks.currentWidget?.content;
  if (!notebook) return [];
  return notebook.widgets.filter((cell) => cell.model.type === 'code' && notebook.isSelectedOrActive(cell));
}

/** Tags without the experiment tag (`experiment` or `experiment:<name>`). */
const withoutExperiment = (tags: string[]): string[] => tags.filter((t) => t !== EXPERIMENT_TAG && !t.startsWith(`${EXPERIMENT_TAG}:`));

export const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'trainbook:cell-commands',
  description: 'Commands that tag cells as experiments or as the parameters cell.',
  autoStart: true,
  requires: [INotebookTracker, ITranslator],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, notebooks: INotebookTracker, translator: ITranslator, palette: ICommandPalette | null): void => {
    const trans = translator.load('trainbook');
    const { commands } = app;
    const activeTagged = (): boolean => {
      const cell = notebooks.activeCell;
      return !!cell && cell.model.type === 'code' && experimentFromTags(cellTags(cell)) !== null;
    };
    const hasCodeCell = (): boolean => notebooks.activeCell?.model.type === 'code';

    commands.addCommand(CommandIDs.toggleExperiment, {
      label: trans.__('Toggle Experiment Cell'),
      caption: trans.__('Record each execution of the selected cells as a trainbook run'),
      icon: experimentIcon,
      isEnabled: hasCodeCell,
      isToggled: activeTagged,
      execute: () => {
        const untag = activeTagged();
        for (const cell of selectedCodeCells(notebooks)) {
          const tags = withoutExperiment(cellTags(cell));
          setCellTags(cell, untag ? tags : [...tags, EXPERIMENT_TAG]);
        }
      },
    });
    commands.addCommand(CommandIDs.nameExperiment, {
      label: trans.__('Name Experiment…'),
      caption: trans.__('Tag the selected cells as the experiment with this name'),
      icon: experimentIcon,
      isEnabled: hasCodeCell,
      execute: async () => {
        const current = notebooks.activeCell ? experimentFromTags(cellTags(notebooks.activeCell)) : null;
        const result = await InputDialog.getText({ title: trans.__('Experiment name'), text: current ?? '', placeholder: trans.__('e.g. lr-sweep') });
        const name = result.button.accept ? (result.value ?? '').trim() : null;
        if (name === null) return;
        for (const cell of selectedCodeCells(notebooks)) setCellTags(cell, [...withoutExperiment(cellTags(cell)), name ? `${EXPERIMENT_TAG}:${name}` : EXPERIMENT_TAG]);
      },
    });
    commands.addCommand(CommandIDs.toggleParameters, {
      label: trans.__('Toggle Parameters Cell'),
      caption: trans.__("Read this cell's const/let literals as the params of the notebook's experiment runs"),
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
    const category = trans.__('trainbook');
    for (const command of [CommandIDs.toggleExperiment, CommandIDs.nameExperiment, CommandIDs.toggleParameters]) palette?.addItem({ command, category });
  },
};
