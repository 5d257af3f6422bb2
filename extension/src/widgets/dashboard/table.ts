/**
 * The dashboard's runs table: the `DashboardModel`'s rows in its column layout. Only the rows in
 * view are in the page (fixed row height, `virtualRows`), so thousands of runs scroll smoothly; the
 * header and the run column stay in place while the rest scrolls. Clicking a header sorts by it;
 * a header dragged onto another (or Alt+Left/Right on a focused header) reorders; dragging a
 * header's edge (or Alt+Shift+Left/Right) resizes; the Columns menu shows and hides columns; a
 * checkbox per row selects the run, and a selected run shows the colour its lines have in the
 * charts. It renders what the model holds and forwards every user action to it. Text from a
 * store or the hub goes in as textContent only.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { paletteColor } from 'trainbook/core';
import { columnKind, RUN_COLUMN, type DropSide, type ResolvedColumn } from '../../dashboard/columns.js';
import type { DashboardModel } from '../../dashboard/model.js';
import { DEFAULT_OVERSCAN, rowWindow, windowCovers, type RowWindow, type RowWindowInput } from '../../dashboard/virtualRows.js';
import type { PanelRow } from '../../runs/panelRows.js';
import { el } from '../dom.js';
import { columnLabel, fillRunCell } from '../runCells.js';

/** Every row's height in pixels (the stylesheet reads it from `--tb-DashTable-rowHeight`). */
export const ROW_HEIGHT = 28;
/** The selection checkboxes' column. */
export const SELECT_COLUMN_WIDTH = 32;
/** How much Alt+Shift+Left/Right narrows or widens a column. */
export const RESIZE_STEP = 16;
const COLUMN_DRAG_TYPE = 'application/x-trainbook-column';

export interface DashboardTableOptions {
  trans: TranslationBundle;
  /** Row height in pixels (default `ROW_HEIGHT`). */
  rowHeight?: number;
  /** Rows kept in the page beyond each edge of the view. */
  overscan?: number;
}

interface Resizing {
  id: string;
  startX: number;
  startWidth: number;
  width: number;
  pointerId: number;
  handle: HTMLElement;
}

export class DashboardTable extends Widget {
  private readonly trans: TranslationBundle;
  private readonly rowHeight: number;
  private readonly overscan: number;
  private readonly count = el('div', 'tb-DashTable-count');
  private readonly columnsButton = el('button', 'tb-DashTable-columnsButton jp-mod-styled');
  private readonly menu = el('div', 'tb-DashTable-menu');
  private readonly scroller = el('div', 'tb-DashTable-scroll');
  private readonly table = el('table', 'tb-DashTable-table');
  private readonly colgroup = el('colgroup');
  private readonly thead = el('thead');
  private readonly tbody = el('tbody');
  private readonly selectAll = el('input', 'tb-DashTable-selectAll');
  private readonly empty = el('div', 'tb-DashTable-empty');
  private columns: ResolvedColumn[] = [];
  private headerKey = '';
  private window: RowWindow | null = null;
  private dragged: string | null = null;
  private resizing: Resizing | null = null;
  /** A resize just ended: the click it makes is not a sort. */
  private suppressClick = false;
  private readonly onOutside = (event: PointerEvent): void => {
    const target = event.target as Node | null;
    if (target && !this.menu.contains(target) && !this.columnsButton.contains(target)) this.closeMenu();
  };

