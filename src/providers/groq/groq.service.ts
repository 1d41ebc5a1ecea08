import { Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Observable } from 'rxjs';
import type { Dispatcher } from 'undici';
import { GatewayError } from '../../common/errors/gateway-error';
import type { AllConfig, GroqKeyConfig } from '../../config/gateway-config';
import { LiveConfig } from '../../config/live-config';
import type { ChatCompletion, ChatCompletionChunk, NativeResponsesValue } from '../chat-types';
import { KeyPool } from '../keys/key-pool';
import type { KeyOutcome } from '../keys/key-health';
import { RouteBalancer } from '../routes/route-balancer';
import { ForwardedChunk } from '../upstream/forwarded-chunk';
import { consumeSseEvents } from '../upstream/sse-events';
import { headerList, UpstreamClient, type UpstreamRequest } from '../upstream/upstream-client';
import { UpstreamCancel } from '../upstream/upstream-cancel';
import { upstreamFailure } from '../upstream/upstream-failure';
import type { GroqChatRequest } from './groq-chat-parameters';
import { groqHttpError, groqStreamError, keyRejected } from './groq-errors';
import type { KeyHealthChange } from '../keys/key-health';
import type { GroqModel } from './groq-model';
import { chatChunkFrom, chatCompletionFrom, responsesValueFrom } from './groq-answers';
import { appendOpenAiUsageChunk } from './groq-stream-usage';

const CHAT_PATH = '/openai/v1/chat/completions';
const MODELS_PATH = '/openai/v1/models';
/** Groq's own Responses API: called only in `responses.mode: native` (issue 15). */
const RESPONSES_PATH = '/openai/v1/responses';

/** The events that end a Responses stream (Groq sends no `[DONE]` there). */
const RESPONSES_FINAL_EVENTS = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

/**
 * Talks to Groq: the one upstream call (chat completions, JSON or streamed) with a given key, and
 * the model list. Every call is an Observable whose teardown aborts the HTTP request, so a client
 * that leaves cancels its upstream work. What each answer says about its key (status, latency,
 * Groq's rate-limit headers) goes to the key pool.
 */
@Injectable()
export class GroqService implements OnModuleDestroy {
  private readonly client: UpstreamClient;
  private readonly logger = new Logger('KeyHealth');
  private lastPanicLine = 0;
  readonly keys: KeyPool;
  /** Model routes and their targets' health (issue 23). */
  readonly routes: RouteBalancer;

