/** trainbook's icons, as LabIcons (they follow the theme's icon colours through `jp-icon3`). */
import { LabIcon } from '@jupyterlab/ui-components';

const FLASK_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16"><path class="jp-icon3" fill="#616161" d="M9 2h6v2h-1v5.3l5.6 9.4A2 2 0 0 1 17.9 22H6.1a2 2 0 0 1-1.7-3.3L10 9.3V4H9zm3 9.2L8.2 17h7.6z"/></svg>';
const RUNS_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16"><path class="jp-icon3" fill="#616161" d="M3 3h2v16h16v2H3zm4 12 4-5 3 3 5-7 1.6 1.2-6.4 9-3-3-2.6 3.3z"/></svg>';
const PARAMETERS_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16"><path class="jp-icon3" fill="#616161" d="M3 5h10v2H3zm14 0h4v2h-4V9h-2V3h2zM3 11h4v2H3zm8 0h10v2H11v2H9V9h2zM3 17h10v2H3zm14 0h4v2h-4v2h-2v-6h2z"/></svg>';
const TEAM_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16"><path class="jp-icon3" fill="#616161" d="M8 11a3 3 0 1 1 0-6 3 3 0 0 1 0 6m8 0a3 3 0 1 1 0-6 3 3 0 0 1 0 6M2 19v-1.5C2 15 5 13.5 8 13.5s6 1.5 6 4V19zm13 0v-1.5c0-1-.3-1.9-.9-2.7.6-.2 1.3-.3 1.9-.3 3 0 6 1.5 6 4V19z"/></svg>';

export const experimentIcon = new LabIcon({ name: 'trainbook:experiment', svgstr: FLASK_SVG });
export const parametersIcon = new LabIcon({ name: 'trainbook:parameters', svgstr: PARAMETERS_SVG });
export const runsIcon = new LabIcon({ name: 'trainbook:runs', svgstr: RUNS_SVG });
export const teamIcon = new LabIcon({ name: 'trainbook:team', svgstr: TEAM_SVG });
