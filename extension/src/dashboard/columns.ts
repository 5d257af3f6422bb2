/**
 * The dashboard table's columns: which exist for the runs shown (every param and metric, the
 * built-ins, the notebook only when there are several), and the user's layout over them: order,
 * hidden columns, widths. The layout keeps what it knows of columns that are gone for now, so a
 * column that comes back returns to its place. `serialize()` gives plain JSON for the layout
 * restorer and `parseLayout()` reads it back from whatever the state database holds (a stranger's
 * workspace file included): anything it does not understand is dropped, nothing throws. Pure.
 */
import { isObject, nameValue } from 'trainbook/core';

/** The run's column: always first (the table's sticky column), never hidden, never moved. */
export const RUN_COLUMN = 'name';
/** Built-in column ids, in their default order (params `param:<key>` and metrics `metric:<name>` follow). */
export const BUILTIN_COLUMNS = [RUN_COLUMN, 'status', 'notebook', 'origin', 'experiment', 'started', 'duration', 'tags'] as const;
export type BuiltinColumn = (typeof BUILTIN_COLUMNS)[number];

export const MIN_COLUMN_WIDTH = 48;
export const MAX_COLUMN_WIDTH = 800;
/** A restored layout keeps at most this many column ids in each list (a column id is at most `MAX_COLUMN_ID` long). */
export const MAX_LAYOUT_COLUMNS = 2_000;
export const MAX_COLUMN_ID = 1_024;

/** What decides the columns: the names the runs hold and which optional built-ins have anything to show. */
export interface ColumnSource {
  params: readonly string[];
  metrics: readonly string[];
  /** Some run has tags. */
  tags: boolean;
  /** How many notebooks the view follows (the notebook column only for more than one). */
  notebooks: number;
  /** Some run is the team hub's (the "where" column). */
  remote: boolean;
  /** Some run names an experiment. */
  experiments: boolean;
}

/** Every column the runs call for, in the default order. */
export function availableColumns(source: ColumnSource): string[] {
  const builtins = BUILTIN_COLUMNS.filter((id) => {
    if (id === 'notebook') return source.notebooks > 1;
    if (id === 'origin') return source.remote;
    if (id === 'experiment') return source.experiments;
    if (id === 'tags') return source.tags;
    return true;
  });
  return [...builtins, ...source.params.map((p) => `param:${p}`), ...source.metrics.map((m) => `metric:${m}`)];
}

export type ColumnKind = 'builtin' | 'param' | 'metric';

/** What a column id names: a built-in, or a param's key / a metric's name (`param:lr` → `{ kind: 'param', name: 'lr' }`). */
export function columnKind(id: string): { kind: ColumnKind; name: string } {
  if (id.startsWith('param:')) return { kind: 'param', name: id.slice(6) };
  if (id.startsWith('metric:')) return { kind: 'metric', name: id.slice(7) };
  return { kind: 'builtin', name: id };
}

const DEFAULT_WIDTHS: Record<BuiltinColumn, number> = { status: 104, name: 220, notebook: 160, origin: 150, experiment: 130, started: 170, duration: 96, tags: 150 };

/** A column's width until the user resizes it. */
export function defaultWidth(id: string): number {
  const { kind } = columnKind(id);
  if (kind === 'param') return 112;
  if (kind === 'metric') return 124;
  return nameValue(DEFAULT_WIDTHS, id) ?? 120;
}

/** A width in whole pixels within [MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH] (NaN: the minimum). */
export function clampWidth(px: number): number {
  if (!Number.isFinite(px)) return px === Infinity ? MAX_COLUMN_WIDTH : MIN_COLUMN_WIDTH;
  return Math.min(MAX_COLUMN_WIDTH, Math.max(MIN_COLUMN_WIDTH, Math.round(px)));
}

/** A column as the table draws it. */
export interface ResolvedColumn {
  id: string;
  width: number;
  hidden: boolean;
}

/** The layout as plain JSON (widths as pairs: a column id is data and may be any text, `__proto__` included). */
export interface LayoutState {
  order: string[];
  hidden: string[];
  widths: Array<[string, number]>;
}

export type DropSide = 'before' | 'after';

export class ColumnLayout {
  /** Every column id the user placed, in their order (columns gone for now included). */
  private order: string[];
  private readonly hidden: Set<string>;
  private readonly widths: Map<string, number>;

  constructor(state: LayoutState = { order: [], hidden: [], widths: [] }) {
    this.order = [...new Set(state.order)];
    this.hidden = new Set(state.hidden.filter((id) => id !== RUN_COLUMN));
    this.widths = new Map(state.widths.map(([id, px]) => [id, clampWidth(px)]));
  }

