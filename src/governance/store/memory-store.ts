import type { VirtualKeyRecord } from '../../config/governance-config';
import {
  Admission,
  AdmissionRequest,
  GovernanceStore,
  KeyUsage,
  UsageRecord,
  WINDOW_MS,
} from './governance-store';

interface KeyCounters {
  /** Admission times in the window, oldest first. */
  requests: number[];
  /** Tokens by the second they were reported in. */
  tokens: Map<number, number>;
}

/**
 * Counters in this process: exact for one replica, and lost on restart (use Redis for more).
 * The same rules as the Redis scripts, in the same order, so the two stores answer alike.
 */
export class MemoryGovernanceStore implements GovernanceStore {
  readonly shared = false;
  private readonly counters = new Map<string, KeyCounters>();
  private readonly spend = new Map<string, number>();
  private readonly keys = new Map<string, VirtualKeyRecord>();
  private version = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  admit(request: AdmissionRequest): Promise<Admission> {
    const now = this.clock();
    const counters = this.prune(request.keyId, now);
    const buckets = [...counters.tokens.entries()].sort((a, b) => a[0] - b[0]);
    const tokensInWindow = buckets.reduce((sum, [, n]) => sum + n, 0);
    const spentNanoUsd = request.budget
      ? (this.spend.get(spendKey(request.keyId, request.budget.period)) ?? 0)
      : 0;
    const base = {
      requestsInWindow: counters.requests.length,
      tokensInWindow,
      spentNanoUsd,
      requestsResetMs: counters.requests.length ? counters.requests[0] + WINDOW_MS : now,
      tokensResetMs: buckets.length ? (buckets[0][0] + 1) * 1000 + WINDOW_MS : now,
    };
    if (request.budget && spentNanoUsd >= request.budget.limitNanoUsd) {
      return done({
        ...base,
        admitted: false,
        reason: 'budget',
        retryAfterMs: request.budget.endsAtMs - now,
      });
    }
    if (request.tokensPerMinute && tokensInWindow >= request.tokensPerMinute) {
      return done({
        ...base,
        admitted: false,
        reason: 'tokens',
        retryAfterMs: tokensRetryAfter(buckets, tokensInWindow, request.tokensPerMinute, now),
      });
    }
    if (request.requestsPerMinute && counters.requests.length >= request.requestsPerMinute) {
      return done({
        ...base,
        admitted: false,
        reason: 'requests',
        retryAfterMs: base.requestsResetMs - now,
      });
    }
    counters.requests.push(now);
    return done({
      ...base,
      admitted: true,
      requestsInWindow: counters.requests.length,
      requestsResetMs: counters.requests[0] + WINDOW_MS,
    });
  }

  record(usage: UsageRecord): Promise<void> {
    const now = this.clock();
    const counters = this.prune(usage.keyId, now);
    if (usage.tokens > 0) {
      const second = Math.floor(now / 1000);
      counters.tokens.set(second, (counters.tokens.get(second) ?? 0) + usage.tokens);
    }
    if (usage.budgetPeriod && usage.costNanoUsd > 0) {
      const key = spendKey(usage.keyId, usage.budgetPeriod.period);
      this.spend.set(key, (this.spend.get(key) ?? 0) + usage.costNanoUsd);
    }
    return Promise.resolve();
  }

  usage(keyId: string, budgetPeriod?: string): Promise<KeyUsage> {
    const counters = this.prune(keyId, this.clock());
    let tokens = 0;
    for (const n of counters.tokens.values()) tokens += n;
    return Promise.resolve({
      requestsInWindow: counters.requests.length,
      tokensInWindow: tokens,
      spentNanoUsd: budgetPeriod ? (this.spend.get(spendKey(keyId, budgetPeriod)) ?? 0) : 0,
    });
  }

  loadKeys(): Promise<VirtualKeyRecord[]> {
    return Promise.resolve([...this.keys.values()]);
  }

  saveKey(record: VirtualKeyRecord): Promise<void> {
    this.keys.set(record.id, record);
    this.version++;
    return Promise.resolve();
  }

  keysVersion(): Promise<number> {
    return Promise.resolve(this.version);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private prune(keyId: string, now: number): KeyCounters {
    let counters = this.counters.get(keyId);
    if (!counters) {
      counters = { requests: [], tokens: new Map() };
      this.counters.set(keyId, counters);
    }
    const since = now - WINDOW_MS;
    let expired = 0;
    while (expired < counters.requests.length && counters.requests[expired] <= since) expired++;
    if (expired) counters.requests.splice(0, expired);
    for (const second of counters.tokens.keys()) {
      if ((second + 1) * 1000 <= since) counters.tokens.delete(second);
    }
    return counters;
  }
}

function spendKey(keyId: string, period: string): string {
  return `${keyId}\u0000${period}`;
}

function done(admission: Admission): Promise<Admission> {
  return Promise.resolve(admission);
}

/** How long until enough of the oldest token buckets leave the window to go under the limit. */
export function tokensRetryAfter(
  buckets: Array<[number, number]>,
  total: number,
  limit: number,
  now: number,
): number {
  let left = total;
  for (const [second, tokens] of buckets) {
    left -= tokens;
    if (left < limit) return Math.max(1, (second + 1) * 1000 + WINDOW_MS - now);
  }
  return WINDOW_MS;
}
