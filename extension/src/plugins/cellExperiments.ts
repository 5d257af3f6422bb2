/**
 * Cell experiments: each execution of a tagged cell becomes a run in the notebook's store, and
 * the cell gets a badge with its run count. Provides `IExperimentTracker`.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';
import { ExperimentTracker } from '../experiments/tracker.js';
import { ExperimentStore } from '../store/experimentStore.js';
import { EXPERIMENTS_PLUGIN_ID, IExperimentTracker } from '../tokens.js';

export const cellExperimentsPlugin: JupyterFrontEndPlugin<IExperimentTracker> = {
  id: EXPERIMENTS_PLUGIN_ID,
  description: 'Cell experiments: tag a cell, and each of its executions becomes a run in the sidecar store.',
  autoStart: true,
  provides: IExperimentTracker,
  requires: [INotebookTracker, ITranslator],
  optional: [ISettingRegistry],
  activate: (app: JupyterFrontEnd, notebooks: INotebookTracker, translator: ITranslator, settings: ISettingRegistry | null): IExperimentTracker => {
    const trans = translator.load('trainbook');
    const tracker = new ExperimentTracker(notebooks, new ExperimentStore(app.serviceManager.contents), trans);
    if (settings) {
      void settings
        .load(EXPERIMENTS_PLUGIN_ID)
        .then((loaded) => {
          const apply = (): void => {
            tracker.settings = {
              passRunContext: loaded.get('passRunContext').composite !== false,
              recordExecutions: loaded.get('recordExecutions').composite !== false,
            };
          };
          apply();
          loaded.changed.connect(apply);
        })
        .catch((error: unknown) => console.warn('trainbook: settings not loaded', error));
    }
    return tracker;
  },
};
