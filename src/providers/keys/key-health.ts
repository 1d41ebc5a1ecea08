import { CircuitBreaker, type BreakerPolicy } from '../../common/resilience/circuit-breaker';
import { parseGoDuration, parseRetryAfter } from './go-duration';

export interface CircuitBreakerPolicy extends BreakerPolicy {
  /**
   * How long a key Groq refused (401/403) stays out of rotation before one probe: by default ten
   * cool-downs (5 minutes with the default BREAKER_COOLDOWN_MS), since a revoked key rarely returns.
   */
  rejectedKeyProbeMs?: number;
}

/** A refused key is probed once every this many breaker cool-downs. */
export const REJECTED_KEY_PROBE_COOLDOWNS = 10;

/** A change worth a log line and a metric. */
export interface KeyHealthChange {
  change: 'breaker-opened' | 'breaker-closed' | 'rejected' | 'restored';
  /** The model whose breaker moved (breakers are per key and model). */
  model?: string;
  status?: number;
}

/** What one upstream attempt told us about a key. */
export interface KeyOutcome {
  /** HTTP status, or 0 for a transport failure (reset, timeout). */
  status: number;
  latencyMs: number;
  headers: Record<string, string | string[] | undefined>;
  /** The upstream model the attempt asked for ('' for the model list). */
  model?: string;
}

type Headers = KeyOutcome['headers'];

const EWMA = 0.2;

/**
 * Groq's rate limits for one model on one key (Groq limits each model separately, and an answer's
 * x-ratelimit-* headers describe the limits of the model that answered): the rest after a 429
 * until its retry-after / reset, and the request and token budget as last seen.
 */
export class ModelLimits {
  restingUntil = 0;
  remainingRequests?: number;
  remainingTokens?: number;
  limitTokens?: number;
  requestsResetAt = 0;
  tokensResetAt = 0;

  isRateLimited(now: number, estimatedTokens: TokenEstimate): boolean {
    if (now < this.restingUntil) return true;
    if (
      this.remainingRequests !== undefined &&
      this.remainingRequests <= 0 &&
      now < this.requestsResetAt
    )
      return true;
    return (
      this.remainingTokens !== undefined &&
      now < this.tokensResetAt &&
      this.remainingTokens < tokensOf(estimatedTokens)
    );
  }

  /** When this model will next be usable on the key. */
  availableAt(estimatedTokens: TokenEstimate): number {
    let at = this.restingUntil;
    if (this.remainingRequests !== undefined && this.remainingRequests <= 0)
      at = Math.max(at, this.requestsResetAt);
    if (this.remainingTokens !== undefined && this.remainingTokens < tokensOf(estimatedTokens))
      at = Math.max(at, this.tokensResetAt);
    return at;
  }

  /** From 0.05 to 1: lower as Groq's token budget for the model runs low. */
  headroom(): number {
    return this.remainingTokens !== undefined && this.limitTokens
      ? Math.max(0.05, Math.min(1, this.remainingTokens / this.limitTokens / 0.2))
      : 1;
  }

  read(headers: Headers, now: number): void {
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
}

/**
 * The live health of one Groq key: recent error rate and latency (moving averages), Groq's rate
 * limits per model (a 429's rest, the remaining request and token budget from its headers), a
 * circuit breaker per model, and whether Groq refuses the key (401/403). A model Groq limits or
 * fails on does not take the key away from the other models. Pure state: time is passed in,
 * nothing here does I/O.
 */
export class KeyHealth {
  errorRate = 0;
  latencyMs = 0;
  /** Set while Groq refuses the key (401/403): out of rotation until `rejectedUntil`, then one probe. */
  rejected?: { status: number; since: number };
  rejectedUntil = 0;
  private rejectedProbing = false;
  /** One breaker per model: a model Groq fails on must not take the key out for the others. */
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** Groq's limits per model ('' for the model list): a model's 429 rests only that model. */
  private readonly limits = new Map<string, ModelLimits>();

  constructor(private readonly breaker: CircuitBreakerPolicy) {}

  /** Whether Groq rate limits `model` on this key: resting after a 429, or out of budget. */
  isRateLimited(now: number, estimatedTokens: TokenEstimate, model = ''): boolean {
    const limits = this.limits.get(model);
    return limits !== undefined && limits.isRateLimited(now, estimatedTokens);
  }

  /** Out of rotation because Groq refused it, and not yet due for a probe (or one is under way). */
  isRejected(now: number): boolean {
    if (!this.rejected) return false;
    return now < this.rejectedUntil || this.rejectedProbing;
  }

  /** A key Groq refused, due for its one probe now. */
  probeDue(now: number): boolean {
    return this.rejected !== undefined && now >= this.rejectedUntil && !this.rejectedProbing;
  }

  /** Whether a request for `model` that may use `estimatedTokens` can go to this key now. */
  isAvailable(now: number, estimatedTokens: TokenEstimate, model = ''): boolean {
    if (this.isRateLimited(now, estimatedTokens, model) || this.isRejected(now)) return false;
    const breaker = this.breakers.get(model);
    return !breaker || breaker.allows(now);
  }

  /** When this key will next be usable for `model` (for a 429 the pool as a whole must answer). */
  availableAt(estimatedTokens: TokenEstimate, model = ''): number {
    return this.limits.get(model)?.availableAt(estimatedTokens) ?? 0;
  }

  /** When the 429 rest of `model` on this key ends (0: none seen). */
  restingUntil(model = ''): number {
    return this.limits.get(model)?.restingUntil ?? 0;
  }

  /** Rests `model` on this key until `until` (another replica saw Groq's 429 for it). */
  rest(model: string, until: number): void {
    const limits = this.limitsFor(model);
    limits.restingUntil = Math.max(limits.restingUntil, until);
  }

