/** Which way a monitored metric improves, and whether a new value beats the best so far. */
import { metricDirection } from 'trainbook/core';

export type MonitorMode = 'min' | 'max' | 'auto';

/**
 * Resolves `mode: 'auto'` with the core's one rule (`metricDirection`): max for score-like names
 * (acc, auc, precision, recall, f1, bleu, reward, ...), min for losses, errors and anything else.
 *
 * @example
 * resolveMode('val_loss', 'auto');   // 'min'
 * resolveMode('val_acc', 'auto');    // 'max'
 */
export function resolveMode(monitor: string, mode: MonitorMode = 'auto'): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  return metricDirection(monitor);
}

/**
 * Whether `value` improves on `best` by more than `minDelta`. NaN never improves; the first
 * finite value (best null) always does.
 *
 * @example
 * isImprovement('min', 0.3, 0.4);   // true
 * isImprovement('max', 0.8, 0.9);   // false
 */
export function isImprovement(mode: 'min' | 'max', value: number, best: number | null, minDelta = 0): boolean {
  if (Number.isNaN(value)) return false;
  if (best === null) return true;
  return mode === 'min' ? value < best - minDelta : value > best + minDelta;
}
