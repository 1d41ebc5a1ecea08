import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EmptyError, Observable, type Subscription } from 'rxjs';
import { GatewayError } from '../common/errors/gateway-error';
import { toGatewayError } from '../common/errors/internal-error';
import type { AllConfig, GatewayConfig, GroqKeyConfig } from '../config/gateway-config';
import type { ModelPrice } from '../config/governance-config';
import { callCostUsd, costSourceOf, reportedUsage } from '../governance/call-cost';
import { effectivePrices } from '../governance/default-prices';
import {
  inClientStyle,
  retiredModelRefusal,
  withSuccessorNamed,
} from './lifecycle/model-lifecycle';
import { ModelLifecycleService } from './lifecycle/model-lifecycle.service';
import type { CallProgress } from './call-progress';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ModelRoute,
  NativeResponsesValue,
} from './chat-types';
import { toNativeResponsesRequest, type ResponsesPassThrough } from './groq/groq-native-responses';
import { toGroqChatRequest, type GroqChatRequest } from './groq/groq-chat-parameters';
import { GroqService } from './groq/groq.service';
import { ForwardedChunk } from './upstream/forwarded-chunk';
import type { UpstreamCancel } from './upstream/upstream-cancel';
import { publicModelName, routeModel } from './model-router';
import { toSurfaceShape } from './openai-answer-shape';
import { withRetriesAndFallbacks } from './reliability/attempts';
import { withStreamCost } from './stream-cost';
import { isRetryable } from './reliability/retry-policy';
import { deadlineExceeded } from '../network/deadline';
import type { RouteTargetConfig } from '../config/model-routes-config';

/** One upstream call with a given key: subscribing sends it. */
type UpstreamCall<T> = (
  candidate: GroqChatRequest,
  key: GroqKeyConfig,
  headers: Record<string, string>,
) => Observable<T>;

/**
 * The gateway's one upstream path. Chat, Responses, text completions and the Anthropic drop-in
 * all become a chat request and come through here with their call (a GatewayCall, seen as its
 * CallProgress).
 *
 * The common case is one attempt: a key is picked and the call made, nothing else is built. Only
 * when that attempt fails before any value are the retries (another key, backoff) and fallback
 * models planned, going on from the failure.
 */
@Injectable()
export class ChatCompletionsService {
  private readonly config: GatewayConfig;
  private readonly prices: Readonly<Record<string, ModelPrice>>;

  constructor(
    private readonly groq: GroqService,
    config: ConfigService<AllConfig, true>,
    private readonly lifecycle: ModelLifecycleService,
  ) {
    this.config = config.get('gateway', { infer: true });
    this.prices = effectivePrices(this.config.governance.prices);
  }

  /**
   * Routes the model (once: the call keeps the route) and applies the provider's parameter rules;
   * throws 400s before any I/O.
   */
  prepare(request: ChatRequest, call: CallProgress): GroqChatRequest {
    return this.prepareFor(request.model, call, (route) => toGroqChatRequest(request, route));
  }

  /**
   * A Responses request for Groq's own `/openai/v1/responses` (responses.mode: native): routed,
   * retired models and model routes handled as for chat, the body passed on as the client wrote
   * it but for the model id.
   */
  prepareNativeResponses(request: ResponsesPassThrough, call: CallProgress): GroqChatRequest {
    return this.prepareFor(request.model, call, (route) =>
      toNativeResponsesRequest(request, route),
    );
  }

  /** Native Responses, JSON or streamed events, with the same keys, retries and fallbacks as chat. */
  sendNativeResponses(
    prepared: GroqChatRequest,
    call: CallProgress,
  ): Observable<NativeResponsesValue> {
    return this.withReliability(prepared, call, (candidate, key, headers) =>
      prepared.stream
        ? this.groq.responsesStream(candidate, key, headers)
        : this.groq.responses(candidate, key, headers),
    );
  }

