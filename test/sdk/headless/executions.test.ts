import { describe, expect, it } from 'vitest';
import { experimentExecutions, noteCellTiming, type CellTiming } from '../../../sdk/src/headless/executions.js';
import type { NotebookJson } from '../../../sdk/src/headless/notebook.js';

const RUN_MIME = 'application/vnd.trainbook.run+json';
const cell = (id: string, tags: string[], outputs: unknown[] = [], count: number | null = null) => ({ cell_type: 'code', id, metadata: { tags }, source: [`// ${id}\n`, 'x;'], outputs, execution_count: count });

function executed(): NotebookJson {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      cell('plain', [], [], 1),
      cell('sdk', ['experiment'], [{ output_type: 'display_data', data: { [RUN_MIME]: { run: { id: '20261201-101010101-abcde' } } } }], 2),
      cell('quiet', ['experiment:sweep'], [], 3),
      cell('boom', ['experiment:sweep'], [], 4),
      cell('never', ['experiment'], [], null),
    ],
  } as NotebookJson;
}

function timings(): Map<number, CellTiming> {
  const map = new Map<number, CellTiming>();
  noteCellTiming(map, { type: 'cell', index: 0, ordinal: 1, state: 'running' }, 1000);
  noteCellTiming(map, { type: 'cell', index: 0, ordinal: 1, state: 'done' }, 1100);
  noteCellTiming(map, { type: 'cell', index: 1, ordinal: 2, state: 'running' }, 1100);
  noteCellTiming(map, { type: 'cell', index: 1, ordinal: 2, state: 'done' }, 1500);
  noteCellTiming(map, { type: 'cell', index: 2, ordinal: 3, state: 'running' }, 1500);
  noteCellTiming(map, { type: 'cell', index: 2, ordinal: 3, state: 'done' }, 1600);
  noteCellTiming(map, { type: 'cell', index: 3, ordinal: 4, state: 'running' }, 1600);
  noteCellTiming(map, { type: 'cell', index: 3, ordinal: 4, state: 'error' }, 1700);
  return map;
}

describe('headless/executions', () => {
  it('records each experiment cell that ran: linked runs, a run for a cell without one, and the failed cell', () => {
    const recorded = experimentExecutions(executed(), timings(), {
      notebook: 'train.ipynb',
      params: { lr: 0.1, optimizer: { name: 'adam' } },
      failure: { cell: 3, ename: 'RangeError', evalue: 'diverged' },
    });
    // The untagged cell and the tagged one that never ran are left out.
    expect(recorded.map((r) => r.execution.cell.id)).toEqual(['sdk', 'quiet', 'boom']);
    const [sdk, quiet, boom] = recorded;
    expect(sdk!.run).toBeNull();
    expect(sdk!.execution).toMatchObject({ runs: ['20261201-101010101-abcde'], synthesized: false, success: true, durationMs: 400, experiment: null });
    expect(quiet!.execution).toMatchObject({ synthesized: true, success: true, experiment: 'sweep', durationMs: 100, cell: { id: 'quiet', source: '// quiet\nx;', executionCount: 3 } });
    expect(quiet!.run!.record).toMatchObject({ status: 'completed', experiment: 'sweep', params: { lr: 0.1, 'optimizer.name': 'adam' }, metadata: { source: 'trainbook run' } });
    expect(quiet!.execution.runs).toEqual([quiet!.run!.record.id]);
    expect(quiet!.run!.events.map((e) => e.type === 'status' && e.status)).toEqual(['running', 'completed']);
    expect(boom!.execution).toMatchObject({ success: false, error: { ename: 'RangeError', evalue: 'diverged' } });
    expect(boom!.run!.record).toMatchObject({ status: 'failed', error: { name: 'RangeError', message: 'diverged' } });
  });

  it('marks a cell that started but never ended (an interrupted job) as interrupted', () => {
    const map = new Map<number, CellTiming>();
    noteCellTiming(map, { type: 'cell', index: 2, ordinal: 3, state: 'running' }, 5000);
    const [only] = experimentExecutions(executed(), map, { notebook: 'train.ipynb', params: {}, failure: null });
    expect(only!.execution).toMatchObject({ success: false, error: { ename: 'Interrupted' }, durationMs: 0 });
    expect(only!.run!.record.status).toBe('interrupted');
    expect(only!.run!.events.at(-1)).toMatchObject({ type: 'status', status: 'interrupted' });
  });
});
