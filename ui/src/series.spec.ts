import type { StatsRow } from './api/types';
import { bucketStarts, groupedSeries, seriesOf } from './series';

const row = (start: string, requests: number, extra: Partial<StatsRow> = {}): StatsRow => ({
  start,
  group: null,
  requests,
  errors: 0,
  abandoned: 0,
  error_rate: 0,
  latency_p50_ms: 10,
  latency_p95_ms: 20,
  prompt_tokens: 0,
  cached_tokens: 0,
  completion_tokens: 0,
  reasoning_tokens: 0,
  total_tokens: 0,
  cost_usd: 0,
  ...extra,
});

const T0 = Date.parse('2026-11-30T10:00:00.000Z');

describe('dashboard series', () => {
  it('lists every bucket start from the aligned-down from to to', () => {
    expect(bucketStarts(T0 + 30_000, T0 + 180_000, 60_000)).toEqual([
      T0,
      T0 + 60_000,
      T0 + 120_000,
      T0 + 180_000,
    ]);
  });

  it('fills buckets without traffic with 0 for counts and null for latencies', () => {
    const starts = bucketStarts(T0, T0 + 120_000, 60_000);
    const rows = [row('2026-11-30T10:01:00.000Z', 4)];
    expect(seriesOf(rows, starts, (r) => r.requests)).toEqual([0, 4, 0]);
    expect(seriesOf(rows, starts, (r) => r.latency_p95_ms, null)).toEqual([null, 20, null]);
  });

  it('keeps the largest groups by weight, each as its own series', () => {
    const starts = bucketStarts(T0, T0 + 60_000, 60_000);
    const rows = [
      row('2026-11-30T10:00:00.000Z', 1, { group: 'small' }),
      row('2026-11-30T10:00:00.000Z', 5, { group: 'big' }),
      row('2026-11-30T10:01:00.000Z', 2, { group: 'big' }),
      row('2026-11-30T10:01:00.000Z', 1, { group: null }),
    ];
    expect(groupedSeries(rows, starts, (r) => r.requests, 2)).toEqual([
      { label: 'big', values: [5, 2] },
      { label: 'small', values: [1, 0] },
    ]);
  });
});
