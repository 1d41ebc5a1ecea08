import type { Counter, Histogram, LabelValues } from 'prom-client';

/**
 * One labelled series of a prom-client counter or histogram, updated in place. prom-client's own
 * labelled children validate and hash their labels on every call (about 2-4 µs each, several per
 * request); these find their series once, on the first update (made through prom-client itself,
 * so a series appears exactly when it would have), and then add to it directly. The exposition is
 * prom-client's, unchanged; a metric reset is noticed and the series found again.
 */
export interface CounterSeries {
  inc(by?: number): void;
}

export interface HistogramSeries {
  observe(value: number): void;
}

interface Entry {
  labels: Record<string, string | number>;
}
interface CounterEntry extends Entry {
  value: number;
}
interface HistogramEntry extends Entry {
  sum: number;
  count: number;
  bucketValues: Record<string, number>;
}
/** The parts of prom-client's metrics these read (stable through prom-client 15). */
interface Internals<E> {
  hashMap: Record<string, E | undefined>;
  upperBounds?: readonly number[];
}

export function counterSeries<T extends string>(
  counter: Counter<T>,
  labels: LabelValues<T>,
): CounterSeries {
  const internals = counter as unknown as Internals<CounterEntry>;
  let key: string | undefined;
  return {
    inc(by = 1) {
      const entry = key === undefined ? undefined : internals.hashMap[key];
      if (!entry || !(by >= 0) || !Number.isFinite(by)) {
        counter.inc(labels, by);
        key = keyOf(internals.hashMap, labels);
        return;
      }
      entry.value += by;
    },
  };
}

export function histogramSeries<T extends string>(
  histogram: Histogram<T>,
  labels: LabelValues<T>,
): HistogramSeries {
  const internals = histogram as unknown as Internals<HistogramEntry>;
  const bounds = internals.upperBounds ?? [];
  // The bucket keys as strings once: a fractional number as a property key is converted to its
  // string on every access.
  const bucketKeys = bounds.map(String);
  let key: string | undefined;
  return {
    observe(value) {
      const entry = key === undefined ? undefined : internals.hashMap[key];
      if (!entry || !Number.isFinite(value)) {
        histogram.observe(labels, value);
        key = keyOf(internals.hashMap, labels);
        return;
      }
      entry.sum += value;
      entry.count += 1;
      for (let i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          entry.bucketValues[bucketKeys[i]] += 1;
          break;
        }
      }
    },
  };
}

/** The key of the series with exactly these labels, as prom-client stored it. */
function keyOf(map: Record<string, Entry | undefined>, labels: object): string | undefined {
  const wanted = Object.entries(labels).filter(([, value]) => value !== undefined);
  for (const [key, entry] of Object.entries(map)) {
    if (!entry) continue;
    const have = entry.labels;
    if (
      Object.keys(have).length === wanted.length &&
      wanted.every(([name, value]) => String(have[name]) === String(value))
    )
      return key;
  }
  return undefined;
}
