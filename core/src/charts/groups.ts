/**
 * Which chart a metric is drawn in: metric names grouped into charts (system metrics, named by
 * the store format's rule, by subject and unit). Pure.
 */

import { SYSTEM_METRIC_PREFIX, isSystemMetric } from '../format/metricNames.js';

// The naming rule is the store format's; charts read it from there.
export { SYSTEM_METRIC_PREFIX, isSystemMetric };

/**
 * System metrics share a chart by subject and unit (`sys/cpu_percent` with
 * `sys/process_cpu_percent`, every GPU's utilisation together), so scales stay comparable.
 */
function systemMetricGroup(name: string): string {
  const rest = name.slice(SYSTEM_METRIC_PREFIX.length);
  if (/^gpu\d+_/.test(rest)) return rest.endsWith('_mb') ? 'sys/gpu memory (MB)' : 'sys/gpu (%)';
  if (rest.endsWith('cpu_percent')) return 'sys/cpu (%)';
  if (rest.startsWith('memory_') && rest.endsWith('_percent')) return 'sys/memory (%)';
  if (rest.startsWith('process_') && rest.endsWith('_mb')) return 'sys/process memory (MB)';
  return name;
}

/**
 * The chart a metric belongs to: `val_loss`, `batch/loss` and `loss` share the `loss` chart, so a
 * training curve and its validation curve are drawn together. System metrics (`sys/...`) are
 * grouped by subject and unit.
 *
 * @example
 * metricGroup('val_loss'); // 'loss'
 */
export function metricGroup(name: string): string {
  if (isSystemMetric(name)) return systemMetricGroup(name);
  let base = name.startsWith('batch/') ? name.slice('batch/'.length) : name;
  if (base.startsWith('val_')) base = base.slice(4);
  else if (base.startsWith('val/')) base = base.slice(4);
  return base || name;
}

/** Groups metric names into charts, in first-seen order. */
export function groupMetrics(names: readonly string[], groupOf: (name: string) => string = metricGroup): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const group = groupOf(name);
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group)!.push(name);
  }
  return groups;
}
