import { Observable, Subscription } from 'rxjs';
import { GatewayError } from '../../common/errors/gateway-error';
import { parseRetryAfter } from '../keys/go-duration';
import {
  isKeyFailure,
  isRetryable,
  retryDelayMs,
  RetryPolicy,
  warrantsFallback,
} from './retry-policy';

/** Which model and key answered, after how many attempts: for the response headers. */
export interface ServedBy {
  model: string;
  keyId: string;
  attempts: number;
  /** The model route the call came through, if any (issue 23). */
  route?: string;
}

/** One attempt: the key it uses and the upstream call (subscribing sends it). */
export interface Attempt<T> {
  keyId: string;
  result: Observable<T>;
}

export interface AttemptPlan<C, T> {
  /** The primary first, then the fallbacks, in order. */
  candidates: readonly C[];
  modelOf(candidate: C): string;
  /** Starts an attempt; may throw (e.g. every key resting), which counts as a failed attempt. */
  attempt(candidate: C, avoidKeys: ReadonlySet<string>): Attempt<T>;
  /** Whether another key could take the next attempt at once (then backoff stays short). */
  anotherKeyReady(candidate: C, avoidKeys: ReadonlySet<string>): boolean;
  policy: RetryPolicy;
  /** Attempts for one candidate, if not the policy's (a model route's target: it fails over). */
  maxAttemptsOf?(candidate: C, index: number): number;
  onServed?(servedBy: ServedBy): void;
  /** The final failure, with the key and model of the attempt whose error the client gets. */
  onFailed?(servedBy: ServedBy): void;
  onRetry?(error: unknown, servedBy: ServedBy): void;
  onFallback?(from: string, to: string): void;
  random?: () => number;
  /**
   * The primary's first attempt, already made outside (the fast path) and failed before any value
   * with this error, on this key: the plan goes on from there instead of making it again.
   */
  afterFirstFailure?: { error: unknown; keyId?: string };
  /** The caller's deadline (Date.now() clock): no retry or fallback starts that would begin past it. */
  deadlineAt?: number;
  /** Whether a failure is retried here; default isRetryable (MESH_RETRIES narrows it). */
  retryable?(error: unknown): boolean;
  now?: () => number;
}

/** The least time left for an attempt to be worth starting before a deadline. */
const MIN_ATTEMPT_MS = 50;

/**
 * Runs an upstream call with retries (another key preferred, backoff with jitter, retry-after
 * honoured) and then fallback models. Once a value has reached the subscriber, nothing is retried:
 * for a stream that is the first chunk, and the error goes to the client as it is. When every
 * candidate fails, the primary's error is the one reported.
 */
export function withRetriesAndFallbacks<C, T>(plan: AttemptPlan<C, T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let candidateIndex = 0;
    let attemptsForCandidate = 0;
    let totalAttempts = 0;
    let emitted = false;
    let primaryError: unknown;
    let primaryKeyId = '';
    let lastKeyId = '';
    let avoid = new Set<string>();
    let timer: NodeJS.Timeout | undefined;
    let current: Subscription | undefined;
    // Whether this plan has answered (a value, its end or its error). A call cut short from
    // outside before that (a deadline, the client leaving), during an attempt or a backoff, still
    // names the key, model and attempts under way (onFailed).
    let settled = false;

    const served = (keyId: string): ServedBy => ({
      model: plan.modelOf(plan.candidates[candidateIndex]),
      keyId,
      attempts: totalAttempts,
    });

    const run = (): void => {
      const candidate = plan.candidates[candidateIndex];
      attemptsForCandidate++;
      let attempt: Attempt<T>;
      try {
        attempt = plan.attempt(candidate, avoid);
      } catch (error) {
        // Nothing was sent (every key resting, say): a failed try, not an attempt at Groq.
        fail(error, undefined);
        return;
      }
      totalAttempts++;
      let announced = false;
      const announce = () => {
        if (announced) return;
        announced = true;
        plan.onServed?.(served(attempt.keyId));
      };
      lastKeyId = attempt.keyId;
      current = attempt.result.subscribe({
        next(value) {
          announce();
          emitted = true;
          subscriber.next(value);
        },
        error: (error: unknown) => fail(error, attempt.keyId),
        complete() {
          settled = true;
          announce();
          subscriber.complete();
        },
      });
    };

    const fail = (error: unknown, keyId: string | undefined): void => {
      if (emitted) {
        settled = true;
        subscriber.error(error);
        return;
      }
      if (keyId) lastKeyId = keyId;
      if (candidateIndex === 0) {
        primaryError = error;
        primaryKeyId = lastKeyId;
      }
      if (keyId) avoid.add(keyId);
      const candidate = plan.candidates[candidateIndex];
      // Groq refused the key itself: another key at once, not counted as an attempt at the model.
      if (isKeyFailure(error) && plan.anotherKeyReady(candidate, avoid)) {
        attemptsForCandidate--;
        plan.onRetry?.(error, served(keyId ?? ''));
        run();
        return;
      }
      const maxAttempts =
        plan.maxAttemptsOf?.(candidate, candidateIndex) ?? plan.policy.maxAttempts;
      const now = plan.now ?? Date.now;
      const beforeDeadline = (waitMs: number) =>
        plan.deadlineAt === undefined || now() + waitMs + MIN_ATTEMPT_MS < plan.deadlineAt;
      if ((plan.retryable ?? isRetryable)(error) && attemptsForCandidate < maxAttempts) {
        const retryAfter =
          error instanceof GatewayError ? parseRetryAfter(error.headers['retry-after']) : undefined;
        const anotherKey = plan.anotherKeyReady(candidate, avoid);
        const waitTooLong = !anotherKey && (retryAfter ?? 0) > plan.policy.maxRetryAfterMs;
        const delay = retryDelayMs(
          plan.policy,
          attemptsForCandidate,
          retryAfter,
          anotherKey,
          plan.random,
        );
        if (!waitTooLong && beforeDeadline(delay)) {
          plan.onRetry?.(error, served(keyId ?? ''));
          timer = setTimeout(run, delay);
          return;
        }
      }
      if (
        warrantsFallback(error) &&
        candidateIndex + 1 < plan.candidates.length &&
        beforeDeadline(0)
      ) {
        const from = plan.modelOf(candidate);
        candidateIndex++;
        attemptsForCandidate = 0;
        avoid = new Set();
        plan.onFallback?.(from, plan.modelOf(plan.candidates[candidateIndex]));
        run();
        return;
      }
      const primary = candidateIndex > 0;
      plan.onFailed?.({
        model: plan.modelOf(plan.candidates[primary ? 0 : candidateIndex]),
        keyId: primary ? primaryKeyId : lastKeyId,
        attempts: totalAttempts,
      });
      settled = true;
      subscriber.error(primary ? primaryError : error);
    };

    const first = plan.afterFirstFailure;
    if (first) {
      attemptsForCandidate = 1;
      // A first try that found no key to send with was no attempt at Groq.
      totalAttempts = first.keyId === undefined ? 0 : 1;
      fail(first.error, first.keyId);
    } else run();
    return () => {
      if (timer) clearTimeout(timer);
      if (!settled && !emitted && totalAttempts > 0) plan.onFailed?.(served(lastKeyId));
      current?.unsubscribe();
    };
  });
}
