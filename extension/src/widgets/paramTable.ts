/**
 * The parameter diff as a table (the core's `paramDiff`: differing params first, marked), one
 * column per run headed by its label after a swatch of its view colour, so the table reads with
 * the charts beside it. Shared by the runs panel's comparison and the dashboard. Text only
 * through textContent.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { formatValue, paletteColor, paramDiff, type RunRecord } from 'trainbook/core';
import { el } from './dom.js';

/** The diff of `records` (run `i` labelled `labels[i]`, in `paletteColor(i)`), or a line saying they have no params. */
export function paramDiffTable(records: readonly RunRecord[], labels: readonly string[], trans: TranslationBundle): HTMLElement {
  const rows = paramDiff(records);
  if (rows.length === 0) return el('p', 'tb-Compare-empty', trans.__('These runs have no params.'));
  const table = el('table', 'tb-DiffTable');
  const head = el('tr');
  head.append(el('th', undefined, trans.__('param')), ...labels.map((label, i) => runHeader(label, i)));
  table.append(el('thead'), el('tbody'));
  table.tHead!.append(head);
  for (const row of rows) {
    const tr = el('tr', row.differs ? 'tb-mod-differs' : undefined);
    tr.dataset.param = row.key;
    tr.dataset.differs = String(row.differs);
    tr.append(el('th', undefined, row.key), ...row.values.map((v) => el('td', undefined, formatValue(v))));
    table.tBodies[0]!.append(tr);
  }
  return table;
}

/** A column head: the run's label after a swatch of its view colour. */
function runHeader(label: string, index: number): HTMLElement {
  const th = el('th');
  th.scope = 'col';
  th.dataset.color = paletteColor(index);
  const swatch = el('span', 'tb-RunSwatch');
  swatch.style.backgroundColor = paletteColor(index);
  th.append(swatch, document.createTextNode(label));
  return th;
}