  private prepareFor(
    model: string,
    call: CallProgress,
    build: (route: ModelRoute) => GroqChatRequest,
  ): GroqChatRequest {
    let route = routeModel(model, this.config.modelAliases);
    // A retired model, by the caller's policy (its virtual key's, else models.onRetired).
    const asked = route.requestedModel;
    const decision = this.lifecycle.decide(route.upstreamModel, call.retiredPolicy);
    if (decision) {
      this.lifecycle.noteCall(decision, asked);
      if (decision.action === 'refuse') throw retiredModelRefusal(decision, asked);
      // The successor serves it, and is named as the model that did (x-gateway-model, metrics).
      if (decision.action === 'substitute' && decision.successor)
        route = {
          ...route,
          upstreamModel: decision.successor,
          requestedModel: inClientStyle(decision.successor, asked),
        };
      call.onRetiredModel?.(this.lifecycle.headersFor(decision, asked));
    }
    const prepared = build(route);
    if (decision?.action === 'substitute') prepared.substitutedFrom = asked;
    // Fallback names are refused before any I/O too; they are routed for use only on a failure.
    for (const fallback of prepared.fallbacks)
      routeModel(fallback, this.config.modelAliases, 'fallbacks');
    call.prepared(prepared);
    const modelRoute = this.groq.routes.find(prepared.route.upstreamModel);
    if (modelRoute) {
      // A model route: this call's first target is what goes upstream; the others wait in order.
      const targets = this.groq.routes.plan(modelRoute);
      prepared.modelRoute = { config: modelRoute, targets };
      call.onRoute?.(modelRoute.id);
      retarget(prepared, targets[0]);
    }
    return prepared;
  }

  /** JSON or a stream, as the request asked. */
  send(
    prepared: GroqChatRequest,
    call: CallProgress,
  ): Observable<ChatCompletion | ChatCompletionChunk> {
    return prepared.stream ? this.stream(prepared, call) : this.complete(prepared, call);
  }

  /**
   * As `send`, for a caller that frames the chunks as they came and reads nothing of them (chat's
   * own route, no output guardrail): a streamed chunk without usage is forwarded as its text,
   * unparsed (ForwardedChunk), its model renamed in the text.
   */
  sendForwarding(
    prepared: GroqChatRequest,
    call: CallProgress,
  ): Observable<ChatCompletion | ChatCompletionChunk | ForwardedChunk> {
    return prepared.stream ? this.stream(prepared, call, true) : this.complete(prepared, call);
  }

  complete(prepared: GroqChatRequest, call: CallProgress): Observable<ChatCompletion> {
    prepared.stream = false;
    prepared.body.stream = false;
    return this.withReliability(prepared, call, (candidate, key, headers) =>
      this.groq.chatCompletion(candidate, key, headers),
    );
  }

  /** A streamed call; with `forward`, chunks without usage pass as their text (sendForwarding). */
  stream(prepared: GroqChatRequest, call: CallProgress): Observable<ChatCompletionChunk>;
  stream(
    prepared: GroqChatRequest,
    call: CallProgress,
    forward: boolean,
  ): Observable<ChatCompletionChunk | ForwardedChunk>;
  stream(
    prepared: GroqChatRequest,
    call: CallProgress,
    forward = false,
  ): Observable<ChatCompletionChunk | ForwardedChunk> {
    prepared.stream = true;
    prepared.body.stream = true;
    return this.withReliability(prepared, call, (candidate, key, headers) =>
      this.groq.chatCompletionStream(candidate, key, headers, forward),
    );
  }

