/**
 * What one cell of a run's row shows, for the runs panel's table and the dashboard's: the status
 * pill, the run's name with its archive and team badges, where a team run came from, its notebook,
 * experiment, start, duration, tags, a param's value, a metric's value (the chosen stat, with its
 * range). Every text from a store or the hub goes in as textContent.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { decodeNumber, formatDuration, formatNumber, formatValue, nameValue, tagTexts, type MetricStat } from 'trainbook/core';
import type { PanelRow } from '../runs/panelRows.js';
import { el } from './dom.js';

export interface RunCellContext {
  trans: TranslationBundle;
  metricStat: MetricStat;
}

/** The label of a column id: built-ins translated, a param's key or a metric's name as it is (names are data). */
export function columnLabel(id: string, trans: TranslationBundle): string {
  if (id.startsWith('param:')) return id.slice(6);
  if (id.startsWith('metric:')) return id.slice(7);
  switch (id) {
    case 'status':
      return trans.__('status');
    case 'name':
      return trans.__('run');
    case 'origin':
      return trans.__('where');
    case 'notebook':
      return trans.__('notebook');
    case 'experiment':
      return trans.__('experiment');
    case 'started':
      return trans.__('started');
    case 'duration':
      return trans.__('duration');
    case 'tags':
      return trans.__('tags');
  }
  return id;
}

/** Fills `td` (empty, with its `data-column`) with what the column shows of the row's run. */
export function fillRunCell(td: HTMLTableCellElement, row: PanelRow, column: string, context: RunCellContext): void {
  const { trans } = context;
  const { record, remote } = row;
  if (column === 'status') {
    td.append(el('span', `tb-StatusPill tb-status-${row.status}`, row.status));
    if (record.error) td.title = `${record.error.name}: ${record.error.message}`;
  } else if (column === 'name') {
    td.textContent = record.name;
    td.title = record.id;
    if (row.archive) {
      const badge = el('span', 'tb-ArchiveBadge', trans.__('archived'));
      badge.title = trans.__('Kept as %1 (trainbook archive): never pruned', row.archive);
      badge.dataset.archive = row.archive;
      td.append(' ', badge);
    }
    if (remote) {
      const badge = el('span', 'tb-RemoteBadge', trans.__('team'));
      badge.title = trans.__('On the team hub: from %1 on %2 (store %3)', remote.user, remote.host, remote.store);
      td.append(' ', badge);
    }
  } else if (column === 'origin') {
    if (remote) {
      td.textContent = `${remote.user}@${remote.host}`;
      td.title = remote.notebook ? `${remote.store} · ${remote.notebook}` : remote.store;
      td.dataset.host = remote.host;
      td.dataset.user = remote.user;
    }
  } else if (column === 'notebook') {
    if (row.notebook !== null) {
      td.textContent = row.notebook.slice(row.notebook.lastIndexOf('/') + 1);
      td.title = row.notebook;
    }
  } else if (column === 'experiment') td.textContent = record.experiment ?? '';
  else if (column === 'started') {
    const started = new Date(record.startedAt);
    td.textContent = Number.isNaN(started.getTime()) ? record.startedAt : started.toLocaleString();
  } else if (column === 'duration') td.textContent = formatDuration(row.durationMs, true);
  else if (column === 'tags') {
    td.textContent = tagTexts(record).join(', ');
    td.title = td.textContent;
  } else if (column.startsWith('param:')) {
    td.textContent = formatValue(nameValue(record.params, column.slice(6)));
    td.title = td.textContent;
  } else if (column.startsWith('metric:')) {
    const summary = nameValue(record.summary, column.slice(7));
    if (summary) {
      const [last, min, max] = [summary.last, summary.min, summary.max].map((v) => formatNumber(decodeNumber(v)));
      td.textContent = formatNumber(decodeNumber(summary[context.metricStat]));
      td.title = trans.__('last %1 · min %2 · max %3 · %4 points', last, min, max, summary.count);
      td.append(el('span', 'tb-RunsTable-range', ` ${min}–${max}`));
    }
  }
}
