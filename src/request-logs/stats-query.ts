import { invalid, parseFilter, text, type LogFilter, type Params } from './log-query';
import { STATS_GROUPS, type StatsGroup } from './store/log-store';

export const INTERVALS = {
  '1m': 60_000,
  '5m': 300_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
} as const;
export type Interval = keyof typeof INTERVALS;

/** Buckets one answer may hold (per group), so a year by the minute is refused, not computed. */
export const MAX_BUCKETS = 10_000;
const DAY_MS = 86_400_000;

export interface StatsQuery {
  filter: LogFilter;
  groupBy?: StatsGroup;
  interval?: Interval;
}

/** `GET /admin/stats` parameters, checked. With an interval and no `from`, the last day. */
export function parseStats(params: Params, nowMs: number): StatsQuery {
  const filter = parseFilter(params, ['groupBy', 'interval']);
  const groupBy = text(params, 'groupBy');
  if (groupBy !== undefined && !Object.hasOwn(STATS_GROUPS, groupBy))
    throw invalid('groupBy', `groupBy must be one of ${Object.keys(STATS_GROUPS).join(', ')}.`);
  const interval = text(params, 'interval');
  if (interval !== undefined && !Object.hasOwn(INTERVALS, interval))
    throw invalid('interval', `interval must be one of ${Object.keys(INTERVALS).join(', ')}.`);
  if (interval !== undefined) {
    const step = INTERVALS[interval as Interval];
    const to = filter.toMs ?? nowMs;
    const from = filter.fromMs ?? to - DAY_MS;
    if ((to - from) / step > MAX_BUCKETS)
      throw invalid(
        'interval',
        `from..to at ${interval} makes more than ${MAX_BUCKETS} buckets; narrow the range or take a longer interval.`,
      );
    filter.fromMs = from;
  }
  return {
    filter,
    groupBy: groupBy as StatsGroup | undefined,
    interval: interval as Interval | undefined,
  };
}
