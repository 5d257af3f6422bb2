import { describe, expect, it } from 'vitest';
import { groupMetrics, isSystemMetric, metricGroup } from '../../../core/src/charts/groups.js';

describe('metricGroup()', () => {
  it('puts a metric with its validation and batch twins', () => {
    expect(['loss', 'val_loss', 'batch/loss', 'val/loss'].map(metricGroup)).toEqual(['loss', 'loss', 'loss', 'loss']);
    expect(metricGroup('acc')).toBe('acc');
  });
  it('groups sys metrics by subject and unit, apart from the user\'s metrics', () => {
    const groups = groupMetrics(['loss', 'sys/cpu_percent', 'sys/process_cpu_percent', 'sys/memory_used_percent', 'sys/process_rss_mb', 'sys/process_heap_mb', 'sys/gpu0_util_percent', 'sys/gpu1_util_percent', 'sys/gpu0_memory_used_mb', 'val_loss']);
    expect([...groups]).toEqual([
      ['loss', ['loss', 'val_loss']],
      ['sys/cpu (%)', ['sys/cpu_percent', 'sys/process_cpu_percent']],
      ['sys/memory (%)', ['sys/memory_used_percent']],
      ['sys/process memory (MB)', ['sys/process_rss_mb', 'sys/process_heap_mb']],
      ['sys/gpu (%)', ['sys/gpu0_util_percent', 'sys/gpu1_util_percent']],
      ['sys/gpu memory (MB)', ['sys/gpu0_memory_used_mb']],
    ]);
    expect(metricGroup('sys/memory_used_mb')).toBe('sys/memory_used_mb');
    expect(isSystemMetric('sys/x')).toBe(true);
    expect(isSystemMetric('system')).toBe(false);
  });
});
