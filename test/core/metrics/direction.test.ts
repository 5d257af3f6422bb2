import { describe, expect, it } from 'vitest';
import { isBetter, metricDirection } from 'trainbook/core';

describe('metricDirection', () => {
  it.each([
    ['val_loss', 'min'],
    ['loss', 'min'],
    ['error_rate', 'min'],
    ['mse', 'min'],
    ['perplexity', 'min'],
    ['accuracy', 'max'],
    ['val_acc', 'max'],
    ['f1', 'max'],
    ['bleu', 'max'],
    ['reward', 'max'],
    ['episode_return', 'max'],
    ['auc', 'max'],
    ['acc_loss', 'min'],
    ['lr', 'min'],
  ] as const)('says %s improves towards %s', (name, direction) => {
    expect(metricDirection(name)).toBe(direction);
  });
});

describe('isBetter', () => {
  it('compares in the direction given', () => {
    expect(isBetter('min', 0.1, 0.2)).toBe(true);
    expect(isBetter('max', 0.1, 0.2)).toBe(false);
  });
});
