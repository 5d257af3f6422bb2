/**
 * The badge on each tagged cell: `experiment <name> · N runs` (the count from the notebook's
 * runs) or `parameters`. Only renders; the counts come from `INotebookRuns`.
 */
import type { Notebook } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import { experimentFromTags, PARAMETERS_TAG } from 'trainbook/core';
import type { INotebookRuns } from '../tokens.js';
import { cellTags } from './cellTags.js';

/** Cell models whose metadata is watched already (a tag change re-badges the notebook). */
const watchedCells = new WeakSet<object>();

/** Adds, updates or removes the badge of each cell; `onTagsChanged` runs when a cell's tags change. */
export function updateBadges(notebook: Notebook, runs: Pick<INotebookRuns, 'countForCell'> | null, trans: TranslationBundle, onTagsChanged: () => void): void {
  for (const cell of notebook.widgets) {
    if (!watchedCells.has(cell.model)) {
      watchedCells.add(cell.model);
      cell.model.metadataChanged.connect(onTagsChanged);
    }
    const tags = cell.model.type === 'code' ? cellTags(cell) : [];
    const experiment = experimentFromTags(tags);
    let badge = cell.node.querySelector(':scope > .tb-ExperimentBadge') as HTMLElement | null;
    const isParameters = tags.includes(PARAMETERS_TAG);
    if (experiment === null && !isParameters) {
      badge?.remove();
      cell.node.classList.remove('tb-mod-experiment');
      continue;
    }
    if (!badge) {
      badge = document.createElement('div');
      badge.className = 'tb-ExperimentBadge';
      cell.node.insertBefore(badge, cell.node.firstChild);
    }
    cell.node.classList.toggle('tb-mod-experiment', experiment !== null);
    if (experiment === null) {
      badge.dataset.kind = 'parameters';
      badge.textContent = trans.__('parameters');
      delete badge.dataset.runs;
      continue;
    }
    const count = runs?.countForCell(cell.model.id) ?? 0;
    badge.dataset.kind = 'experiment';
    badge.dataset.runs = String(count);
    badge.textContent = experiment ? trans._n('experiment %2 · %1 run', 'experiment %2 · %1 runs', count, experiment) : trans._n('experiment · %1 run', 'experiment · %1 runs', count);
    badge.title = trans.__('Each execution of this cell is recorded as a trainbook run.');
  }
}