  private withReliability<T>(
    prepared: GroqChatRequest,
    call: CallProgress,
    send: UpstreamCall<T>,
  ): Observable<T> {
    return withDeadline(
      call.deadlineAt,
      new Observable<T>((subscriber) => {
        call.onUpstreamStart();
        const tokens = () => call.estimateRequestTokens();
        const headers = call.upstreamHeaders;
        const read = this.answerReader<T>(prepared, call);
        let answered = false;
        const next = (value: T) => {
          if (!answered) {
            answered = true;
            call.onUpstreamAnswer();
          }
          // Inside a subscriber's own next: a throw here would escape every error callback.
          let answer: T;
          try {
            answer = read(value);
          } catch (error) {
            subscriber.error(toGatewayError(error));
            return;
          }
          subscriber.next(answer);
        };
        const fail = (error: unknown) => {
          call.onUpstreamAnswer();
          subscriber.error(this.namingSuccessor(error, prepared));
        };

        const complete = () => subscriber.complete();

        // The first attempt, made directly.
        let keyId: string | undefined;
        let attempt: Observable<T>;
        try {
          const key = this.groq.keys.pick(prepared.route.upstreamModel, tokens);
          keyId = key.id;
          attempt = send(prepared, key, headers);
          call.onAttempt?.(key.id, prepared.route.upstreamModel);
        } catch (error) {
          return this.retrying(prepared, call, send, { error }).subscribe({
            next,
            error: fail,
            complete,
          });
        }
        let announced = false;
        const announce = () => {
          if (announced) return;
          announced = true;
          servedByFirstAttempt(prepared, call, keyId as string);
        };
        let retries: Subscription | undefined;
        let firstEnded = false;
        const first = attempt.subscribe({
          next(value) {
            announce();
            next(value);
          },
          error: (error: unknown) => {
            firstEnded = true;
            // A failure after a value reached the client is the client's; before, retries begin.
            if (answered) fail(error);
            else
              retries = this.retrying(prepared, call, send, { error, keyId }).subscribe({
                next,
                error: fail,
                complete,
              });
          },
          complete() {
            firstEnded = true;
            announce();
            complete();
          },
        });
        return () => {
          // Cut short from outside (a deadline, the client leaving) while the first attempt was
          // under way: the call still names the key and model it went to.
          if (!firstEnded) announce();
          first.unsubscribe();
          retries?.unsubscribe();
        };
      }),
    );
  }

  /**
   * A JSON chat call as a Promise: the common case, one attempt, made without the Observables
   * `complete` builds (their subscribers were a measurable part of a call's CPU). A failure before
   * the answer goes on to the same retries and fallbacks. `cancel` is the client leaving: nothing
   * is recorded on the call after it. Calls with a deadline take `complete`.
   */
  async completeOnce(
    prepared: GroqChatRequest,
    call: CallProgress,
    cancel: UpstreamCancel,
  ): Promise<ChatCompletion> {
    prepared.stream = false;
    prepared.body.stream = false;
    call.onUpstreamStart();
    const read = this.answerReader<ChatCompletion>(prepared, call);
    let key: GroqKeyConfig;
    try {
      key = this.groq.keys.pick(prepared.route.upstreamModel, () => call.estimateRequestTokens());
    } catch (error) {
      return this.completeRetried(prepared, call, read, { error }, cancel);
    }
    call.onAttempt?.(key.id, prepared.route.upstreamModel);
    let answer: ChatCompletion;
    try {
      answer = await this.groq.chatCompletionOnce(prepared, key, call.upstreamHeaders, cancel);
    } catch (error) {
      if (cancel.aborted) {
        // The client left during the attempt: its record still names the key and model.
        servedByFirstAttempt(prepared, call, key.id);
        throw error;
      }
      return this.completeRetried(prepared, call, read, { error, keyId: key.id }, cancel);
    }
    servedByFirstAttempt(prepared, call, key.id);
    if (cancel.aborted) throw new EmptyError();
    call.onUpstreamAnswer();
    return read(answer);
  }

