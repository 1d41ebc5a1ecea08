import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { defer, from, lastValueFrom, Observable, throwError } from 'rxjs';
import { AppModule } from '../../src/app.module';
import { CallEvents } from '../../src/call/call-events';
import type { EndedCall } from '../../src/call/ended-call';
import { GatewayError } from '../../src/common/errors/gateway-error';
import type { GatewayConfig, GroqKeyConfig } from '../../src/config/gateway-config';
import { loadGatewayConfig } from '../../src/config/load-config';
import { configureGatewayApp, gatewayAdapter } from '../../src/create-app';
import type { ChatCompletion, ChatCompletionChunk } from '../../src/providers/chat-types';
import type { GroqChatRequest } from '../../src/providers/groq/groq-chat-parameters';
import { GroqService } from '../../src/providers/groq/groq.service';
import { KeyPool } from '../../src/providers/keys/key-pool';
import { RouteBalancer } from '../../src/providers/routes/route-balancer';

/** What a stub stream throws after its chunks to play Groq's stream breaking off (a 502). */
export function upstreamBrokeMidStream(): GatewayError {
  return new GatewayError({
    status: 502,
    message: 'upstream broke',
    type: 'api_error',
    code: 'upstream_stream_incomplete',
  });
}

/**
 * What a spec asserts after a stream broke off past its 200 (`upstreamBrokeMidStream`): one call
 * ended, still status 200, streamed, with the failure's code (the access line and request log).
 */
export function expectEndedFailedMidStream(setup: ControllerSetup): void {
  expect(setup.ended).toHaveLength(1);
  expect(setup.ended[0]).toMatchObject({
    status: 200,
    stream: true,
    errorCode: 'upstream_stream_incomplete',
  });
}

/** One upstream call the stub was asked for. */
export interface StubbedCall {
  body: Record<string, unknown>;
  keyId: string;
  headers: Record<string, string>;
}

/**
 * GroqService without the network: the real key pool and route balancer, and answers from a script. Each call takes
 * the next queued failure if there is one, else answers `completion` (JSON), `chunks` (a stream) or `models`. Each
 * answer is a fresh copy, as the real service parses a new one per call: the gateway renames the model in place, and
 * a shared object would carry that into the script (and into what a spec expects).
 */
export class StubGroq {
  readonly keys: KeyPool;
  readonly routes: RouteBalancer;
  readonly calls: StubbedCall[] = [];
  /** Thrown by the next calls, one each, before any answer. */
  readonly failures: GatewayError[] = [];
  /** Thrown by a stream after its chunks, when set. */
  failAfterChunks?: GatewayError;
  completion: ChatCompletion = completionSaying('Hello from the stub');
  chunks: ChatCompletionChunk[] = chunksSaying(['Hel', 'lo']);
  models: unknown[] = [{ id: 'llama-3.3-70b-versatile', object: 'model', owned_by: 'Meta' }];

  constructor(config: GatewayConfig) {
    this.keys = new KeyPool(config.groq.keys, config.circuitBreaker);
    this.routes = new RouteBalancer(config.routes, config.circuitBreaker);
  }

  chatCompletion(
    request: GroqChatRequest,
    key: GroqKeyConfig,
    headers: Record<string, string>,
  ): Observable<ChatCompletion> {
    return defer(() => {
      this.calls.push({ body: request.body, keyId: key.id, headers });
      const failure = this.failures.shift();
      return failure ? throwError(() => failure) : from([structuredClone(this.completion)]);
    });
  }

  chatCompletionOnce(
    request: GroqChatRequest,
    key: GroqKeyConfig,
    headers: Record<string, string>,
  ): Promise<ChatCompletion> {
    return lastValueFrom(this.chatCompletion(request, key, headers));
  }

  chatCompletionStream(
    request: GroqChatRequest,
    key: GroqKeyConfig,
    headers: Record<string, string>,
  ): Observable<ChatCompletionChunk> {
    return new Observable<ChatCompletionChunk>((subscriber) => {
      this.calls.push({ body: request.body, keyId: key.id, headers });
      const failure = this.failures.shift();
      if (failure) {
        subscriber.error(failure);
        return;
      }
      for (const chunk of this.chunks) subscriber.next(structuredClone(chunk));
      if (this.failAfterChunks) subscriber.error(this.failAfterChunks);
      else subscriber.complete();
    });
  }

  listModels(): Promise<unknown[]> {
    const failure = this.failures.shift();
    return failure ? Promise.reject(failure) : Promise.resolve(structuredClone(this.models));
  }
}

export function completionSaying(text: string): ChatCompletion {
  return {
    id: 'chatcmpl-stub',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'llama-3.3-70b-versatile',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
  };
}

export function chunksSaying(parts: string[]): ChatCompletionChunk[] {
  const chunk = (delta: ChatCompletionChunk['choices'][0]['delta'], finish: 'stop' | null) => ({
    id: 'chatcmpl-stub',
    object: 'chat.completion.chunk' as const,
    created: 1_700_000_000,
    model: 'llama-3.3-70b-versatile',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  return [
    chunk({ role: 'assistant', content: '' }, null),
    ...parts.map((content) => chunk({ content }, null)),
    {
      ...chunk({}, 'stop'),
      x_groq: {
        id: 'req_stub',
        usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
      },
    },
  ];
}

export interface ControllerSetup {
  app: NestFastifyApplication;
  groq: StubGroq;
  /** Every ended call so far, in order. */
  ended: EndedCall[];
  inject: NestFastifyApplication['inject'];
  /** Forgets the upstream calls and ended calls recorded so far (a spec's beforeEach). */
  forgetRecorded(): void;
  close(): Promise<void>;
}

/**
 * The gateway in-process, driven through Fastify's `inject`: the real modules, hooks, validation
 * pipes and exception filters, with GroqService replaced by StubGroq. `env` is the environment
 * the configuration is read from; `files` what GATEWAY_CONFIG and key files read.
 */
export async function controllerSetup(
  env: Record<string, string> = {},
  files: Record<string, string> = {},
): Promise<ControllerSetup> {
  const config = loadGatewayConfig(
    { GROQ_API_KEY: 'gsk_in_process_key', LOG_LEVEL: 'silent', ...env },
    (path) => {
      if (!(path in files)) throw Object.assign(new Error(`no file ${path}`), { code: 'ENOENT' });
      return files[path];
    },
  );
  const groq = new StubGroq(config);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(GroqService)
    .useValue(groq)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(gatewayAdapter(config), {
    bodyParser: false,
    logger: false,
  });
  configureGatewayApp(app, config);
  const ended: EndedCall[] = [];
  app.get(CallEvents).onEnded((call) => ended.push(call));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    groq,
    ended,
    inject: app.inject.bind(app) as NestFastifyApplication['inject'],
    forgetRecorded: () => {
      groq.calls.length = 0;
      ended.length = 0;
    },
    close: () => app.close(),
  };
}
