import type { StatsRow } from './api/types';

export interface RangeOption {
  label: string;
  ms: number;
  interval: '1m' | '5m' | '1h';
}

/** The time-range picker's choices and the bucket each is charted at (at most ~300 points). */
export const RANGES: readonly RangeOption[] = [
  { label: 'Last 15 minutes', ms: 15 * 60_000, interval: '1m' },
  { label: 'Last hour', ms: 3_600_000, interval: '1m' },
  { label: 'Last 6 hours', ms: 6 * 3_600_000, interval: '5m' },
  { label: 'Last 24 hours', ms: 24 * 3_600_000, interval: '5m' },
  { label: 'Last 7 days', ms: 7 * 24 * 3_600_000, interval: '1h' },
];

export const INTERVAL_MS = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000 } as const;

/** Every bucket start from `fromMs` to `toMs` (epoch ms, aligned down to the step). */
export function bucketStarts(fromMs: number, toMs: number, stepMs: number): number[] {
  const starts: number[] = [];
  for (let t = Math.floor(fromMs / stepMs) * stepMs; t <= toMs; t += stepMs) starts.push(t);
  return starts;
}

/**
 * One value per bucket from stats rows (ungrouped, by interval); buckets without traffic get
 * `empty` (0 for counts, null for latencies, which have no value without requests).
 */
export function seriesOf(
  rows: readonly StatsRow[],
  starts: readonly number[],
  pick: (row: StatsRow) => number | null | undefined,
  empty: number | null = 0,
): (number | null)[] {
  const byStart = new Map<number, StatsRow>();
  for (const row of rows) if (row.start) byStart.set(Date.parse(row.start), row);
  return starts.map((start) => {
    const row = byStart.get(start);
    if (!row) return empty;
    return pick(row) ?? empty;
  });
}

/** Per-group series (grouped by interval), the `limit` largest groups by `weight`. */
export function groupedSeries(
  rows: readonly StatsRow[],
  starts: readonly number[],
  pick: (row: StatsRow) => number,
  limit = 6,
): { label: string; values: (number | null)[] }[] {
  const totals = new Map<string, number>();
  for (const row of rows) {
    const group = row.group ?? '(none)';
    totals.set(group, (totals.get(group) ?? 0) + pick(row));
  }
  const groups = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([group]) => group);
  return groups.map((group) => ({
    label: group,
    values: seriesOf(
      rows.filter((row) => (row.group ?? '(none)') === group),
      starts,
      pick,
    ),
  }));
}