  /** completeOnce's retries and fallbacks, once its first attempt failed before an answer. */
  private completeRetried(
    prepared: GroqChatRequest,
    call: CallProgress,
    read: (value: ChatCompletion) => ChatCompletion,
    firstFailure: { error: unknown; keyId?: string },
    cancel: UpstreamCancel,
  ): Promise<ChatCompletion> {
    return new Promise((resolve, reject) => {
      let answer: ChatCompletion | undefined;
      const subscription = this.retrying<ChatCompletion>(
        prepared,
        call,
        (candidate, key, headers) => this.groq.chatCompletion(candidate, key, headers),
        firstFailure,
      ).subscribe({
        next(value) {
          if (!answer) call.onUpstreamAnswer();
          try {
            answer = read(value);
          } catch (error) {
            reject(toGatewayError(error));
          }
        },
        error: (error: unknown) => {
          call.onUpstreamAnswer();
          reject(this.namingSuccessor(error, prepared));
        },
        complete: () => (answer ? resolve(answer) : reject(new EmptyError())),
      });
      cancel.once('abort', () => {
        subscription.unsubscribe();
        reject(new EmptyError());
      });
    });
  }

  /**
   * Reads each upstream value for its call (the model that served it, usage and cost) and gives
   * it the client surface's shape: the public model name, OpenAI's schema, a stream's cost.
   */
  private answerReader<T>(prepared: GroqChatRequest, call: CallProgress): (value: T) => T {
    const surface = call.surface ?? 'openai';
    let servedModel = prepared.route.upstreamModel;
    // A stream reports usage more than once (finish chunk, usage chunk); only some carry
    // Compound's breakdown, so a cost once known is kept.
    let knownCost: number | undefined;
    return (value) => {
      if (value instanceof ForwardedChunk) {
        // No usage in it (ForwardedChunk.of): only the model is read, and renamed in the text.
        servedModel = value.model;
        value.renameModel(publicModelName(value.model, surface));
        return value;
      }
      // The model that answered (a fallback's, a route target's) names itself in the answer.
      const model = (value as { model?: unknown }).model;
      if (typeof model === 'string' && model) servedModel = model;
      const usage = reportedUsage(value);
      // The public model name, and OpenAI's schema on the OpenAI surface.
      toSurfaceShape(value as object, surface);
      if (!usage) return value;
      const costUsd = callCostUsd(this.prices, servedModel, costSourceOf(value)) ?? knownCost;
      knownCost = costUsd;
      call.onUsage(usage, costUsd);
      return prepared.stream ? withStreamCost(value, costUsd) : value;
    };
  }

  /** Groq's `model_decommissioned` for the model asked: learnt, and the successor named. */
  private namingSuccessor(error: unknown, prepared: GroqChatRequest): unknown {
    if (!(error instanceof GatewayError) || error.code !== 'model_decommissioned') return error;
    const decision = this.lifecycle.learn(prepared.route.upstreamModel);
    return withSuccessorNamed(error, decision, prepared.route.requestedModel);
  }

  /** Retries and fallbacks, planned once the first attempt has failed before any value. */
  private retrying<T>(
    prepared: GroqChatRequest,
    call: CallProgress,
    send: UpstreamCall<T>,
    firstFailure: { error: unknown; keyId?: string },
  ): Observable<T> {
    const tokens = () => call.estimateRequestTokens();
    const headers = call.upstreamHeaders;
    const { modelRoute } = prepared;
    const targets = modelRoute
      ? [
          prepared,
          ...modelRoute.targets
            .slice(1)
            .map((t) => retarget({ ...prepared, body: { ...prepared.body } }, t)),
        ]
      : [prepared];
    const lastTarget = targets.length - 1;
    return withRetriesAndFallbacks<GroqChatRequest, T>({
      candidates: [...targets, ...this.fallbacksFor(prepared)],
      // A route's target gets one attempt and fails over to the next; its last target retries.
      maxAttemptsOf: modelRoute
        ? (_candidate, index) => (index < lastTarget ? 1 : this.config.retries.maxAttempts)
        : undefined,
      modelOf: (candidate) =>
        publicModelName(candidate.route.upstreamModel, call.surface ?? 'openai'),
      attempt: (candidate, avoid) => {
        const key = this.groq.keys.pick(candidate.route.upstreamModel, tokens, avoid);
        const result = send(candidate, key, headers);
        call.onAttempt?.(key.id, candidate.route.upstreamModel);
        return { keyId: key.id, result };
      },
      anotherKeyReady: (candidate, avoid) =>
        this.groq.keys.hasAvailable(candidate.route.upstreamModel, tokens, avoid),
      policy: this.config.retries,
      onServed: (servedBy) =>
        call.onServed(modelRoute ? { ...servedBy, route: modelRoute.config.id } : servedBy),
      // The access line and headers of a failed call still name the key and model that failed.
      onFailed: (servedBy) =>
        call.onServed(modelRoute ? { ...servedBy, route: modelRoute.config.id } : servedBy),
      onRetry: () => call.onRetry(),
      onFallback: () => call.onFallback(),
      afterFirstFailure: firstFailure,
      deadlineAt: call.deadlineAt,
      // With MESH_RETRIES the mesh retries 5xx, resets and timeouts itself: only a 429 is tried
      // again here, on another key (the mesh knows nothing of the gateway's keys).
      retryable: this.config.network.meshRetries ? isRateLimitRetry : undefined,
    });
  }

