import { GatewayError } from '../../common/errors/gateway-error';
import type { GroqKeyConfig } from '../../config/gateway-config';
import { SmoothWeighted } from '../balancing/smooth-weighted';
import {
  CircuitBreakerPolicy,
  KeyHealth,
  KeyHealthChange,
  KeyOutcome,
  type ModelLimits,
  type TokenEstimate,
} from './key-health';

/** No keys to avoid: a first attempt. */
export const NO_KEYS: ReadonlySet<string> = new Set();

/** Key ids a replaceKeys call added, gave a new key, or took out. */
export interface KeyChanges {
  added: string[];
  replaced: string[];
  removed: string[];
}

export interface KeyStatus {
  id: string;
  weight: number;
  /**
   * Whether the key can take a call now for some model: not refused by Groq, and not every model
   * it has served rate limited or behind an open breaker.
   */
  available: boolean;
  breaker: 'closed' | 'open' | 'half-open';
  /** Models whose breaker on this key is open or half-open. */
  trippedModels: string[];
  /** Set while Groq refuses the key (401/403): the status, and since when (ISO time). */
  rejected?: { status: number; since: string };
  errorRate: number;
  latencyMs: number;
  /** Set while some model rests on this key after a 429: the latest end (ISO); see `models`. */
  restingUntil?: string;
  /** Groq's rate limits per model on this key (each model has its own), as last seen. */
  models: ModelLimitStatus[];
}

/** Groq's rate limits for one model on one key ('' is the model list). */
export interface ModelLimitStatus {
  model: string;
  /** Whether Groq rate limits the model on this key now (a 429's rest, or no requests left). */
  rateLimited: boolean;
  /** Set while the model rests on this key after a 429 (ISO time it may serve again). */
  restingUntil?: string;
  remainingRequests?: number;
  remainingTokens?: number;
  /** Groq's token limit per window for the model, as its headers last said. */
  limitTokens?: number;
  /** When Groq's request and token windows reset, as its headers last said (ISO). */
  requestsResetAt?: string;
  tokensResetAt?: string;
}

/**
 * Chooses the Groq key for each attempt: smooth weighted round-robin (nginx's algorithm) over the
 * keys that may serve the model and are available now, each weighted by its configured weight
 * times its live health (errors, latency, Groq's remaining budget for the model). Keys on which
 * the model rests after a 429 (Groq limits each model on its own), with an open breaker for the
 * model, refused by Groq (401/403), or without the model's budget for the request are skipped
 * before Groq says no.
 */
export class KeyPool {
  private readonly rotation = new SmoothWeighted<string>();
  private readonly health = new Map<string, KeyHealth>();
  private keys: readonly GroqKeyConfig[];

  constructor(
    keys: readonly GroqKeyConfig[],
    private readonly breaker: CircuitBreakerPolicy = { failureThreshold: 5, cooldownMs: 30_000 },
    private readonly now: () => number = Date.now,
  ) {
    this.keys = [...keys];
    for (const key of keys) this.health.set(key.id, new KeyHealth(breaker));
  }

  /**
   * Takes a new set of keys (secrets rotated in a secret manager). A key whose id and value stay
   * keeps its health, a new value starts afresh; calls in flight keep the key they were given, so a replaced or removed key serves
   * its in-flight calls to the end and no new one.
   */
  replaceKeys(next: readonly GroqKeyConfig[]): KeyChanges {
    const before = new Map(this.keys.map((key) => [key.id, key]));
    const changes: KeyChanges = { added: [], replaced: [], removed: [] };
    for (const key of next) {
      const old = before.get(key.id);
      if (!old) changes.added.push(key.id);
      else if (old.key !== key.key) changes.replaced.push(key.id);
      // A new value is a new key: what Groq said of the old one (a 401, a rest) is not its own.
      if (!old || old.key !== key.key) this.health.set(key.id, new KeyHealth(this.breaker));
    }
    const ids = new Set(next.map((key) => key.id));
    for (const id of before.keys()) {
      if (ids.has(id)) continue;
      changes.removed.push(id);
      this.health.delete(id);
    }
    this.keys = [...next];
    return changes;
  }

  /**
   * A key for `model`, preferring keys not in `avoid` (those already tried for this request).
   * 403 when no key may serve the model. When no key is available only because breakers are
   * open (or Groq refused them), the request goes anyway, as Envoy's panic threshold does: a
   * replica cannot fix Groq, and refusing everything turns a blip into an outage. Only when
   * Groq rate limits the model on every key does the caller get a 429, with the first key's reset
   * for that model.
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
    let candidates = allowed.filter((key) =>
      this.healthOf(key.id).isAvailable(now, estimatedTokens, model),
    );
    if (candidates.length === 0) {
      const unlimited = allowed.filter(
        (key) => !this.healthOf(key.id).isRateLimited(now, estimatedTokens, model),
      );
      if (unlimited.length === 0) throw this.poolExhausted(allowed, model, estimatedTokens, now);
      const notRefused = unlimited.filter((key) => !this.healthOf(key.id).isRejected(now));
      candidates = notRefused.length > 0 ? notRefused : unlimited;
      this.onPanic?.(model);
    }
    const fresh = candidates.filter((key) => !avoid.has(key.id));
    // A refused key due for its rare probe gets the next request, not a weighted chance at it.
    const key =
      fresh.find((candidate) => this.healthOf(candidate.id).probeDue(now)) ??
      this.smoothWeighted(fresh.length > 0 ? fresh : candidates, model);
    this.healthOf(key.id).onSend(now, model);
    return key;
  }

  /** Whether a key other than those in `avoid` could take a request for `model` now. */
  hasAvailable(model: string, estimatedTokens: TokenEstimate, avoid: ReadonlySet<string>): boolean {
    const now = this.now();
    return this.keys.some(
      (key) =>
        !avoid.has(key.id) &&
        (key.models.length === 0 || key.models.includes(model)) &&
        this.healthOf(key.id).isAvailable(now, estimatedTokens, model),
    );
  }

