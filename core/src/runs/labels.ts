/** The one run label of legends and tables (the report, the compare view). Pure. */
import type { RunRecord } from '../format/types.js';

/**
 * Labels that tell runs apart: the run's name; the name and the id's last part when names repeat;
 * the whole id for a run without a name, or when two such labels would still be the same.
 *
 * @example
 * runLabels([{ id: '…-aaaaa', name: 'mlp' }, { id: '…-bbbbb', name: 'mlp' }, { id: '…-ccccc', name: 'cnn' }]);
 * // ['mlp (aaaaa)', 'mlp (bbbbb)', 'cnn']
 */
export function runLabels(records: ReadonlyArray<Pick<RunRecord, 'id' | 'name'>>): string[] {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(record.name, (counts.get(record.name) ?? 0) + 1);
  const labels = records.map((record) => (record.name === '' ? record.id : (counts.get(record.name) ?? 0) > 1 ? `${record.name} (${record.id.slice(-5)})` : record.name));
  // Ids are unique, but a suffix can still collide with another label: fall back to the whole id.
  const seen = new Set<string>();
  return labels.map((label, i) => {
    const record = records[i]!;
    const unique = seen.has(label) ? (record.name === '' ? record.id : `${record.name} (${record.id})`) : label;
    seen.add(unique);
    return unique;
  });
}