  /** The request's own fallbacks first, then those configured for the model; each routed anew. */
  private fallbacksFor(prepared: GroqChatRequest): GroqChatRequest[] {
    const { route, modelRoute } = prepared;
    // A route's fallbacks are looked up by the route's name, not by the target it started on.
    const named = modelRoute ? modelRoute.config.id : route.upstreamModel;
    const configured =
      (modelRoute ? undefined : this.config.fallbacks[route.requestedModel]) ??
      this.config.fallbacks[`groq/${named}`] ??
      this.config.fallbacks[named] ??
      modelRoute?.config.fallbacks ??
      [];
    return [...prepared.fallbacks, ...configured]
      .filter((model, index, all) => all.indexOf(model) === index && model !== route.requestedModel)
      .map((model) => {
        const fallbackRoute = routeModel(model, this.config.modelAliases, 'fallbacks');
        return {
          ...prepared,
          route: fallbackRoute,
          body: { ...prepared.body, model: fallbackRoute.upstreamModel },
        };
      });
  }
}

/** Points a prepared request at a model route's target: the route and the model sent upstream. */
function retarget(prepared: GroqChatRequest, target: RouteTargetConfig): GroqChatRequest {
  prepared.route = {
    provider: 'groq',
    upstreamModel: target.upstreamModel,
    requestedModel: target.model,
  };
  prepared.body.model = target.upstreamModel;
  return prepared;
}

/** A 429 is worth another key even when the mesh retries everything else (MESH_RETRIES). */
function isRateLimitRetry(error: unknown): boolean {
  return isRetryable(error) && (error as GatewayError).status === 429;
}

/**
 * The caller's deadline over a whole upstream call: when it passes before the call is complete,
 * the upstream call is cancelled and the caller gets 504 `deadline_exceeded` (in-band once a
 * stream has started).
 */
function withDeadline<T>(deadlineAt: number | undefined, source: Observable<T>): Observable<T> {
  if (deadlineAt === undefined) return source;
  return new Observable<T>((subscriber) => {
    let timer: NodeJS.Timeout | undefined;
    const subscription = source.subscribe({
      next: (value) => subscriber.next(value),
      error: (error: unknown) => {
        if (timer) clearTimeout(timer);
        subscriber.error(error);
      },
      complete: () => {
        if (timer) clearTimeout(timer);
        subscriber.complete();
      },
    });
    if (!subscription.closed)
      timer = setTimeout(
        () => {
          subscription.unsubscribe();
          subscriber.error(deadlineExceeded());
        },
        Math.max(0, deadlineAt - Date.now()),
      );
    return () => {
      if (timer) clearTimeout(timer);
      subscription.unsubscribe();
    };
  });
}

/** The call's first attempt, made directly (no retry plan), names its model, key and route. */
function servedByFirstAttempt(prepared: GroqChatRequest, call: CallProgress, keyId: string): void {
  call.onServed({
    model: publicModelName(prepared.route.upstreamModel, call.surface ?? 'openai'),
    keyId,
    attempts: 1,
    route: prepared.modelRoute?.config.id,
  });
}
