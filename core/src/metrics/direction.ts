/**
 * Which way a metric gets better, from its name: the one rule that keepBest's `mode: 'auto'` and
 * the report's best values share. Loss-like names (loss, error, mse, perplexity, ...) are better
 * low; score-like names (accuracy, auc, precision, recall, f1, bleu, rouge, reward, ...) are
 * better high; a loss-like part wins (`acc_loss` is a loss). Any other name is taken as
 * lower-is-better, as Keras does for `mode: 'auto'`. Pure.
 */

export type MetricDirection = 'min' | 'max';

const LOWER_IS_BETTER = /loss|err|mse|mae|mape|perplexity|cost|regret|latency/i;
const HIGHER_IS_BETTER = /acc|auc|precision|recall|f1|fbeta|bleu|rouge|meteor|reward|return|score|iou|dice|map|ndcg|r2/i;

/**
 * The direction in which `metric` improves.
 *
 * @example
 * metricDirection('val_loss');   // 'min'
 * metricDirection('bleu');       // 'max'
 * metricDirection('error_rate'); // 'min'
 */
export function metricDirection(metric: string): MetricDirection {
  if (LOWER_IS_BETTER.test(metric)) return 'min';
  return HIGHER_IS_BETTER.test(metric) ? 'max' : 'min';
}

/** True when `value` is better than `other` for a metric that improves in `direction`. */
export function isBetter(direction: MetricDirection, value: number, other: number): boolean {
  return direction === 'min' ? value < other : value > other;
}