  /** Told when every key for a model is out (breakers, refusals) and a request goes anyway. */
  onPanic?: (model: string) => void;

  /** Told when a breaker opens or closes, or Groq refuses or takes back a key. */
  onHealthChange?: (keyId: string, change: KeyHealthChange) => void;

  /** Told when a 429 rests a model on a key, with how long: other replicas can rest it too. */
  onRest?: (keyId: string, model: string, restMs: number) => void;

  private outcomeListeners: Array<(keyId: string, status: number) => void> = [];

  /** Tells `listener` each attempt's status (0: transport failure); returns the unsubscribe. */
  onOutcome(listener: (keyId: string, status: number) => void): () => void {
    this.outcomeListeners = [...this.outcomeListeners, listener];
    return () => {
      this.outcomeListeners = this.outcomeListeners.filter((l) => l !== listener);
    };
  }

  report(keyId: string, outcome: KeyOutcome): void {
    for (const listener of this.outcomeListeners) listener(keyId, outcome.status);
    const health = this.health.get(keyId);
    if (!health) return;
    const now = this.now();
    const model = outcome.model ?? '';
    const before = health.restingUntil(model);
    for (const change of health.record(outcome, now)) this.onHealthChange?.(keyId, change);
    const after = health.restingUntil(model);
    if (outcome.status === 429 && after > before) this.onRest?.(keyId, model, after - now);
  }

  /** A call its client abandoned: it decides nothing about the key (a probe it was ends). */
  forget(keyId: string, model = ''): void {
    this.health.get(keyId)?.forget(model);
  }

  /** Rests `model` on a key for `restMs` because another replica saw Groq's 429 for it. */
  rest(keyId: string, model: string, restMs: number): void {
    this.health.get(keyId)?.rest(model, this.now() + restMs);
  }

  status(): KeyStatus[] {
    const now = this.now();
    return this.keys.map((key) => {
      const health = this.healthOf(key.id);
      const models: ModelLimitStatus[] = [];
      let restingUntil = 0;
      for (const [model, limits] of health.modelLimits()) {
        models.push(modelLimitStatus(model, limits, now));
        restingUntil = Math.max(restingUntil, limits.restingUntil);
      }
      return {
        id: key.id,
        weight: key.weight,
        // A key a model rests on still serves the other models.
        available: health.servesSomeModel(now),
        breaker: health.breakerState(now),
        trippedModels: health.trippedModels(now),
        rejected: health.rejected
          ? { status: health.rejected.status, since: new Date(health.rejected.since).toISOString() }
          : undefined,
        errorRate: health.errorRate,
        latencyMs: health.latencyMs,
        restingUntil: isoAfter(restingUntil, now),
        models,
      };
    });
  }

  get size(): number {
    return this.keys.length;
  }

  private smoothWeighted(candidates: readonly GroqKeyConfig[], model: string): GroqKeyConfig {
    // One candidate is the pick, and the rotation's state would end as it was: nothing to weigh.
    if (candidates.length === 1) return candidates[0];
    const fastest = Math.min(
      ...candidates.map((key) => this.healthOf(key.id).latencyMs || Infinity),
    );
    const fastestMs = Number.isFinite(fastest) ? fastest : 0;
    return this.rotation.pick(
      candidates,
      (key) => key.id,
      (key) => key.weight * this.healthOf(key.id).healthFactor(fastestMs, model),
    );
  }

  private poolExhausted(
    keys: readonly GroqKeyConfig[],
    model: string,
    estimatedTokens: TokenEstimate,
    now: number,
  ): GatewayError {
    const next = Math.min(
      ...keys.map((key) => this.healthOf(key.id).availableAt(estimatedTokens, model)),
    );
    const seconds = Math.max(1, Math.ceil((next - now) / 1000));
    const named = model ? `model '${model}'` : 'the model list';
    return new GatewayError({
      status: 429,
      message: `Every Groq key that may serve ${named} is rate limited by Groq for it. Retry after ${seconds}s.`,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      headers: { 'retry-after': String(seconds) },
    });
  }

  private healthOf(id: string): KeyHealth {
    let health = this.health.get(id);
    // A key removed while a call of its was in flight: that call still reports to something.
    if (!health) this.health.set(id, (health = new KeyHealth(this.breaker)));
    return health;
  }
}

function modelLimitStatus(model: string, limits: ModelLimits, now: number): ModelLimitStatus {
  return {
    model,
    rateLimited: limits.isRateLimited(now, 0),
    restingUntil: isoAfter(limits.restingUntil, now),
    remainingRequests: limits.remainingRequests,
    remainingTokens: limits.remainingTokens,
    limitTokens: limits.limitTokens,
    requestsResetAt: isoAfter(limits.requestsResetAt, now),
    tokensResetAt: isoAfter(limits.tokensResetAt, now),
  };
}

/** A time still to come as ISO text; undefined once past (or never set). */
function isoAfter(atMs: number, nowMs: number): string | undefined {
  return atMs > nowMs ? new Date(atMs).toISOString() : undefined;
}
