/**
 * The team hub in the runs panel: the team's runs (through trainbook's Jupyter server extension,
 * never with database credentials) beside the notebook's own, and a command to show or hide them.
 * Nothing of the hub shows when the server has none configured.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ITranslator } from '@jupyterlab/translation';
import { HubSource } from '../hub/hubSource.js';
import { serverHubFetch } from '../hub/serverFetch.js';
import { teamIcon } from '../icons.js';
import { CommandIDs, IRunsPanel, ITeamRuns } from '../tokens.js';

export const teamHubPlugin: JupyterFrontEndPlugin<ITeamRuns> = {
  id: 'trainbook:team-hub',
  description: "The team hub's runs in the runs panel, beside the notebook's own.",
  autoStart: true,
  provides: ITeamRuns,
  requires: [IRunsPanel, ITranslator],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, panel: IRunsPanel, translator: ITranslator, palette: ICommandPalette | null): ITeamRuns => {
    const trans = translator.load('trainbook');
    const hub = new HubSource(serverHubFetch(app.serviceManager.serverSettings));
    panel.setTeamSource(hub);
    app.commands.addCommand(CommandIDs.toggleTeamRuns, {
      label: trans.__('Show Team Runs'),
      caption: trans.__("Show the team hub's runs in the runs panel"),
      icon: teamIcon,
      isVisible: () => panel.teamAvailable,
      isToggled: () => panel.showTeam,
      execute: () => {
        panel.showTeam = !panel.showTeam;
      },
    });
    panel.changed.connect(() => app.commands.notifyCommandChanged(CommandIDs.toggleTeamRuns));
    palette?.addItem({ command: CommandIDs.toggleTeamRuns, category: trans.__('trainbook') });
    return hub;
  },
};
