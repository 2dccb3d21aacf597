import { describe, expect, it } from 'vitest';
import { CounterFamily, HistogramFamily, PrometheusText } from '../src/prometheus-text.js';

describe('PrometheusText', () => {
  it('writes families with HELP and TYPE, escaped label values and special numbers', () => {
    const out = new PrometheusText();
    out.family('x_total', 'counter', 'Help with \\ and\nnewline.');
    out.sample('x_total', { queue: 'a"b\\c\nd' }, 3);
    out.sample('x_total', {}, Number.NaN);
    out.sample('x_total', { le: '+Inf' }, Infinity);
    expect(out.toString()).toBe(
      ['# HELP x_total Help with \\\\ and\\nnewline.', '# TYPE x_total counter', 'x_total{queue="a\\"b\\\\c\\nd"} 3', 'x_total NaN', 'x_total{le="+Inf"} +Inf', ''].join('\n'),
    );
  });

  it('adds counters per label set', () => {
    const counter = new CounterFamily();
    counter.add({ queue: 'a' });
    counter.add({ queue: 'a' }, 2);
    counter.add({ queue: 'b' });
    const out = new PrometheusText();
    counter.write(out, 'c_total', 'C.');
    expect(out.toString()).toContain('c_total{queue="a"} 3\nc_total{queue="b"} 1\n');
  });

  it('keeps cumulative histogram buckets with sum and count', () => {
    const histogram = new HistogramFamily([1, 0.1]);
    for (const value of [0.05, 0.5, 5]) histogram.observe({ task: 't' }, value);
    const out = new PrometheusText();
    histogram.write(out, 'h', 'H.');
    expect(out.toString().split('\n').slice(2, -1)).toEqual([
      'h_bucket{task="t",le="0.1"} 1',
      'h_bucket{task="t",le="1"} 2',
      'h_bucket{task="t",le="+Inf"} 3',
      'h_sum{task="t"} 5.55',
      'h_count{task="t"} 3',
    ]);
  });
});
