/** Local runs for the hub tests, recorded with the real SDK into a temp store. */
import * as path from 'node:path';
import { init, openStore } from '../../sdk/src/index.js';
import { localRunSource } from '../../sdk/src/sync/runSource.js';
import { RUNS_DIR } from '../../sdk/src/store/paths.js';

export interface RecordedRun {
  dir: string;
  id: string;
  source: ReturnType<typeof localRunSource>;
}

/** A finished run with NaN/±Infinity, steps, epochs, a timer, a log line and params. */
export async function recordRun(dir: string, options: { points?: number; name?: string; params?: Record<string, unknown>; tags?: string[]; metric?: string } = {}): Promise<RecordedRun> {
  const run = init({ dir, git: false, display: false, systemMetrics: false, name: options.name ?? 'fixture', params: options.params ?? { lr: 0.01, optimizer: { name: 'adam' } }, tags: options.tags ?? ['hub'] });
  const points = options.points ?? 300;
  const metric = options.metric ?? 'loss';
  for (let i = 0; i < points; i++) {
    const value = i === 5 ? NaN : i === 6 ? Infinity : i === 7 ? -Infinity : 1 / (i + 1);
    run.log({ [metric]: value, acc: i / points }, { step: i * 2, epoch: Math.floor(i / 100) });
    if (i % 100 === 99) run.flush();
  }
  const t = run.chrono('batch_time');
  t.stop();
  await run.finish();
  return { dir, id: run.id, source: sourceFor(dir, run.id) };
}

export function sourceFor(dir: string, id: string): ReturnType<typeof localRunSource> {
  return localRunSource(dir, path.join(dir, RUNS_DIR, id), id);
}

export function localPoints(dir: string, id: string): Map<string, number[]> {
  const data = openStore(dir).read(id);
  return new Map([...data.series].map(([name, series]) => [name, [...series.value.subarray(0, series.length)]]));
}
