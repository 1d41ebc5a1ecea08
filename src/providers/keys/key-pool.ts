import { GatewayError } from '../../common/errors/gateway-error';
import type { GroqKeyConfig } from '../../config/gateway-config';
import { SmoothWeighted } from '../balancing/smooth-weighted';
import { CircuitBreakerPolicy, KeyHealth, KeyOutcome, type TokenEstimate } from './key-health';

/** No keys to avoid: a first attempt. */
export const NO_KEYS: ReadonlySet<string> = new Set();

export interface KeyStatus {
  id: string;
  weight: number;
  available: boolean;
  breaker: 'closed' | 'open' | 'half-open';
  errorRate: number;
  latencyMs: number;
  remainingRequests?: number;
  remainingTokens?: number;
}

/**
 * Chooses the Groq key for each attempt: smooth weighted round-robin (nginx's algorithm) over the
 * keys that may serve the model and are available now, each weighted by its configured weight
 * times its live health (errors, latency, Groq's remaining budget). Keys resting after a 429,
 * with an open breaker, or without budget for the request are skipped before Groq says no.
 */
export class KeyPool {
  private readonly rotation = new SmoothWeighted<string>();
  private readonly health = new Map<string, KeyHealth>();

  constructor(
    private readonly keys: readonly GroqKeyConfig[],
    breaker: CircuitBreakerPolicy = { failureThreshold: 5, cooldownMs: 30_000 },
    private readonly now: () => number = Date.now,
  ) {
    for (const key of keys) this.health.set(key.id, new KeyHealth(breaker));
  }

  /**
   * A key for `model`, preferring keys not in `avoid` (those already tried for this request).
   * 403 when no key may serve the model; 429 with retry-after when every one is resting.
   */
  pick(
    model: string,
    estimatedTokens: TokenEstimate = 0,
    avoid: ReadonlySet<string> = NO_KEYS,
  ): GroqKeyConfig {
    const allowed = this.keys.filter(
      (key) => key.models.length === 0 || key.models.includes(model),
    );
    if (allowed.length === 0) {
      throw new GatewayError({
        status: 403,
        message: `No configured Groq key may serve model '${model}'. Add it to a key's models list in GATEWAY_CONFIG.`,
        code: 'model_not_allowed',
        param: 'model',
      });
    }
    const now = this.now();
    const available = allowed.filter((key) =>
      this.healthOf(key.id).isAvailable(now, estimatedTokens),
    );
    if (available.length === 0) throw this.poolExhausted(allowed, estimatedTokens, now);
    const fresh = available.filter((key) => !avoid.has(key.id));
    const key = this.smoothWeighted(fresh.length > 0 ? fresh : available);
    this.healthOf(key.id).onSend(now);
    return key;
  }

  /** Whether a key other than those in `avoid` could take a request for `model` now. */
  hasAvailable(model: string, estimatedTokens: TokenEstimate, avoid: ReadonlySet<string>): boolean {
    const now = this.now();
    return this.keys.some(
      (key) =>
        !avoid.has(key.id) &&
        (key.models.length === 0 || key.models.includes(model)) &&
        this.healthOf(key.id).isAvailable(now, estimatedTokens),
    );
  }

  /** Told when a 429 rests a key, with how long: other replicas can rest it too. */
  onRest?: (keyId: string, restMs: number) => void;

  report(keyId: string, outcome: KeyOutcome): void {
    const health = this.health.get(keyId);
    if (!health) return;
    const now = this.now();
    const before = health.restingUntil;
    health.record(outcome, now);
    if (outcome.status === 429 && health.restingUntil > before)
      this.onRest?.(keyId, health.restingUntil - now);
  }

  /** Rests a key for `restMs` because another replica saw Groq's 429 for it. */
  rest(keyId: string, restMs: number): void {
    const health = this.health.get(keyId);
    if (health) health.restingUntil = Math.max(health.restingUntil, this.now() + restMs);
  }

  status(): KeyStatus[] {
    const now = this.now();
    return this.keys.map((key) => {
      const health = this.healthOf(key.id);
      return {
        id: key.id,
        weight: key.weight,
        available: health.isAvailable(now, 0),
        breaker: health.breakerState(now),
        errorRate: health.errorRate,
        latencyMs: health.latencyMs,
        remainingRequests: health.remainingRequests,
        remainingTokens: health.remainingTokens,
      };
    });
  }

  /**
   * True unless every key's breaker is open (readiness). A key resting after a 429 still counts:
   * replicas share keys, and taking them all out of service for a rate limit helps nobody.
   */
  anyUsable(): boolean {
    const now = this.now();
    return this.keys.some((key) => this.healthOf(key.id).breakerState(now) !== 'open');
  }

  get size(): number {
    return this.keys.length;
  }

  private smoothWeighted(candidates: readonly GroqKeyConfig[]): GroqKeyConfig {
    const fastest = Math.min(
      ...candidates.map((key) => this.healthOf(key.id).latencyMs || Infinity),
    );
    const fastestMs = Number.isFinite(fastest) ? fastest : 0;
    return this.rotation.pick(
      candidates,
      (key) => key.id,
      (key) => key.weight * this.healthOf(key.id).healthFactor(fastestMs),
    );
  }

  private poolExhausted(
    keys: readonly GroqKeyConfig[],
    estimatedTokens: TokenEstimate,
    now: number,
  ): GatewayError {
    const next = Math.min(...keys.map((key) => this.healthOf(key.id).availableAt(estimatedTokens)));
    const seconds = Math.max(1, Math.ceil((next - now) / 1000));
    return new GatewayError({
      status: 429,
      message: `Every Groq key that may serve this model is rate limited or cooling down. Retry after ${seconds}s.`,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      headers: { 'retry-after': String(seconds) },
    });
  }

  private healthOf(id: string): KeyHealth {
    return this.health.get(id) as KeyHealth;
  }
}