  /**
   * Every available column in display order, with its width and whether it is hidden. Columns the
   * user placed keep their order; a new one goes after the column it follows by default.
   */
  resolve(available: readonly string[]): ResolvedColumn[] {
    return this.orderOf(available).map((id) => ({ id, width: this.widthOf(id), hidden: this.hidden.has(id) }));
  }

  /** The columns shown, in order. */
  visible(available: readonly string[]): ResolvedColumn[] {
    return this.resolve(available).filter((column) => !column.hidden);
  }

  widthOf(id: string): number {
    return this.widths.get(id) ?? defaultWidth(id);
  }

  isHidden(id: string): boolean {
    return this.hidden.has(id);
  }

  /** Moves a shown column `delta` places among the shown ones (the keyboard's Alt+Left/Right); false when it cannot move. */
  move(id: string, delta: number, available: readonly string[]): boolean {
    const shown = this.visible(available).map((column) => column.id);
    const from = shown.indexOf(id);
    if (id === RUN_COLUMN || from === -1 || !Number.isInteger(delta) || delta === 0) return false;
    const first = shown[0] === RUN_COLUMN ? 1 : 0;
    const to = Math.min(shown.length - 1, Math.max(first, from + delta));
    if (to === from) return false;
    return this.moveTo(id, shown[to]!, delta < 0 ? 'before' : 'after', available);
  }

  /** Puts a column before or after another (a header dropped on another); false when nothing moved. */
  moveTo(id: string, target: string, side: DropSide, available: readonly string[]): boolean {
    if (id === RUN_COLUMN || id === target) return false;
    const ids = this.orderOf(available);
    if (!ids.includes(id) || !ids.includes(target)) return false;
    const before = ids.join('\n');
    ids.splice(ids.indexOf(id), 1);
    let at = ids.indexOf(target) + (side === 'after' ? 1 : 0);
    if (ids[0] === RUN_COLUMN) at = Math.max(1, at);
    ids.splice(at, 0, id);
    if (ids.join('\n') === before) return false;
    const shown = new Set(available);
    this.order = [...ids, ...this.order.filter((other) => !shown.has(other))];
    return true;
  }

  /** Hides or shows a column (the run column is always shown); false when nothing changed. */
  setHidden(id: string, hidden: boolean): boolean {
    if (id === RUN_COLUMN || hidden === this.hidden.has(id)) return false;
    if (hidden) this.hidden.add(id);
    else this.hidden.delete(id);
    return true;
  }

  /** Sets a column's width (clamped); false when it did not change. */
  resize(id: string, px: number): boolean {
    const width = clampWidth(px);
    if (width === this.widthOf(id) && this.widths.has(id)) return false;
    this.widths.set(id, width);
    return true;
  }

  /** Back to the default order, every column shown, default widths. */
  reset(): void {
    this.order = [];
    this.hidden.clear();
    this.widths.clear();
  }

  serialize(): LayoutState {
    return {
      order: this.order.slice(0, MAX_LAYOUT_COLUMNS),
      hidden: [...this.hidden].slice(0, MAX_LAYOUT_COLUMNS),
      widths: [...this.widths].slice(0, MAX_LAYOUT_COLUMNS),
    };
  }

  private orderOf(available: readonly string[]): string[] {
    const shown = new Set(available);
    const ids = this.order.filter((id) => shown.has(id));
    const placed = new Set(ids);
    available.forEach((id, index) => {
      if (placed.has(id)) return;
      // After the nearest column that comes before it by default; first when none does.
      let at = 0;
      for (let j = index - 1; j >= 0; j--) {
        const k = ids.indexOf(available[j]!);
        if (k !== -1) {
          at = k + 1;
          break;
        }
      }
      ids.splice(at, 0, id);
      placed.add(id);
    });
    const run = ids.indexOf(RUN_COLUMN);
    if (run > 0) ids.unshift(...ids.splice(run, 1));
    return ids;
  }
}

/** A layout from untrusted JSON: lists of column ids, width pairs with finite numbers; anything else is left out. */
export function parseLayout(untrusted: unknown): ColumnLayout {
  if (!isObject(untrusted)) return new ColumnLayout();
  const ids = (value: unknown): string[] => (Array.isArray(value) ? [...new Set(value.filter(isColumnId))].slice(0, MAX_LAYOUT_COLUMNS) : []);
  const widths = nameValue(untrusted, 'widths');
  const pairs = Array.isArray(widths)
    ? widths.filter((pair): pair is [string, number] => Array.isArray(pair) && pair.length === 2 && isColumnId(pair[0]) && typeof pair[1] === 'number' && Number.isFinite(pair[1])).slice(0, MAX_LAYOUT_COLUMNS)
    : [];
  return new ColumnLayout({ order: ids(nameValue(untrusted, 'order')), hidden: ids(nameValue(untrusted, 'hidden')), widths: pairs });
}

function isColumnId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_COLUMN_ID;
}
