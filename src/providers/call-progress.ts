import type { ChatUsage } from './chat-types';
import type { RetiredPolicy } from './lifecycle/model-lifecycle';
import type { GroqChatRequest } from './groq/groq-chat-parameters';
import type { ServedBy } from './reliability/attempts';
import type { ApiSurface } from './model-router';

/**
 * What the upstream path needs of the call it serves, and tells it as it goes: the GatewayCall
 * implements it (the provider layer knows no more of the call than this).
 */
export interface CallProgress {
  /** Takes the prepared request: the model route, stream or not, the upstream body. */
  prepared(upstream: GroqChatRequest): void;
  /** The request's token guess (prompt and completion limit), for key selection. */
  estimateRequestTokens(): number;
  /** The surface the request came in on: decides the public model name (publicModelName). */
  readonly surface?: ApiSurface;
  /** Sent with every upstream attempt (the trace context). */
  readonly upstreamHeaders: Record<string, string>;
  onUpstreamStart(): void;
  /** The upstream's first value, or its final failure. */
  onUpstreamAnswer(): void;
  /**
   * An attempt is going to this key and upstream model: a call that ends before its answer (the
   * client leaving closes it at once, before the attempt's cancel settles) still names them.
   */
  onAttempt?(keyId: string, upstreamModel: string): void;
  onServed(servedBy: ServedBy): void;
  /** The caller's deadline (Date.now() clock), from its request headers (issue 22). */
  readonly deadlineAt?: number;
  /** The call goes through this model route (issue 23), before any attempt. */
  onRoute?(routeId: string): void;
  onRetry(): void;
  onFallback(): void;
  /** Usage as reported, and what it cost in USD when every model it used is priced. */
  onUsage(usage: ChatUsage, costUsd?: number): void;
  /** The caller's policy for retired models (its virtual key's), if it sets one. */
  readonly retiredPolicy?: RetiredPolicy;
  /** The model asked for is retired: Deprecation, Sunset and successor headers for the answer. */
  onRetiredModel?(headers: Readonly<Record<string, string>>): void;
}
