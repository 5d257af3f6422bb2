/**
 * The naming rule of the metrics trainbook records itself: the machine's CPU, memory and GPU use,
 * sampled while a run is active, are stored as ordinary metrics named `sys/...`. The recorder
 * keeps users off the prefix; readers and charts tell system samples from results by it. Pure.
 */

/** Metrics the run samples about the machine (CPU, memory, GPU) are named `sys/...`. */
export const SYSTEM_METRIC_PREFIX = 'sys/';

/**
 * Whether `name` is one of trainbook's system metrics.
 *
 * @example
 * isSystemMetric('sys/cpu_percent'); // true
 * isSystemMetric('val_loss');        // false
 */
export function isSystemMetric(name: string): boolean {
  return name.startsWith(SYSTEM_METRIC_PREFIX);
}
