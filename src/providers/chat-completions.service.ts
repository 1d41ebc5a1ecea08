import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig, GatewayConfig, GroqKeyConfig } from '../config/gateway-config';
import { defer, tap, type Observable } from 'rxjs';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, ChatUsage } from './chat-types';
import { toGroqChatRequest, type GroqChatRequest } from './groq/groq-chat-parameters';
import { GroqService } from './groq/groq.service';
import { estimateRequestTokens } from './groq/token-estimate';
import { routeModel } from './model-router';
import { ServedBy, withRetriesAndFallbacks } from './reliability/attempts';

/** A chat call ready to send: what goes upstream, what the gateway changed, what to fall back to. */
export interface PreparedChat extends GroqChatRequest {
  /** Fallback model names from the request body, tried before the configured ones. */
  fallbacks: string[];
}

/** What the caller adds to the upstream call and wants to know as it goes (headers, metrics). */
export interface CallObserver {
  /** Sent with every upstream attempt (trace context). */
  upstreamHeaders?: Record<string, string>;
  onUpstreamStart?(): void;
  /** The upstream's first value, or its final failure. */
  onUpstreamAnswer?(): void;
  onServed?(servedBy: ServedBy): void;
  onRetry?(): void;
  onFallback?(): void;
  onUsage?(usage: ChatUsage): void;
}

/**
 * The gateway's one upstream path. Chat, Responses, text completions and the Anthropic drop-in
 * all become a chat request and come through here: retries across keys, then fallback models.
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

  /** Routes the model and applies the provider's parameter rules; throws 400s before any I/O. */
  prepare(request: ChatRequest): PreparedChat {
    const fallbacks = Array.isArray(request.fallbacks) ? (request.fallbacks as string[]) : [];
    // toGroqChatRequest returns a new object: completed in place rather than spread again.
    const prepared = toGroqChatRequest(
      request,
      routeModel(request.model, this.config.modelAliases),
    ) as PreparedChat;
    prepared.fallbacks = fallbacks;
    return prepared;
  }

  /** JSON or a stream, as the request asked. */
  send(
    prepared: PreparedChat,
    observer: CallObserver = {},
  ): Observable<ChatCompletion | ChatCompletionChunk> {
    return prepared.stream ? this.stream(prepared, observer) : this.complete(prepared, observer);
  }

  complete(prepared: PreparedChat, observer: CallObserver = {}): Observable<ChatCompletion> {
    const json = { ...prepared, stream: false, body: { ...prepared.body, stream: false } };
    return this.withReliability(json, observer, (candidate, key, headers) =>
      this.groq.chatCompletion(candidate, key, headers),
    );
  }

  stream(prepared: PreparedChat, observer: CallObserver = {}): Observable<ChatCompletionChunk> {
    const streamed = { ...prepared, stream: true, body: { ...prepared.body, stream: true } };
    return this.withReliability(streamed, observer, (candidate, key, headers) =>
      this.groq.chatCompletionStream(candidate, key, headers),
    );
  }

  private withReliability<T>(
    prepared: PreparedChat,
    observer: CallObserver,
    call: (
      candidate: GroqChatRequest,
      key: GroqKeyConfig,
      headers: Record<string, string>,
    ) => Observable<T>,
  ): Observable<T> {
    const tokens = estimateRequestTokens(prepared.body);
    const headers = observer.upstreamHeaders ?? {};
    const attempts = withRetriesAndFallbacks<GroqChatRequest, T>({
      candidates: [prepared, ...this.fallbacksFor(prepared)],
      modelOf: (candidate) => candidate.route.requestedModel,
      attempt: (candidate, avoid) => {
        const key = this.groq.keys.pick(candidate.route.upstreamModel, tokens, avoid);
        return { keyId: key.id, result: call(candidate, key, headers) };
      },
      anotherKeyReady: (candidate, avoid) =>
        this.groq.keys.hasAvailable(candidate.route.upstreamModel, tokens, avoid),
      policy: this.config.retries,
      // Called as methods: an observer may be a class instance.
      onServed: (servedBy) => observer.onServed?.(servedBy),
      onRetry: () => observer.onRetry?.(),
      onFallback: () => observer.onFallback?.(),
    });
    return defer(() => {
      observer.onUpstreamStart?.();
      return attempts;
    }).pipe(
      tap({
        next: (value) => {
          observer.onUpstreamAnswer?.();
          const usage = usageIn(value);
          if (usage) observer.onUsage?.(usage);
        },
        error: () => observer.onUpstreamAnswer?.(),
      }),
    );
  }

  /** The request's own fallbacks first, then those configured for the model; each routed anew. */
  private fallbacksFor(prepared: PreparedChat): GroqChatRequest[] {
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