  constructor(
    readonly model: DashboardModel,
    options: DashboardTableOptions,
  ) {
    super();
    const trans = (this.trans = options.trans);
    this.rowHeight = options.rowHeight ?? ROW_HEIGHT;
    this.overscan = options.overscan ?? DEFAULT_OVERSCAN;
    this.addClass('tb-DashTable');
    this.node.style.setProperty('--tb-DashTable-rowHeight', `${this.rowHeight}px`);
    this.node.style.setProperty('--tb-DashTable-selectWidth', `${SELECT_COLUMN_WIDTH}px`);

    this.columnsButton.type = 'button';
    this.columnsButton.textContent = trans.__('Columns');
    this.columnsButton.title = trans.__('Show or hide columns');
    this.columnsButton.setAttribute('aria-haspopup', 'true');
    this.columnsButton.setAttribute('aria-expanded', 'false');
    this.columnsButton.addEventListener('click', () => (this.menu.hidden ? this.openMenu() : this.closeMenu()));
    this.menu.hidden = true;
    this.menu.setAttribute('role', 'group');
    this.menu.setAttribute('aria-label', trans.__('Columns shown'));
    this.menu.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation();
      this.closeMenu();
      this.columnsButton.focus();
    });
    const bar = el('div', 'tb-DashTable-bar');
    const menuAnchor = el('div', 'tb-DashTable-menuAnchor');
    menuAnchor.append(this.columnsButton, this.menu);
    bar.append(this.count, menuAnchor);

    this.table.setAttribute('aria-label', trans.__('Runs'));
    this.selectAll.type = 'checkbox';
    this.selectAll.setAttribute('aria-label', trans.__('Select every run shown'));
    this.selectAll.addEventListener('change', () => this.selectShown(this.selectAll.checked));
    this.table.append(this.colgroup, this.thead, this.tbody);
    this.scroller.append(this.table);
    this.scroller.addEventListener('scroll', () => this.renderBody(false));
    this.empty.hidden = true;
    this.node.append(bar, this.scroller, this.empty);

    this.listenToHeader();
    this.tbody.addEventListener('change', (event) => {
      const box = event.target as HTMLInputElement;
      const id = box.closest<HTMLElement>('tr[data-run-id]')?.dataset.runId;
      if (box.type === 'checkbox' && id !== undefined) model.runs.setSelected(id, box.checked);
    });
    model.changed.connect(this.render, this);
    model.layoutChanged.connect(this.render, this);
    this.render();
  }

  /** Renders the header (when its columns or sort changed), the rows in view, the count and the menu. */
  render(): void {
    if (this.isDisposed) return;
    this.renderHeader();
    this.renderBody(true);
    this.renderCount();
    if (!this.menu.hidden) this.renderMenu();
  }

  /** Scrolls a run's row into view (rendering it). */
  scrollToRun(runId: string): void {
    const index = this.model.runs.rows.findIndex((row) => row.record.id === runId);
    if (index === -1) return;
    const top = index * this.rowHeight;
    const view = this.viewportHeight();
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + this.rowHeight > this.scroller.scrollTop + view) this.scroller.scrollTop = top + this.rowHeight - view;
    this.renderBody(false);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    document.removeEventListener('pointerdown', this.onOutside, true);
    Signal.disconnectReceiver(this);
    super.dispose();
  }

  protected override onAfterAttach(): void {
    this.renderBody(true);
  }

  protected override onAfterShow(): void {
    this.renderBody(true);
  }

  protected override onResize(): void {
    this.renderBody(false);
  }

  private viewportHeight(): number {
    return Math.max(0, this.scroller.clientHeight - this.thead.offsetHeight);
  }

  private renderHeader(): void {
    const { model } = this;
    const runs = model.runs;
    this.columns = model.visibleColumns;
    const key = JSON.stringify([this.columns, runs.sortColumn, runs.descending]);
    this.syncSelectAll();
    if (key === this.headerKey) return;
    const focused = (document.activeElement as HTMLElement | null)?.closest?.<HTMLElement>('th[data-column]');
    const focusedId = focused && this.thead.contains(focused) ? focused.dataset.column : undefined;
    this.headerKey = key;
    const cols = [el('col')];
    cols[0]!.style.width = `${SELECT_COLUMN_WIDTH}px`;
    const corner = el('th', 'tb-DashTable-select');
    corner.scope = 'col';
    corner.append(this.selectAll);
    const headRow = el('tr');
    headRow.setAttribute('aria-rowindex', '1');
    headRow.append(corner);
    for (const column of this.columns) {
      const col = el('col');
      col.dataset.column = column.id;
      col.style.width = `${column.width}px`;
      cols.push(col);
      headRow.append(this.headerCell(column));
    }
    this.colgroup.replaceChildren(...cols);
    this.thead.replaceChildren(headRow);
    this.table.style.width = `${this.tableWidth()}px`;
    if (focusedId !== undefined) this.headerOf(focusedId)?.focus();
  }

  private headerCell(column: ResolvedColumn): HTMLTableCellElement {
    const { trans, model } = this;
    const label = columnLabel(column.id, trans);
    const { kind } = columnKind(column.id);
    const th = el('th', `tb-DashTable-head tb-mod-${kind}`);
    th.scope = 'col';
    th.dataset.column = column.id;
    th.tabIndex = 0;
    th.draggable = column.id !== RUN_COLUMN;
    th.title = kind === 'builtin' ? trans.__('Sort by %1', label) : kind === 'param' ? trans.__('Sort by param %1', label) : trans.__('Sort by metric %1', label);
    if (column.id === model.runs.sortColumn) th.setAttribute('aria-sort', model.runs.descending ? 'descending' : 'ascending');
    th.append(el('span', 'tb-DashTable-label', label));
    const handle = el('span', 'tb-DashTable-resize');
    handle.setAttribute('role', 'separator');
    handle.setAttribute('aria-orientation', 'vertical');
    handle.setAttribute('aria-label', trans.__('Resize column %1', label));
    handle.setAttribute('aria-valuenow', String(column.width));
    th.append(handle);
    return th;
  }

  /** Sorting, moving and resizing on the header: one set of listeners for every header cell. */
  private listenToHeader(): void {
    const head = this.thead;
    const columnOf = (event: Event): string | undefined => (event.target as HTMLElement | null)?.closest?.<HTMLElement>('th[data-column]')?.dataset.column;
    head.addEventListener('click', (event) => {
      const id = columnOf(event);
      if (id === undefined || this.suppressClick || (event.target as HTMLElement).closest('.tb-DashTable-resize')) return;
      this.model.runs.sortBy(id);
    });
    head.addEventListener('keydown', (event) => {
      const id = columnOf(event);
      if (id === undefined || (event.target as HTMLElement).tagName !== 'TH') return;
      if ((event.key === 'Enter' || event.key === ' ') && !event.altKey) {
        event.preventDefault();
        this.model.runs.sortBy(id);
      } else if (event.altKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) {
        event.preventDefault();
        const step = event.key === 'ArrowLeft' ? -1 : 1;
        if (event.shiftKey) this.model.resizeColumn(id, this.model.layout.widthOf(id) + step * RESIZE_STEP);
        else this.model.moveColumn(id, step);
        this.headerOf(id)?.focus();
      }
    });
    head.addEventListener('dragstart', (event) => {
      const id = columnOf(event);
      if (id === undefined || id === RUN_COLUMN || this.resizing || !event.dataTransfer) {
        event.preventDefault();
        return;
      }
      this.dragged = id;
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData(COLUMN_DRAG_TYPE, id);
      this.headerOf(id)?.classList.add('tb-mod-dragging');
    });
    head.addEventListener('dragover', (event) => {
      const id = columnOf(event);
      if (this.dragged === null || id === undefined || id === this.dragged) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
      this.markDrop(id, this.dropSide(event, id));
    });
    head.addEventListener('dragleave', (event) => {
      const th = (event.target as HTMLElement | null)?.closest?.('th');
      if (th && !th.contains(event.relatedTarget as Node | null)) th.classList.remove('tb-mod-dropBefore', 'tb-mod-dropAfter');
    });
    head.addEventListener('drop', (event) => {
      const id = columnOf(event);
      const dragged = this.dragged;
      if (dragged === null || id === undefined) return;
      event.preventDefault();
      this.endDrag();
      if (id !== dragged) this.model.moveColumnTo(dragged, id, this.dropSide(event, id));
    });
    head.addEventListener('dragend', () => this.endDrag());
    head.addEventListener('pointerdown', (event) => {
      const handle = (event.target as HTMLElement | null)?.closest?.<HTMLElement>('.tb-DashTable-resize');
      const id = columnOf(event);
      if (!handle || id === undefined || event.button !== 0) return;
      event.preventDefault();
      event.stopPropagation();
      const width = this.model.layout.widthOf(id);
      this.resizing = { id, startX: event.clientX, startWidth: width, width, pointerId: event.pointerId, handle };
      // No column drag may start from its edge (the browser would cancel the pointer for it).
      const th = this.headerOf(id);
      if (th) th.draggable = false;
      handle.setPointerCapture?.(event.pointerId);
      this.node.classList.add('tb-mod-resizing');
    });
    head.addEventListener('pointermove', (event) => {
      const resizing = this.resizing;
      if (!resizing || event.pointerId !== resizing.pointerId) return;
      resizing.width = resizing.startWidth + event.clientX - resizing.startX;
      this.previewWidth(resizing.id, resizing.width);
    });
    const finish = (event: PointerEvent): void => {
      const resizing = this.resizing;
      if (!resizing || event.pointerId !== resizing.pointerId) return;
      this.resizing = null;
      this.node.classList.remove('tb-mod-resizing');
      resizing.handle.releasePointerCapture?.(event.pointerId);
      const th = this.headerOf(resizing.id);
      if (th) th.draggable = resizing.id !== RUN_COLUMN;
      this.suppressClick = true;
      setTimeout(() => (this.suppressClick = false), 0);
      if (!this.model.resizeColumn(resizing.id, resizing.width)) this.renderHeader();
    };
    head.addEventListener('pointerup', finish);
    head.addEventListener('pointercancel', finish);
  }

  private dropSide(event: DragEvent, id: string): DropSide {
    const rect = this.headerOf(id)?.getBoundingClientRect();
    return rect && event.clientX >= rect.left + rect.width / 2 ? 'after' : 'before';
  }

  private markDrop(id: string, side: DropSide): void {
    for (const th of this.thead.querySelectorAll('th')) {
      const here = th.dataset.column === id;
      th.classList.toggle('tb-mod-dropBefore', here && side === 'before');
      th.classList.toggle('tb-mod-dropAfter', here && side === 'after');
    }
  }

  private endDrag(): void {
    this.dragged = null;
    for (const th of this.thead.querySelectorAll('th')) th.classList.remove('tb-mod-dragging', 'tb-mod-dropBefore', 'tb-mod-dropAfter');
  }

  /** Shows a width while its edge is dragged (the model gets it when the drag ends). */
  private previewWidth(id: string, width: number): void {
    const clamped = Math.max(0, Math.round(width));
    const column = this.columns.find((c) => c.id === id);
    if (!column) return;
    const col = [...this.colgroup.children].find((c) => (c as HTMLElement).dataset.column === id) as HTMLElement | undefined;
    if (col) col.style.width = `${clamped}px`;
    this.table.style.width = `${this.tableWidth() - column.width + clamped}px`;
  }

  private tableWidth(): number {
    return SELECT_COLUMN_WIDTH + this.columns.reduce((sum, column) => sum + column.width, 0);
  }

  private headerOf(id: string): HTMLElement | null {
    for (const th of this.thead.querySelectorAll<HTMLElement>('th[data-column]')) if (th.dataset.column === id) return th;
    return null;
  }

  /** Puts in the page the rows a scroll position shows (`force`: also when the same rows are there, for new data). */
  private renderBody(force: boolean): void {
    if (this.isDisposed) return;
    const rows = this.model.runs.rows;
    const input: RowWindowInput = { count: rows.length, rowHeight: this.rowHeight, scrollTop: this.scroller.scrollTop, viewportHeight: this.viewportHeight(), overscan: this.overscan };
    if (!force && windowCovers(this.window, input)) return;
    const window = rowWindow(input);
    this.window = window;
    const focused = document.activeElement as HTMLElement | null;
    const focusedRun = focused && this.tbody.contains(focused) ? focused.closest<HTMLElement>('tr[data-run-id]')?.dataset.runId : undefined;
    const nodes: HTMLTableRowElement[] = [];
    if (window.before > 0) nodes.push(this.spacer(window.before));
    for (let index = window.start; index < window.end; index++) nodes.push(this.rowNode(rows[index]!, index));
    if (window.after > 0) nodes.push(this.spacer(window.after));
    this.tbody.replaceChildren(...nodes);
    this.table.setAttribute('aria-rowcount', String(rows.length + 1));
    this.node.dataset.rows = String(rows.length);
    this.node.dataset.rendered = String(window.end - window.start);
    if (focusedRun !== undefined) this.tbody.querySelector<HTMLInputElement>(`tr[data-run-id="${CSS.escape(focusedRun)}"] input`)?.focus();
  }

  private spacer(height: number): HTMLTableRowElement {
    const tr = el('tr', 'tb-DashTable-spacer');
    tr.setAttribute('aria-hidden', 'true');
    const td = el('td');
    td.colSpan = this.columns.length + 1;
    td.style.height = `${height}px`;
    tr.append(td);
    return tr;
  }

  private rowNode(row: PanelRow, index: number): HTMLTableRowElement {
    const { trans, model } = this;
    const { record } = row;
    const selected = model.runs.selected.has(record.id);
    const tr = el('tr', 'tb-DashTable-row');
    tr.dataset.runId = record.id;
    tr.dataset.status = row.status;
    tr.setAttribute('aria-rowindex', String(index + 2));
    tr.setAttribute('aria-selected', String(selected));
    tr.classList.toggle('tb-mod-selected', selected);
    tr.classList.toggle('tb-mod-remote', row.remote !== null);
    const selectCell = el('td', 'tb-DashTable-select');
    const box = el('input');
    box.type = 'checkbox';
    box.checked = selected;
    box.setAttribute('aria-label', trans.__('Select run %1', record.name));
    selectCell.append(box);
    tr.append(selectCell);
    const context = { trans, metricStat: model.runs.metricStat };
    for (const column of this.columns) {
      const td = el('td');
      td.dataset.column = column.id;
      fillRunCell(td, row, column.id, context);
      if (column.id === RUN_COLUMN) this.addSwatch(td, record.id);
      tr.append(td);
    }
    return tr;
  }

  /** A selected run's colour in the charts, before its name. */
  private addSwatch(td: HTMLTableCellElement, runId: string): void {
    const index = this.model.colorIndex(runId);
    if (index === null) return;
    const swatch = el('span', 'tb-DashTable-swatch');
    swatch.style.backgroundColor = paletteColor(index);
    swatch.dataset.color = paletteColor(index);
    swatch.setAttribute('aria-hidden', 'true');
    td.prepend(swatch);
  }

  private renderCount(): void {
    const { trans, model } = this;
    const runs = model.runs;
    const shown = runs.rows.length;
    const all = runs.allRows.length;
    const parts = [trans._n('%2 of %1 run', '%2 of %1 runs', all, shown)];
    if (runs.selected.size > 0) parts.push(trans._n('%1 selected', '%1 selected', runs.selected.size));
    this.count.textContent = parts.join(' · ');
    this.empty.hidden = shown > 0;
    if (shown === 0) this.empty.textContent = all === 0 ? trans.__('No runs in these stores yet.') : trans.__('No run matches the filter.');
  }

  private syncSelectAll(): void {
    const runs = this.model.runs;
    const shown = runs.rows;
    const selected = shown.filter((row) => runs.selected.has(row.record.id)).length;
    this.selectAll.checked = shown.length > 0 && selected === shown.length;
    this.selectAll.indeterminate = selected > 0 && selected < shown.length;
    this.selectAll.disabled = shown.length === 0;
  }

  /** Selects every run shown (keeping the runs selected before, in their order), or deselects them. */
  private selectShown(select: boolean): void {
    const runs = this.model.runs;
    const shown = new Set(runs.rows.map((row) => row.record.id));
    const kept = [...runs.selected].filter((id) => !shown.has(id));
    const before = [...runs.selected].filter((id) => shown.has(id));
    runs.select(select ? [...kept, ...before, ...[...shown].filter((id) => !runs.selected.has(id))] : kept);
  }

  private openMenu(): void {
    this.renderMenu();
    this.menu.hidden = false;
    this.columnsButton.setAttribute('aria-expanded', 'true');
    document.addEventListener('pointerdown', this.onOutside, true);
    this.menu.querySelector<HTMLInputElement>('input:not([disabled])')?.focus();
  }

  private closeMenu(): void {
    this.menu.hidden = true;
    this.columnsButton.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', this.onOutside, true);
  }

  /** One checkbox per column (hidden ones included), in display order, and a reset. */
  private renderMenu(): void {
    const { trans, model } = this;
    const focusedId = (document.activeElement as HTMLElement | null)?.dataset?.column;
    const items = model.columns.map((column) => {
      const label = el('label', 'tb-DashTable-menuItem');
      const box = el('input');
      box.type = 'checkbox';
      box.checked = !column.hidden;
      box.disabled = column.id === RUN_COLUMN;
      box.dataset.column = column.id;
      box.addEventListener('change', () => model.setColumnHidden(column.id, !box.checked));
      const { kind } = columnKind(column.id);
      label.append(box, el('span', `tb-DashTable-menuLabel tb-mod-${kind}`, columnLabel(column.id, trans)));
      if (kind !== 'builtin') label.append(el('span', 'tb-DashTable-menuKind', kind === 'param' ? trans.__('param') : trans.__('metric')));
      return label;
    });
    const reset = el('button', 'tb-DashTable-reset jp-mod-styled', trans.__('Reset columns'));
    reset.type = 'button';
    reset.title = trans.__('Every column shown, in the default order and widths');
    reset.addEventListener('click', () => model.resetColumns());
    const list = el('div', 'tb-DashTable-menuList');
    list.append(...items);
    this.menu.replaceChildren(list, reset);
    if (focusedId !== undefined) this.menu.querySelector<HTMLInputElement>(`input[data-column="${CSS.escape(focusedId)}"]`)?.focus();
  }
}
