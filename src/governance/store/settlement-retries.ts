import type { UsageRecord } from './governance-store';
import { StoreBreakerOpenError } from './store-breaker';

/** First wait before a settlement is tried again; each later one doubles, up to the last. */
export const SETTLEMENT_RETRY_DELAYS_MS = { first: 250, max: 5_000 };
/** Settlements waiting for the store at once, at most; beyond it they are left to their lease. */
export const MAX_PENDING_SETTLEMENTS = 10_000;

/**
 * Settles reservations with the store, and keeps trying while it cannot answer. A settlement the
 * store never took leaves the call's hold in place (its usage uncounted) until the lease ends, so
 * a Redis blip would block a key for the whole lease. One that fails is tried again in the
 * background (never on a request's path), backing off, until it lands or the lease has passed
 * (the hold has freed itself by then).
 *
 * Idempotent per reservation: after an attempt whose answer was lost (a timeout, a dropped
 * connection: it may have landed), the next ones ask the store to count the use only if the
 * reservation is still held, so a settlement that did land is never counted twice. An attempt the
 * open breaker skipped was never sent, so it changes nothing. Only records with a reservation are
 * retried: without one nothing is held, and nothing could tell a repeat from a new charge.
 */
export class SettlementRetries {
  private readonly pending = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly record: (usage: UsageRecord) => Promise<void>,
    /** How long a reservation holds without renewal: retries stop then. */
    private readonly leaseMs: number,
    private readonly onAnswered: () => void,
    private readonly onError: (error: Error, consequence: string) => void,
    private readonly now: () => number = Date.now,
    private readonly maxPending = MAX_PENDING_SETTLEMENTS,
  ) {}

  /** Settlements waiting to be tried again. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Records `usage` now; resolves after this first attempt. If it fails and `usage` has a
   * reservation, it is tried again in the background.
   */
  async settle(usage: UsageRecord): Promise<void> {
    const outcome = await this.attempt(usage);
    if (outcome === 'landed') return;
    if (!usage.reservationId) {
      this.onError(outcome.error, 'usage not counted');
      return;
    }
    this.onError(outcome.error, 'settlement tried again until the store answers');
    this.retry(
      { ...usage, onlyIfHeld: usage.onlyIfHeld || outcome.mayHaveLanded },
      this.now() + this.leaseMs,
      SETTLEMENT_RETRY_DELAYS_MS.first,
    );
  }

  /** Drops every retry still waiting (the store is closing). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }

  private retry(usage: UsageRecord, deadline: number, delayMs: number): void {
    // An attempt under way when the store closed does not arm another.
    if (this.stopped) return;
    if (this.pending.size >= this.maxPending) {
      this.onError(
        new Error(`${this.pending.size} settlements already waiting`),
        'this one left to its lease',
      );
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      void this.attempt(usage).then((outcome) => {
        if (outcome === 'landed') return;
        const next = { ...usage, onlyIfHeld: usage.onlyIfHeld || outcome.mayHaveLanded };
        if (this.now() + delayMs >= deadline) {
          this.onError(outcome.error, 'settlement given up: the hold frees itself with its lease');
          return;
        }
        this.retry(next, deadline, Math.min(delayMs * 2, SETTLEMENT_RETRY_DELAYS_MS.max));
      });
    }, delayMs);
    timer.unref();
    this.pending.add(timer);
  }

  private async attempt(
    usage: UsageRecord,
  ): Promise<'landed' | { error: Error; mayHaveLanded: boolean }> {
    try {
      await this.record(usage);
      this.onAnswered();
      return 'landed';
    } catch (error) {
      // Skipped by the open breaker: never sent. Anything else may have reached the store.
      return { error: error as Error, mayHaveLanded: !(error instanceof StoreBreakerOpenError) };
    }
  }
}
