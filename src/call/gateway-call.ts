import type { FastifyReply } from 'fastify';
import { ApiSurface, publicModelName, surfaceOf } from '../providers/model-router';
import { performance } from 'node:perf_hooks';
import type { ErrorCode } from '../common/errors/error-codes';
import { pathOf } from '../common/http/path-of';
import type { VirtualKeyRecord } from '../config/governance-config';
import type { CallProgress } from '../providers/call-progress';
import type { ChatUsage, ModelRoute } from '../providers/chat-types';
import type { GroqChatRequest } from '../providers/groq/groq-chat-parameters';
import { completionLimitOf, estimateBodyPromptTokens } from '../providers/token-estimate';
import type { ServedBy } from '../providers/reliability/attempts';
import { apiFamilyOf } from './api-family';
import { formatUsd, usageCostUsd } from '../governance/call-cost';
import type { ModelPrice } from '../config/governance-config';
import { unreportedUsage } from './unreported-usage';
import type { RetiredPolicy } from '../providers/lifecycle/model-lifecycle';

/** What the call cost, in USD, on JSON answers. */
export const COST_HEADER = 'x-gateway-cost-usd';
import type { ApiFamily, EndedCall, GovernedCall, GuardrailOutcome } from './ended-call';
import { traceHeaders, type TraceContext } from './trace-context';

/**
 * One call through the gateway, typed, from the request's first hook to its end. The request
 * hook builds it (id, trace, clock, API family); the handler's preparation fills in what the
 * validated body says (model route, stream, the upstream body) with `prepared`; governance sets
 * the virtual key; the upstream call reports who served it and its usage; the end sets the status.
 * Every stage takes it as an argument (handlers through `@Call()`), none reads the raw request.
 *
 * Its end is the `ended` event, and the event carries this object itself (as the read-only
 * EndedCall): nothing is copied at the end of a call, and subscribers may key their own state on it.
 */
export class GatewayCall implements EndedCall, CallProgress {
  readonly startedAt = performance.now();
  /** Wall-clock start for the ended-call event. */
  readonly startedAtMs = Date.now();
  readonly path: string;
  readonly apiFamily: ApiFamily;
  /** OpenAI's surface or the groq-sdk's: the public model name follows it. */
  readonly surface: ApiSurface;
  httpRoute = 'unmatched';
  status = 0;
  errorCode?: ErrorCode;
  errorParam?: string;
  budgetRefused?: 'key' | 'team';
  durationMs = 0;
  overheadMs = 0;
  stream = false;
  modelAsked?: string;
  /** Where the model goes, routed once from the validated body. */
  route?: ModelRoute;
  /** What goes upstream, once the handler has prepared it. */
  upstream?: GroqChatRequest;
  /**
   * The validated body in the client's own wire format (a Responses or Anthropic Messages
   * request), for the interceptor that converts the chat answer back; set by the handler.
   */
  wireRequest?: unknown;
  model?: string;
  /** The model route the call came through and the target that served it (issue 23). */
  modelRoute?: { id: string; target: string };
  keyId?: string;
  virtualKeyId?: string;
  /** The virtual key the caller presented, once authenticated. */
  virtualKey?: VirtualKeyRecord;
  teamId?: string;
  governed?: GovernedCall;
  attempts = 0;
  retries = 0;
  fallbacks = 0;
  usage?: ChatUsage;
  /** `usage` is the gateway's estimate, made at the end: Groq never reported it. */
  usageEstimated?: boolean;
  costUsd?: number;
  costUsdText?: string;
  /**
   * Generated text sent to the client in stream frames (SseWriter counts): its characters, and
   * the frames that carried any. What a stream left before Groq's usage is charged from.
   */
  streamedTextChars = 0;
  streamedTextFrames = 0;
  /** What the call's guardrail policies decided, input and output (issue 16). */
  guardrails?: GuardrailOutcome[];
  guardrailUsage?: Array<{ model: string; usage: ChatUsage }>;
  clientAddress?: string;
  /** A verified client certificate's identity (mTLS, or the mesh's XFCC from a trusted proxy). */
  clientIdentity?: string;
  /** The client address came from a trusted proxy's X-Forwarded-For / Forwarded (logged then). */
  addressForwarded = false;
  /** The caller's deadline (Date.now() clock), from x-envoy-expected-rq-timeout-ms / x-request-timeout-ms. */
  deadlineAt?: number;
  readonly userAgent?: string;
  /** The caller's `x-gateway-guardrails` header as sent (the policy ids it asks for), if any. */
  readonly guardrailsHeader?: string;
  /** Set only when request logs keep bodies (LOGS_BODIES), by their hook. */
  requestBody?: unknown;
  responseBody?: unknown;
  /** When the first upstream attempt started, and when the upstream first answered (or failed). */
  upstreamStartedAt?: number;
  upstreamAnsweredAt?: number;
  /** When the first byte of a stream left for the client. */
  firstByteAt?: number;
  /**
   * Set once its end has been counted, finished or abandoned; from the start for probes and
   * scrapes, which are not counted.
   */
  ended = false;
  private promptTokens?: number;
  private upstreamTraceHeaders?: Record<string, string>;

  constructor(
    readonly requestId: string,
    readonly method: string,
    url: string,
    readonly trace: TraceContext,
    /** The reply this call answers on, for the headers the stages set as they learn things. */
    readonly reply: FastifyReply,
    userAgent: string | string[] | undefined,
    guardrailsHeader: string | string[] | undefined,
  ) {
    this.path = pathOf(url);
    this.apiFamily = apiFamilyOf(this.path);
    this.surface = surfaceOf(this.path);
    this.userAgent = typeof userAgent === 'string' ? userAgent : undefined;
    // Node joins a repeated header into one string itself; an array would be joined the same way.
    this.guardrailsHeader = Array.isArray(guardrailsHeader)
      ? guardrailsHeader.join(',')
      : guardrailsHeader;
  }

