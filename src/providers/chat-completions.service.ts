import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Observable, type Subscription } from 'rxjs';
import type { AllConfig, GatewayConfig, GroqKeyConfig } from '../config/gateway-config';
import type { CallProgress } from './call-progress';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, ChatUsage } from './chat-types';
import { toGroqChatRequest, type GroqChatRequest } from './groq/groq-chat-parameters';
import { GroqService } from './groq/groq.service';
import { routeModel } from './model-router';
import { withRetriesAndFallbacks } from './reliability/attempts';

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

  constructor(
    private readonly groq: GroqService,
    config: ConfigService<AllConfig, true>,
  ) {
    this.config = config.get('gateway', { infer: true });
  }

  /**
   * Routes the model (once: the call keeps the route) and applies the provider's parameter rules;
   * throws 400s before any I/O.
   */
  prepare(request: ChatRequest, call: CallProgress): GroqChatRequest {
    const prepared = toGroqChatRequest(
      request,
      routeModel(request.model, this.config.modelAliases),
    );
    // Fallback names are refused before any I/O too; they are routed for use only on a failure.
    for (const fallback of prepared.fallbacks)
      routeModel(fallback, this.config.modelAliases, 'fallbacks');
    call.prepared(prepared);
    return prepared;
  }

  /** JSON or a stream, as the request asked. */
  send(
    prepared: GroqChatRequest,
    call: CallProgress,
  ): Observable<ChatCompletion | ChatCompletionChunk> {
    return prepared.stream ? this.stream(prepared, call) : this.complete(prepared, call);
  }

  complete(prepared: GroqChatRequest, call: CallProgress): Observable<ChatCompletion> {
    prepared.stream = false;
    prepared.body.stream = false;
    return this.withReliability(prepared, call, (candidate, key, headers) =>
      this.groq.chatCompletion(candidate, key, headers),
    );
  }

  stream(prepared: GroqChatRequest, call: CallProgress): Observable<ChatCompletionChunk> {
    prepared.stream = true;
    prepared.body.stream = true;
    return this.withReliability(prepared, call, (candidate, key, headers) =>
      this.groq.chatCompletionStream(candidate, key, headers),
    );
  }

  private withReliability<T>(
    prepared: GroqChatRequest,
    call: CallProgress,
    send: UpstreamCall<T>,
  ): Observable<T> {
    return new Observable<T>((subscriber) => {
      call.onUpstreamStart();
      const tokens = () => call.estimateRequestTokens();
      const headers = call.upstreamHeaders;
      let answered = false;
      const next = (value: T) => {
        if (!answered) {
          answered = true;
          call.onUpstreamAnswer();
        }
        const usage = usageIn(value);
        if (usage) call.onUsage(usage);
        subscriber.next(value);
      };
      const fail = (error: unknown) => {
        call.onUpstreamAnswer();
        subscriber.error(error);
      };
      const complete = () => subscriber.complete();

      // The first attempt, made directly.
      let keyId: string | undefined;
      let attempt: Observable<T>;
      try {
        const key = this.groq.keys.pick(prepared.route.upstreamModel, tokens);
        keyId = key.id;
        attempt = send(prepared, key, headers);
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
        call.onServed({
          model: prepared.route.requestedModel,
          keyId: keyId as string,
          attempts: 1,
        });
      };
      let retries: Subscription | undefined;
      const first = attempt.subscribe({
        next(value) {
          announce();
          next(value);
        },
        error: (error: unknown) => {
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
          announce();
          complete();
        },
      });
      return () => {
        first.unsubscribe();
        retries?.unsubscribe();
      };
    });
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
    return withRetriesAndFallbacks<GroqChatRequest, T>({
      candidates: [prepared, ...this.fallbacksFor(prepared)],
      modelOf: (candidate) => candidate.route.requestedModel,
      attempt: (candidate, avoid) => {
        const key = this.groq.keys.pick(candidate.route.upstreamModel, tokens, avoid);
        return { keyId: key.id, result: send(candidate, key, headers) };
      },
      anotherKeyReady: (candidate, avoid) =>
        this.groq.keys.hasAvailable(candidate.route.upstreamModel, tokens, avoid),
      policy: this.config.retries,
      onServed: (servedBy) => call.onServed(servedBy),
      onRetry: () => call.onRetry(),
      onFallback: () => call.onFallback(),
      afterFirstFailure: firstFailure,
    });
  }

  /** The request's own fallbacks first, then those configured for the model; each routed anew. */
  private fallbacksFor(prepared: GroqChatRequest): GroqChatRequest[] {
    const { route } = prepared;
    const configured =
      this.config.fallbacks[route.requestedModel] ??
      this.config.fallbacks[`groq/${route.upstreamModel}`] ??
      this.config.fallbacks[route.upstreamModel] ??
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

/** Usage in a completion, or in a chunk (Groq's x_groq.usage or OpenAI's usage chunk). */
function usageIn(value: unknown): ChatUsage | undefined {
  const carrier = value as { usage?: ChatUsage | null; x_groq?: { usage?: ChatUsage } };
  return carrier.x_groq?.usage ?? carrier.usage ?? undefined;
}
