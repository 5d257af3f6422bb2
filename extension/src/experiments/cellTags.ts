/** A cell's tags, read and written as JupyterLab keeps them (`metadata.tags`). */
import type { Cell } from '@jupyterlab/cells';

/** Tags of a cell as strings. */
export function cellTags(cell: Cell): string[] {
  const tags = cell.model.getMetadata('tags');
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

/** Sets a cell's tags (none: the metadata key is removed). */
export function setCellTags(cell: Cell, tags: string[]): void {
  if (tags.length === 0) cell.model.deleteMetadata('tags');
  else cell.model.setMetadata('tags', tags);
}
