/** When a breaker opens, and for how long. */
export interface BreakerPolicy {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker refuses before one probe is let through. */
  cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A change of state worth a log line: `opened` after failures, `closed` after a probe passed. */
export type BreakerTransition = 'opened' | 'closed' | undefined;

/**
 * A circuit breaker, pure state with time passed in: closed until `failureThreshold` consecutive
 * failures, then open for `cooldownMs`, then half-open: one probe goes through (`tryProbe`), and
 * its outcome closes the breaker or opens it for another cool-down.
 */
export class CircuitBreaker {
  consecutiveFailures = 0;
  openUntil = 0;
  /** While half-open, one probe is under way and others wait. */
  probing = false;

  constructor(private readonly policy: BreakerPolicy) {}

  state(now: number): BreakerState {
    if (this.openUntil === 0) return 'closed';
    return now < this.openUntil ? 'open' : 'half-open';
  }

  /** Whether a call may go through now without being the probe (closed only). */
  isClosed(): boolean {
    return this.openUntil === 0;
  }

  /** Whether a call may go now: closed, or half-open with no probe under way. */
  allows(now: number): boolean {
    if (this.openUntil === 0) return true;
    return now >= this.openUntil && !this.probing;
  }

  /** Marks the call about to go as the half-open probe (a no-op while closed). */
  tryProbe(now: number): boolean {
    if (this.openUntil === 0) return true;
    if (now < this.openUntil || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): BreakerTransition {
    const wasOpen = this.openUntil !== 0;
    this.consecutiveFailures = 0;
    this.openUntil = 0;
    this.probing = false;
    return wasOpen ? 'closed' : undefined;
  }

  failure(now: number): BreakerTransition {
    this.consecutiveFailures++;
    const wasOpen = this.openUntil !== 0;
    const reopen = this.probing || wasOpen;
    this.probing = false;
    if (reopen || this.consecutiveFailures >= this.policy.failureThreshold) {
      this.openUntil = now + this.policy.cooldownMs;
      return wasOpen ? undefined : 'opened';
    }
    return undefined;
  }

  /** A call that says nothing about health (abandoned by its client) ends a probe undecided. */
  forget(): void {
    this.probing = false;
  }
}
