import { parseGoDuration, parseRetryAfter } from './go-duration';

export interface CircuitBreakerPolicy {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker skips the key before one probe is let through. */
  cooldownMs: number;
}

/** What one upstream attempt told us about a key. */
export interface KeyOutcome {
  /** HTTP status, or 0 for a transport failure (reset, timeout). */
  status: number;
  latencyMs: number;
  headers: Record<string, string | string[] | undefined>;
}

type Headers = KeyOutcome['headers'];

const EWMA = 0.2;

/**
 * The live health of one Groq key: recent error rate and latency (moving averages), rest after a
 * 429 until Groq's retry-after / reset, Groq's remaining request and token budget from its
 * headers, and a circuit breaker. Pure state: time is passed in, nothing here does I/O.
 */
export class KeyHealth {
  errorRate = 0;
  latencyMs = 0;
  consecutiveFailures = 0;
  restingUntil = 0;
  breakerOpenUntil = 0;
  /** While half-open, one probe is in flight and others wait. */
  probing = false;
  remainingRequests?: number;
  remainingTokens?: number;
  limitTokens?: number;
  requestsResetAt = 0;
  tokensResetAt = 0;

  constructor(private readonly breaker: CircuitBreakerPolicy) {}

  /**
   * Whether a request that may use `estimatedTokens` can go to this key now. The estimate may be
   * given as a function: it is then worked out only when the key's token budget is known and live.
   */
  isAvailable(now: number, estimatedTokens: TokenEstimate): boolean {
    if (now < this.restingUntil) return false;
    if (now < this.breakerOpenUntil) return false;
    if (this.breakerOpenUntil > 0 && this.probing) return false;
    if (
      this.remainingRequests !== undefined &&
      this.remainingRequests <= 0 &&
      now < this.requestsResetAt
    )
      return false;
    if (
      this.remainingTokens !== undefined &&
      now < this.tokensResetAt &&
      this.remainingTokens < tokensOf(estimatedTokens)
    )
      return false;
    return true;
  }

  /** When this key will next be usable (for a 429 the pool as a whole must answer). */
  availableAt(estimatedTokens: TokenEstimate): number {
    let at = Math.max(this.restingUntil, this.breakerOpenUntil);
    if (this.remainingRequests !== undefined && this.remainingRequests <= 0)
      at = Math.max(at, this.requestsResetAt);
    if (this.remainingTokens !== undefined && this.remainingTokens < tokensOf(estimatedTokens))
      at = Math.max(at, this.tokensResetAt);
    return at;
  }

  /** A share multiplier from 0.05 to 1: lower with errors, slowness and a budget running low. */
  healthFactor(fastestLatencyMs: number): number {
    const reliability = Math.max(0.05, (1 - this.errorRate) ** 2);
    const speed =
      this.latencyMs > 0 && fastestLatencyMs > 0
        ? Math.max(0.2, Math.min(1, fastestLatencyMs / this.latencyMs))
        : 1;
    const headroom =
      this.remainingTokens !== undefined && this.limitTokens
        ? Math.max(0.05, Math.min(1, this.remainingTokens / this.limitTokens / 0.2))
        : 1;
    return reliability * speed * headroom;
  }

  /** Called when a request is sent with this key: a half-open breaker lets only this one through. */
  onSend(now: number): void {
    if (this.breakerOpenUntil > 0 && now >= this.breakerOpenUntil) this.probing = true;
  }

  record(outcome: KeyOutcome, now: number): void {
    this.readRateLimitHeaders(outcome.headers, now);
    const failed = outcome.status === 0 || outcome.status === 429 || outcome.status >= 500;
    this.errorRate = this.errorRate * (1 - EWMA) + (failed ? EWMA : 0);
    if (!failed)
      this.latencyMs =
        this.latencyMs === 0
          ? outcome.latencyMs
          : this.latencyMs * (1 - EWMA) + outcome.latencyMs * EWMA;

    if (outcome.status === 429) {
      const wait =
        parseRetryAfter(header(outcome.headers, 'retry-after'), now) ??
        this.resetWait(outcome.headers) ??
        1000;
      this.restingUntil = Math.max(this.restingUntil, now + wait);
    }
    // A 429 rests the key; only transport failures and 5xx count towards opening the breaker.
    if (outcome.status === 0 || outcome.status >= 500) {
      this.consecutiveFailures++;
      if (this.probing || this.consecutiveFailures >= this.breaker.failureThreshold) {
        this.breakerOpenUntil = now + this.breaker.cooldownMs;
      }
    } else if (!failed) {
      this.consecutiveFailures = 0;
      this.breakerOpenUntil = 0;
    }
    this.probing = false;
  }

  breakerState(now: number): 'closed' | 'open' | 'half-open' {
    if (this.breakerOpenUntil === 0) return 'closed';
    return now < this.breakerOpenUntil ? 'open' : 'half-open';
  }

  private readRateLimitHeaders(headers: Headers, now: number): void {
    const remainingRequests = numberHeader(headers, 'x-ratelimit-remaining-requests');
    const remainingTokens = numberHeader(headers, 'x-ratelimit-remaining-tokens');
    const limitTokens = numberHeader(headers, 'x-ratelimit-limit-tokens');
    if (remainingRequests !== undefined) {
      this.remainingRequests = remainingRequests;
      this.requestsResetAt =
        now + (parseGoDuration(header(headers, 'x-ratelimit-reset-requests')) ?? 60_000);
    }
    if (remainingTokens !== undefined) {
      this.remainingTokens = remainingTokens;
      this.tokensResetAt =
        now + (parseGoDuration(header(headers, 'x-ratelimit-reset-tokens')) ?? 60_000);
    }
    if (limitTokens !== undefined) this.limitTokens = limitTokens;
  }

  private resetWait(headers: Headers): number | undefined {
    const tokens = parseGoDuration(header(headers, 'x-ratelimit-reset-tokens'));
    const requests = parseGoDuration(header(headers, 'x-ratelimit-reset-requests'));
    if (tokens === undefined && requests === undefined) return undefined;
    return Math.max(tokens ?? 0, requests ?? 0);
  }
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = header(headers, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** A request's token guess, or a function that works it out when it is needed. */
export type TokenEstimate = number | (() => number);

function tokensOf(estimate: TokenEstimate): number {
  return typeof estimate === 'function' ? estimate() : estimate;
}
