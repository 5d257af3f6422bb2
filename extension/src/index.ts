/**
 * trainbook's JupyterLab plugins (package.json `jupyterlab.extension`). Wiring only: each plugin
 * is one file under plugins/; the MIME renderer is `plugins/renderer.ts` (`jupyterlab.mimeExtension`).
 */
import { cellExperimentsPlugin } from './plugins/cellExperiments.js';
import { commandsPlugin } from './plugins/commands.js';
import { dashboardPlugin } from './plugins/dashboard.js';
import { runsPanelPlugin } from './plugins/runsPanel.js';
import { teamHubPlugin } from './plugins/teamHub.js';

export * from './tokens.js';
export default [cellExperimentsPlugin, commandsPlugin, runsPanelPlugin, teamHubPlugin, dashboardPlugin];
