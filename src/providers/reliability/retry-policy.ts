import { GatewayError } from '../../common/errors/gateway-error';

export interface RetryPolicy {
  /** Attempts per model, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A retry-after longer than this is not waited for on the same model; fallbacks go next. */
  maxRetryAfterMs: number;
}

/** Statuses worth another attempt: rate limits, upstream trouble, and our own 502/504. */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Whether a failed attempt may be tried again (never a client mistake such as 400 or 404). */
export function isRetryable(error: unknown): boolean {
  return (
    error instanceof GatewayError &&
    RETRYABLE_STATUSES.has(error.status) &&
    error.code !== 'model_not_allowed'
  );
}

/** Failures of one key, not of the upstream: another key is tried at once, without backoff. */
export function isKeyFailure(error: unknown): boolean {
  return error instanceof GatewayError && error.code === 'upstream_key_rejected';
}

/**
 * Failures after which a fallback model is worth trying: what retries could not fix, and a
 * primary model Groq no longer serves. Client mistakes stay the client's.
 */
export function warrantsFallback(error: unknown): boolean {
  if (!(error instanceof GatewayError)) return false;
  return (
    isRetryable(error) ||
    error.code === 'model_not_found' ||
    error.code === 'model_decommissioned' ||
    error.status === 498
  );
}

/**
 * Exponential backoff with full jitter, at least the upstream's retry-after. Another key may be
 * ready at once, so when one is, the caller passes `anotherKeyReady` and waits only a little.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  anotherKeyReady: boolean,
  random = Math.random,
): number {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(backoff * (0.5 + random() / 2));
  if (anotherKeyReady) return Math.min(jittered, policy.baseDelayMs);
  return Math.max(jittered, retryAfterMs ?? 0);
}
