import type { EndedCall } from '../../call/ended-call';

/** Field name -> count, for one second of traffic or a whole window summed. */
export type Counts = Record<string, number>;

/** Upper bounds of the latency histogram's buckets, ms; one more bucket holds the rest. */
export const LATENCY_BOUNDS_MS = [
  50, 100, 250, 500, 1_000, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 30_000, 60_000, 120_000,
];

export const FIELD = {
  requests: 'req',
  errors: 'err',
  guardrailBlocks: 'gb',
  upstreamAttempts: 'ua',
  upstreamFailures: 'uf',
  latency: (bucket: number) => `lat${bucket}`,
  /** Calls slower than `ms`: exact for each latency rule's threshold, whatever the buckets. */
  slowerThan: (ms: number) => `slow${ms}`,
} as const;

const MODEL_FAMILIES = new Set(['chat', 'responses', 'completions', 'anthropic']);

export function add(into: Counts, field: string, by = 1): void {
  into[field] = (into[field] ?? 0) + by;
}

/**
 * What one ended call adds to the window: model calls only (not probes, listings or admin),
 * never a call the client left (499 says nothing about the gateway). Errors are 5xx; latency
 * counts every call but client mistakes (a 400 answered at once would hide slowness).
 */
export function countCall(
  call: EndedCall,
  slowThresholdsMs: readonly number[],
  into: Counts,
): void {
  for (const outcome of call.guardrails ?? []) {
    if (outcome.outcome === 'blocked') add(into, FIELD.guardrailBlocks);
  }
  if (!MODEL_FAMILIES.has(call.apiFamily) || call.status === 499) return;
  add(into, FIELD.requests);
  if (call.status >= 500) add(into, FIELD.errors);
  if (call.status >= 400 && call.status < 500) return;
  add(into, FIELD.latency(latencyBucket(call.durationMs)));
  for (const ms of slowThresholdsMs) if (call.durationMs > ms) add(into, FIELD.slowerThan(ms));
}

/** One upstream attempt: a 5xx or a transport failure (status 0) is a failure of Groq. */
export function countUpstream(status: number, into: Counts): void {
  add(into, FIELD.upstreamAttempts);
  if (status === 0 || status >= 500) add(into, FIELD.upstreamFailures);
}

export function latencyBucket(ms: number): number {
  const index = LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return index === -1 ? LATENCY_BOUNDS_MS.length : index;
}

/**
 * The 95th percentile from the histogram, interpolated inside its bucket (Prometheus's
 * histogram_quantile does the same); undefined with no calls.
 */
export function p95Ms(counts: Counts): number | undefined {
  const buckets = Array.from(
    { length: LATENCY_BOUNDS_MS.length + 1 },
    (_, i) => counts[FIELD.latency(i)] ?? 0,
  );
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = 0.95 * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    if (seen + buckets[i] >= rank && buckets[i] > 0) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1];
      // Past the last bound nothing says how far: the last bound is what can be claimed.
      if (i === LATENCY_BOUNDS_MS.length) return lower;
      const upper = LATENCY_BOUNDS_MS[i];
      return lower + ((upper - lower) * (rank - seen)) / buckets[i];
    }
    seen += buckets[i];
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
}

/** The latency calls counted (the histogram's total). */
export function latencyCount(counts: Counts): number {
  let total = 0;
  for (let i = 0; i <= LATENCY_BOUNDS_MS.length; i++) total += counts[FIELD.latency(i)] ?? 0;
  return total;
}

/** Sums several seconds' counts into one. */
export function sumCounts(parts: Iterable<Counts>): Counts {
  const total: Counts = {};
  for (const part of parts)
    for (const [field, value] of Object.entries(part)) add(total, field, value);
  return total;
}