  /**
   * Whether the key can serve some model now: not refused, and some chat model it has served is
   * neither rate limited nor behind an open breaker (or it has served none yet). For status and
   * alerts, not the hot path.
   */
  servesSomeModel(now: number): boolean {
    if (this.isRejected(now)) return false;
    let seen = false;
    for (const model of this.limits.keys()) {
      if (model === '') continue;
      if (this.isAvailable(now, 0, model)) return true;
      seen = true;
    }
    return !seen;
  }

  /** Groq's limits of each model seen on this key (for status: not on the hot path). */
  modelLimits(): ReadonlyMap<string, ModelLimits> {
    return this.limits;
  }

  /**
   * A share multiplier from 0.05 to 1: lower with errors, slowness and `model`'s budget running
   * low on this key.
   */
  healthFactor(fastestLatencyMs: number, model = ''): number {
    const reliability = Math.max(0.05, (1 - this.errorRate) ** 2);
    const speed =
      this.latencyMs > 0 && fastestLatencyMs > 0
        ? Math.max(0.2, Math.min(1, fastestLatencyMs / this.latencyMs))
        : 1;
    return reliability * speed * (this.limits.get(model)?.headroom() ?? 1);
  }

  /**
   * Called when a request is sent with this key: a half-open breaker takes it as its probe, and
   * a refused key due for its probe lets only this one through.
   */
  onSend(now: number, model = ''): void {
    this.breakers.get(model)?.tryProbe(now);
    if (this.rejected && now >= this.rejectedUntil) this.rejectedProbing = true;
  }

  /** What the answer says about the key; returns the changes worth telling. */
  record(outcome: KeyOutcome, now: number): KeyHealthChange[] {
    const changes: KeyHealthChange[] = [];
    const model = outcome.model ?? '';
    const status = outcome.status;
    // Only a model Groq served or limited gets its entry: a caller's unknown model ids do not.
    const limits =
      (status >= 200 && status < 300) || status === 429
        ? this.limitsFor(model)
        : this.limits.get(model);
    limits?.read(outcome.headers, now);
    const failed = status === 0 || status === 429 || status >= 500;
    this.errorRate = this.errorRate * (1 - EWMA) + (failed ? EWMA : 0);
    if (!failed && status !== 401 && status !== 403)
      this.latencyMs =
        this.latencyMs === 0
          ? outcome.latencyMs
          : this.latencyMs * (1 - EWMA) + outcome.latencyMs * EWMA;

    if (status === 429) {
      const wait =
        parseRetryAfter(header(outcome.headers, 'retry-after'), now) ??
        this.resetWait(outcome.headers) ??
        1000;
      this.rest(model, now + wait);
    }
    if (status === 401 || status === 403) {
      // Groq refuses the key itself: out of rotation, probed again only rarely.
      if (!this.rejected) changes.push({ change: 'rejected', status });
      this.rejected = { status, since: this.rejected?.since ?? now };
      this.rejectedUntil =
        now +
        (this.breaker.rejectedKeyProbeMs ?? this.breaker.cooldownMs * REJECTED_KEY_PROBE_COOLDOWNS);
      this.rejectedProbing = false;
      return changes;
    }
    if (this.rejected && status !== 0) {
      // Any other answer means Groq took the key again.
      this.rejected = undefined;
      this.rejectedUntil = 0;
      changes.push({ change: 'restored', status });
    }
    this.rejectedProbing = false;
    // A 429 rests the model on this key; only transport failures and 5xx count towards opening a
    // breaker, so only they make one: other answers (a caller's unknown model ids among them)
    // leave no entry behind.
    if (status === 0 || status >= 500) {
      if (this.breakerFor(model).failure(now) === 'opened')
        changes.push({ change: 'breaker-opened', model, status });
    } else if (status !== 429) {
      // A success leaves the breaker closed with no failures counted: as good as none.
      const breaker = this.breakers.get(model);
      if (breaker?.success() === 'closed')
        changes.push({ change: 'breaker-closed', model, status });
      if (breaker) this.breakers.delete(model);
    } else this.breakers.get(model)?.forget();
    return changes;
  }

  /** A call abandoned by its client says nothing: a probe it was ends undecided. */
  forget(model = ''): void {
    this.breakers.get(model)?.forget();
    this.rejectedProbing = false;
  }

  /** The worst state among this key's model breakers, and the models not closed. */
  breakerState(now: number): 'closed' | 'open' | 'half-open' {
    let worst: 'closed' | 'open' | 'half-open' = 'closed';
    for (const breaker of this.breakers.values()) {
      const state = breaker.state(now);
      if (state === 'open') return 'open';
      if (state === 'half-open') worst = 'half-open';
    }
    return worst;
  }

  /** Models whose breaker is not closed on this key. */
  trippedModels(now: number): string[] {
    const models: string[] = [];
    for (const [model, breaker] of this.breakers)
      if (breaker.state(now) !== 'closed') models.push(model);
    return models;
  }

  private breakerFor(model: string): CircuitBreaker {
    let breaker = this.breakers.get(model);
    if (!breaker) {
      breaker = new CircuitBreaker(this.breaker);
      this.breakers.set(model, breaker);
    }
    return breaker;
  }

  private limitsFor(model: string): ModelLimits {
    let limits = this.limits.get(model);
    if (!limits) {
      limits = new ModelLimits();
      this.limits.set(model, limits);
    }
    return limits;
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

/**
 * Tokens a request may use, or a function that works them out: called only when a key's token
 * budget is known and live.
 */
export type TokenEstimate = number | (() => number);

function tokensOf(estimate: TokenEstimate): number {
  return typeof estimate === 'function' ? estimate() : estimate;
}