  get traceId(): string {
    return this.trace.traceId;
  }

  get firstByteMs(): number | undefined {
    return this.firstByteAt === undefined ? undefined : this.firstByteAt - this.startedAt;
  }

  get upstreamStarted(): boolean {
    return this.upstreamStartedAt !== undefined;
  }

  /** Time in the gateway itself: everything but waiting for the upstream, in milliseconds. */
  overheadUntil(now: number): number {
    const upstream =
      this.upstreamStartedAt === undefined
        ? 0
        : (this.upstreamAnsweredAt ?? now) - this.upstreamStartedAt;
    return Math.max(0, now - this.startedAt - upstream);
  }

  /** The validated request, prepared for the upstream: the model it goes to, stream or not. */
  prepared(upstream: GroqChatRequest): void {
    this.upstream = upstream;
    this.route = upstream.route;
    this.modelAsked = upstream.substitutedFrom ?? upstream.route.requestedModel;
    this.stream = upstream.stream;
  }

  estimatePromptTokens(): number {
    const body = this.upstream?.body;
    this.promptTokens ??= body ? estimateBodyPromptTokens(body) : 0;
    return this.promptTokens;
  }

  /** The upstream request's token guess (prompt and completion limit), for key selection. */
  estimateRequestTokens(): number {
    return this.estimatePromptTokens() + completionLimitOf(this.upstream?.body);
  }

  /** Sent with every upstream attempt: the trace continued from the gateway's span. */
  get upstreamHeaders(): Record<string, string> {
    this.upstreamTraceHeaders ??= traceHeaders(this.trace);
    return this.upstreamTraceHeaders;
  }

  onUpstreamStart(): void {
    this.upstreamStartedAt ??= performance.now();
  }

  onUpstreamAnswer(): void {
    this.upstreamAnsweredAt ??= performance.now();
  }

  /** Until onServed tells the final count, `attempts` counts the attempts sent. */
  onAttempt(keyId: string, upstreamModel: string): void {
    this.attempts++;
    this.keyId = keyId;
    this.model = publicModelName(upstreamModel, this.surface);
    // Through a model route: the target this attempt went to, as onServed will name it.
    if (this.modelRoute) this.modelRoute = { id: this.modelRoute.id, target: this.model };
  }

  /** Who served it: on the call, and as response headers while they can still be sent. */
  onServed(servedBy: ServedBy): void {
    this.model = servedBy.model;
    this.keyId = servedBy.keyId;
    this.attempts = servedBy.attempts;
    if (servedBy.route) this.modelRoute = { id: servedBy.route, target: servedBy.model };
    if (this.reply.raw.headersSent) return;
    if (servedBy.route) this.reply.header('x-gateway-route', servedBy.route);
    this.reply.header('x-gateway-model', servedBy.model);
    // No key when none could be sent with (every key resting): no header rather than an empty one.
    if (servedBy.keyId) this.reply.header('x-gateway-key-id', servedBy.keyId);
    this.reply.header('x-gateway-attempts', String(servedBy.attempts));
  }

  onRoute(routeId: string): void {
    this.modelRoute = { id: routeId, target: 'none' };
  }

  onRetry(): void {
    this.retries++;
  }

  onFallback(): void {
    this.fallbacks++;
  }

  onUsage(usage: ChatUsage, costUsd?: number): void {
    this.usage = usage;
    this.costUsd = costUsd;
    // Formatted once, for the header and the access log (toFixed(12) is not cheap).
    this.costUsdText = costUsd === undefined ? undefined : formatUsd(costUsd);
    // JSON answers only: a stream's headers are gone by now (its cost is in the usage chunk).
    if (this.costUsdText !== undefined && !this.reply.raw.headersSent)
      this.reply.header(COST_HEADER, this.costUsdText);
  }

  /**
   * At the end of a call Groq never reported usage for: the usage it is charged (unreported-usage.ts),
   * priced as settlement prices it, so every subscriber of `ended` (budget, tokens per minute,
   * metrics, access line, request log) counts the same.
   */
  estimateUnreportedUsage(priceOf: (model: string | undefined) => ModelPrice | undefined): void {
    const usage = unreportedUsage(this);
    if (!usage) return;
    this.usage = usage;
    this.usageEstimated = true;
    const price = priceOf(this.model) ?? priceOf(this.route?.upstreamModel);
    if (!price) return;
    this.costUsd = usageCostUsd(price, usage);
    this.costUsdText = formatUsd(this.costUsd);
  }

  get retiredPolicy(): RetiredPolicy | undefined {
    return this.virtualKey?.onRetired;
  }

  onRetiredModel(headers: Readonly<Record<string, string>>): void {
    if (this.reply.raw.headersSent) return;
    for (const [name, value] of Object.entries(headers)) this.reply.header(name, value);
  }

  /** Marks the end: the status the client saw, the route it matched, how long it took. */
  end(status: number, httpRoute: string, clientAddress: string, endedAt: number): void {
    this.ended = true;
    this.status = status;
    this.httpRoute = httpRoute;
    this.clientAddress = clientAddress;
    this.durationMs = endedAt - this.startedAt;
    this.overheadMs = this.overheadUntil(this.firstByteAt ?? endedAt);
  }
}