  constructor(
    config: ConfigService<AllConfig, true>,
    @Optional() private readonly live?: LiveConfig,
  ) {
    const { groq, circuitBreaker, routes, network } = config.get('gateway', { infer: true });
    this.client = new UpstreamClient(
      groq.baseUrl,
      groq.timeouts,
      groq.maxConnections,
      network.egress,
    );
    this.keys = new KeyPool(groq.keys, circuitBreaker);
    this.routes = new RouteBalancer(routes, circuitBreaker);
    this.keys.onHealthChange = (keyId, change) => {
      const line = keyHealthLine(keyId, change, circuitBreaker.cooldownMs);
      if (change.change === 'breaker-closed' || change.change === 'restored') this.logger.log(line);
      else this.logger.warn(line);
    };
    this.keys.onPanic = (model) => {
      // One line every 10 s at most: an outage must not flood the logs.
      const now = Date.now();
      if (now - this.lastPanicLine < 10_000) return;
      this.lastPanicLine = now;
      this.logger.warn(
        `Every Groq key for model '${model || '(model list)'}' has an open breaker or was refused: routing anyway (panic mode, half-open probes)`,
      );
    };
    // Keys rotated in a secret manager replace the old ones; calls in flight finish on theirs.
    live?.onChange((next) => {
      const { added, replaced, removed } = this.keys.replaceKeys(next.groq.keys);
      if (added.length + replaced.length + removed.length === 0) return;
      new Logger('GroqKeys').log(
        `Groq keys changed: ${[
          added.length ? `added ${added.join(', ')}` : '',
          replaced.length ? `new key for ${replaced.join(', ')}` : '',
          removed.length ? `removed ${removed.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ')}; ${this.keys.size} in the pool`,
      );
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.close();
  }

  /** A non-streaming chat completion: one emission, Groq's JSON with all its fields. */
  chatCompletion(
    request: GroqChatRequest,
    key: GroqKeyConfig,
    headers: Record<string, string> = {},
  ): Observable<ChatCompletion> {
    return this.call(request, key, headers, async (response, emit) => {
      emit(chatCompletionFrom(await response.body.text()));
    });
  }

  /**
   * A non-streaming chat completion as a Promise (chat's one-attempt JSON path): the same exchange
   * as `chatCompletion`, without an Observable; `cancel` aborts it.
   */
  async chatCompletionOnce(
    request: GroqChatRequest,
    key: GroqKeyConfig,
    headers: Record<string, string>,
    cancel: UpstreamCancel,
  ): Promise<ChatCompletion> {
    const response = await this.post(request, key, headers, cancel, CHAT_PATH);
    try {
      return chatCompletionFrom(await response.body.text());
    } catch (error) {
      throw error instanceof GatewayError ? error : upstreamFailure(error);
    }
  }

  /**
   * A streamed chat completion: one emission per upstream chunk, as it arrives. With `forward`
   * (nothing downstream reads the chunks' content), a chunk without usage is forwarded as its
   * text, unparsed (ForwardedChunk).
   */
  chatCompletionStream(
    request: GroqChatRequest,
    key: GroqKeyConfig,
    headers?: Record<string, string>,
    forward?: false,
  ): Observable<ChatCompletionChunk>;
  chatCompletionStream(
    request: GroqChatRequest,
    key: GroqKeyConfig,
    headers: Record<string, string>,
    forward: boolean,
  ): Observable<ChatCompletionChunk | ForwardedChunk>;
  chatCompletionStream(
    request: GroqChatRequest,
    key: GroqKeyConfig,
    headers: Record<string, string> = {},
    forward = false,
  ): Observable<ChatCompletionChunk | ForwardedChunk> {
    type Chunk = ChatCompletionChunk | ForwardedChunk;
    const chunks = this.call<Chunk>(request, key, headers, async (response, emit) => {
      let done = false;
      // Read to the body's end: what follows `[DONE]` (nothing, from Groq) is ignored.
      await consumeSseEvents(response.body, (event) => {
        if (done) return;
        if (event.event === 'error') throw groqStreamError(event.data, [key.key]);
        if (event.data === '[DONE]') done = true;
        else emit((forward && ForwardedChunk.of(event.data)) || chatChunkFrom(event.data));
      });
      if (!done) throw streamIncomplete();
    });
    return request.includeUsage ? chunks.pipe(appendOpenAiUsageChunk<Chunk>()) : chunks;
  }

  /** Native Responses (responses.mode: native): Groq's response object, as it came. */
  responses(
    request: GroqChatRequest,
    key: GroqKeyConfig,
    headers: Record<string, string> = {},
  ): Observable<NativeResponsesValue> {
    return this.call(
      request,
      key,
      headers,
      async (response, emit) => {
        emit(responsesValueFrom(await response.body.text(), 'a body'));
      },
      RESPONSES_PATH,
    );
  }

  /**
   * Native Responses, streamed: one emission per Groq event (`type`, `sequence_number`), as it
   * arrives. The stream is complete at `response.completed` (or `.incomplete`, `.failed`); an
   * `error` event is Groq's failure after the 200.
   */
  responsesStream(
    request: GroqChatRequest,
    key: GroqKeyConfig,
    headers: Record<string, string> = {},
  ): Observable<NativeResponsesValue> {
    return this.call<NativeResponsesValue>(
      request,
      key,
      headers,
      async (response, emit) => {
        let done = false;
        // Read to the body's end: what follows the final event (nothing, from Groq) is ignored.
        await consumeSseEvents(response.body, (event) => {
          if (done) return;
          if (event.event === 'error') throw groqStreamError(event.data, [key.key]);
          const value = responsesValueFrom(event.data, 'a stream event');
          if (value.type === 'error') throw groqStreamError(event.data, [key.key]);
          emit(value);
          if (typeof value.type === 'string' && RESPONSES_FINAL_EVENTS.has(value.type)) done = true;
        });
        if (!done) throw streamIncomplete();
      },
      RESPONSES_PATH,
    );
  }

  /** Groq's model list, straight from the upstream (the caller caches it). */
  async listModels(signal?: AbortSignal): Promise<GroqModel[]> {
    const key = this.keys.pick('');
    const response = await this.send(
      key,
      {
        method: 'GET',
        path: MODELS_PATH,
        headers: { authorization: `Bearer ${key.key}`, accept: 'application/json' },
        signal,
      },
      '',
    );
    const body = (await response.body.json()) as { data?: GroqModel[] };
    return Array.isArray(body.data) ? body.data : [];
  }

  /**
   * One HTTP exchange with Groq: what it says about the key goes to the pool, a transport failure
   * becomes 502/504, an error status becomes Groq's error. Resolves with a 200 response only.
   */
  private async send(
    key: GroqKeyConfig,
    request: UpstreamRequest,
    model = '',
  ): Promise<Dispatcher.ResponseData> {
    const started = Date.now();
    let response: Dispatcher.ResponseData;
    try {
      response = await this.client.request(request);
    } catch (error) {
      // A request the client abandoned says nothing about the key.
      if (request.signal?.aborted) this.keys.forget(key.id, model);
      else
        this.report(key, model, {
          status: 0,
          latencyMs: Date.now() - started,
          headers: {},
          model,
        });
      throw upstreamFailure(error);
    }
    this.report(key, model, {
      status: response.statusCode,
      latencyMs: Date.now() - started,
      headers: response.headers,
      model,
    });
    // Groq refusing a key: it may have been rotated in the secret manager, so read it again now.
    if (response.statusCode === 401)
      this.live?.requestRefresh(`Groq answered 401 for key ${key.id}`);
    if (response.statusCode !== 200) {
      const error = groqHttpError(
        response.statusCode,
        response.headers,
        await response.body.text(),
        [key.key],
      );
      // Groq refusing the gateway's own key is not the caller's fault: another key is tried.
      if (response.statusCode === 401 || response.statusCode === 403)
        throw keyRejected(key.id, error);
      throw error;
    }
    return response;
  }

  /** What an answer says about its key, and about its model when that is a route's target. */
  private report(key: GroqKeyConfig, model: string | undefined, outcome: KeyOutcome): void {
    this.keys.report(key.id, outcome);
    if (model !== undefined && this.routes.tracks(model)) this.routes.report(model, outcome);
  }

  /** POSTs `request` with `key`: a 200 response, or the failure as `send` maps it. */
  private post(
    request: GroqChatRequest,
    key: GroqKeyConfig,
    extraHeaders: Record<string, string>,
    cancel: UpstreamCancel,
    path: string,
  ): Promise<Dispatcher.ResponseData> {
    return this.send(
      key,
      {
        method: 'POST',
        path,
        headers: headerList(
          [
            'authorization',
            `Bearer ${key.key}`,
            'content-type',
            'application/json',
            'accept',
            request.stream ? 'text/event-stream' : 'application/json',
          ],
          extraHeaders,
        ),
        body: JSON.stringify(request.body),
        signal: cancel,
      },
      request.route.upstreamModel,
    );
  }

  private call<T>(
    request: GroqChatRequest,
    key: GroqKeyConfig,
    extraHeaders: Record<string, string>,
    consume: (response: Dispatcher.ResponseData, emit: (value: T) => void) => Promise<void>,
    path = CHAT_PATH,
  ): Observable<T> {
    return new Observable<T>((subscriber) => {
      const cancel = new UpstreamCancel();
      const run = async () => {
        const response = await this.post(request, key, extraHeaders, cancel, path);
        try {
          await consume(response, (value) => subscriber.next(value));
        } catch (error) {
          throw error instanceof GatewayError ? error : upstreamFailure(error);
        }
      };
      let settled = false;
      run().then(
        () => {
          settled = true;
          subscriber.complete();
        },
        (error: unknown) => {
          settled = true;
          if (!cancel.aborted) subscriber.error(error);
        },
      );
      // Abort only a call still under way: undici would build an abort error for nothing.
      return () => {
        if (!settled) cancel.abort();
      };
    });
  }
}

function streamIncomplete(): GatewayError {
  return new GatewayError({
    status: 502,
    message:
      'The groq upstream ended the stream before it was complete. The answer above is partial; try again.',
    type: 'api_error',
    code: 'upstream_stream_incomplete',
  });
}

/** The log line for a change in a key's health (the key id, never the key). */
export function keyHealthLine(keyId: string, change: KeyHealthChange, cooldownMs: number): string {
  const model = change.model ? ` for model '${change.model}'` : '';
  switch (change.change) {
    case 'breaker-opened':
      return `Circuit breaker opened on Groq key '${keyId}'${model} after consecutive ${change.status ? `${change.status}s` : 'transport failures'}: skipped for ${cooldownMs} ms, then one probe`;
    case 'breaker-closed':
      return `Circuit breaker closed on Groq key '${keyId}'${model}: the probe succeeded`;
    case 'rejected':
      return `Groq refused key '${keyId}' (${change.status}): taken out of rotation, probed again only rarely; replace the key if it was revoked`;
    case 'restored':
      return `Groq accepts key '${keyId}' again: back in rotation`;
  }
}
