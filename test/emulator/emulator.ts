import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Answer, answerFor, countTokens, textOf } from './answers';
import { Fault, faultDirectiveIn, parseFault } from './faults';
import { checkChatRequest } from './groq-schema';
import { CURRENT_MODELS, EmulatedModel, RETIRED_MODELS, toWireModel } from './models';
import {
  answerMessage,
  chatBodyOf,
  type ConversationMessage,
  inputMessages,
  instructionMessages,
  responseEvents,
  responseObject,
  RESPONSES_FIELDS,
} from './responses';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  /** Keys accepted as `Authorization: Bearer <key>`; default: any key starting with `gsk_`. */
  keys?: string[];
  /** Retired ids answer 400 model_decommissioned (Groq today), or are served like current ones. */
  retiredModels?: 'decommissioned' | 'served';
  /**
   * Ids (of the served list too) that answer 400 model_decommissioned: Groq after a retirement
   * day, e.g. `llama-3.3-70b-versatile` after 2026-08-16 (EMULATOR_DECOMMISSIONED_MODELS).
   */
  decommissioned?: string[];
  /** Delay before the first byte of every answer, and between streamed chunks (latency profile). */
  firstByteDelayMs?: number;
  chunkDelayMs?: number;
  /** Requests remembered for `received` (tests read what the gateway sent). */
  keepReceived?: number;
  /** Tokens per minute per key (Groq's TPM limit). Past it, Groq answers 429. */
  tokensPerMinute?: Record<string, number>;
  /** The limit for keys not named above; default 300000, as a Groq developer tier. */
  defaultTokensPerMinute?: number;
  /** Requests per day per key (Groq's RPD, counted here per minute window); default 14400. */
  requestsPerDay?: number;
  /** Serve HTTPS with this certificate (PEM), as Groq does, e.g. for a private CA's endpoint. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body?: Record<string, unknown>;
}

export interface EmulatorStats {
  requests: number;
  open: number;
  /** Requests whose client went away before the answer was complete. */
  aborted: number;
  byStatus: Record<string, number>;
}

/** A Groq lookalike on loopback: the only fake of Groq in this project (see groq-wire.md). */
export class GroqEmulator {
  readonly received: ReceivedRequest[] = [];
  readonly stats: EmulatorStats = { requests: 0, open: 0, aborted: 0, byStatus: {} };
  private readonly server: Server;
  private readonly faultQueue: Fault[] = [];
  private readonly keyFaults = new Map<string, Fault>();
  private readonly modelFaults = new Map<string, Fault>();
  private readonly sockets = new Set<Socket>();
  /** Prompt prefixes seen (Groq's automatic prompt cache, shared by the organisation's keys). */
  private readonly promptCache = new Set<string>();
  private readonly decommissioned: Set<string>;
  /** Responses kept for previous_response_id: the conversation up to and including each answer. */
  private readonly storedResponses = new Map<string, ConversationMessage[]>();
  private readonly usage = new Map<
    string,
    { windowStart: number; requests: number; tokens: number }
  >();

  constructor(private readonly options: EmulatorOptions = {}) {
    this.decommissioned = new Set(options.decommissioned ?? []);
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    this.server = options.tls ? createHttpsServer(options.tls, handler) : createServer(handler);
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      // A busy port is an 'error' event, not a throw: reject with it instead of crashing.
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.url;
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `${this.options.tls ? 'https' : 'http'}://${address.address}:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Faults for the next requests, in order, whatever they ask. */
  queueFaults(...specs: string[]): void {
    for (const spec of specs) {
      const fault = parseFault(spec);
      if (!fault) throw new Error(`unknown fault '${spec}'`);
      this.faultQueue.push(fault);
    }
  }

  /** From now on `id` answers 400 model_decommissioned, as Groq does after a retirement day. */
  decommission(id: string): void {
    this.decommissioned.add(id);
  }

  /** Every request with `key` gets this fault until it is cleared (`undefined`). */
  setKeyFault(key: string, spec: string | undefined): void {
    const fault = spec === undefined ? undefined : parseFault(spec);
    if (fault) this.keyFaults.set(key, fault);
    else this.keyFaults.delete(key);
  }

  /** Every chat request for `model` (Groq's id) gets this fault until it is cleared (`undefined`). */
  setModelFault(model: string, spec: string | undefined): void {
    const fault = spec === undefined ? undefined : parseFault(spec);
    if (fault) this.modelFaults.set(model, fault);
    else this.modelFaults.delete(model);
  }

  reset(): void {
    this.received.length = 0;
    this.faultQueue.length = 0;
    this.stats.requests = 0;
    this.stats.aborted = 0;
    this.stats.byStatus = {};
  }

  /** The chat requests received, newest last. */
  chatRequests(): ReceivedRequest[] {
    return this.received.filter((r) => r.path.endsWith('/chat/completions'));
  }

  /** The native Responses requests received (responses.mode: native), newest last. */
  responsesRequests(): ReceivedRequest[] {
    return this.received.filter((r) => r.path.endsWith('/openai/v1/responses'));
  }

  /** The Groq key each chat request came with, in order (who Groq would say called). */
  chatKeys(): string[] {
    return this.chatRequests().map(
      (r) => /^Bearer (.+)$/.exec(r.headers.authorization ?? '')?.[1] ?? '',
    );
  }

  /** The keys accepted from now on, as when a key is made or revoked in Groq's console. */
  setKeys(keys: string[]): void {
    this.options.keys = [...keys];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.open++;
    let finished = false;
    res.on('finish', () => (finished = true));
    res.on('close', () => {
      this.stats.open--;
      if (!finished) this.stats.aborted++;
    });
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/_emulator/')) return this.control(req, res, path);
    this.stats.requests++;
    const raw = await readBody(req);
    let body: Record<string, unknown> | undefined;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    } catch {
      return this.error(
        res,
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
        'invalid_request_error',
      );
    }
    this.remember({ method: req.method ?? 'GET', path, headers: req.headers, body });

    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!key || !this.acceptsKey(key))
      return this.error(res, 401, 'Invalid API Key', 'invalid_request_error', 'invalid_api_key');

    const fault =
      this.keyFaults.get(key) ??
      this.modelFaults.get(modelOf(body)) ??
      this.faultQueue.shift() ??
      this.faultFromRequest(req, body);
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'hang') return;
    const firstByteDelay =
      (fault?.kind === 'slow' ? fault.ms : 0) +
      (fault?.kind === 'latency' ? fault.firstByteMs : 0) +
      (this.options.firstByteDelayMs ?? 0);
    if (firstByteDelay > 0) await sleep(firstByteDelay);
    if (res.destroyed) return;
    if (fault?.kind === 'status')
      return this.faultStatus(res, fault.status, fault.retryAfter, key, modelOf(body));
    if (fault?.kind === 'echo-key')
      return this.error(
        res,
        fault.status,
        `Invalid API Key provided: ${key}`,
        'invalid_request_error',
        'invalid_api_key',
      );
    if (fault?.kind === 'malformed' && body?.stream !== true) {
      this.count(200);
      res.writeHead(200, {
        ...this.rateLimitHeaders(key, modelOf(body), 0),
        'content-type': fault.body.startsWith('<') ? 'text/html' : 'application/json',
      });
      return void res.end(fault.body);
    }

    if (req.method === 'GET' && path === '/openai/v1/models') return this.listModels(res, key);
    if (req.method === 'GET' && path.startsWith('/openai/v1/models/')) {
      return this.getModel(res, key, decodeURIComponent(path.slice('/openai/v1/models/'.length)));
    }
    if (req.method === 'POST' && path === '/openai/v1/chat/completions')
      return this.chat(res, key, body ?? {}, fault);
    if (req.method === 'POST' && path === '/openai/v1/responses')
      return this.responses(res, key, body ?? {}, fault);
    return this.error(
      res,
      404,
      `Unknown request URL: ${req.method} ${path}. Please check the URL for typos, or see the docs at https://console.groq.com/docs/`,
      'invalid_request_error',
      'unknown_url',
    );
  }

  private chat(
    res: ServerResponse,
    key: string,
    body: Record<string, unknown>,
    fault: Fault | undefined,
  ): void {
    const modelId = typeof body.model === 'string' ? body.model : '';
    const model = this.decommissioned.has(modelId) ? undefined : this.findModel(modelId);
    if (!model) {
      if (RETIRED_MODELS.some((m) => m.id === modelId) || this.decommissioned.has(modelId)) {
        return this.error(
          res,
          400,
          `The model \`${modelId}\` has been decommissioned and is no longer supported. Please refer to https://console.groq.com/docs/deprecations for a recommendation on which model to use instead.`,
          'invalid_request_error',
          'model_decommissioned',
        );
      }
      return this.error(
        res,
        404,
        `The model \`${modelId}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    }
    const overLimit = this.tokenLimitWait(key, model.id);
    if (overLimit !== undefined) return this.faultStatus(res, 429, overLimit, key, model.id);
    const problem = checkChatRequest(body, model);
    if (problem)
      return this.error(
        res,
        problem.status,
        problem.message,
        'invalid_request_error',
        problem.code,
        problem.param,
      );
    if (!model.chat)
      return this.error(
        res,
        400,
        `model \`${model.id}\` does not support chat completions`,
        'invalid_request_error',
        'model_not_supported',
      );

    const answer = answerFor(body as never, model, randomUUID);
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = usageOf(answer, this.cachedTokens(body));
    const headers = {
      ...this.rateLimitHeaders(key, model.id, usage.total_tokens),
      'x-request-id': `req_${randomUUID().replace(/-/g, '')}`,
      'x-groq-region': 'emu',
    };

    if (body.stream === true) {
      const includeUsage =
        (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      return void this.streamAnswer(
        res,
        headers,
        {
          id,
          created,
          model: model.id,
          answer,
          usage,
          includeUsage,
          seed: typeof body.seed === 'number' ? body.seed : 123456,
        },
        fault,
      );
    }
    const message: Record<string, unknown> = { role: 'assistant' };
    if (answer.content !== undefined) message.content = answer.content;
    if (answer.reasoning !== undefined) message.reasoning = answer.reasoning;
    if (answer.toolCalls) message.tool_calls = answer.toolCalls;
    if (answer.executedTools) message.executed_tools = answer.executedTools;
    if (answer.annotations) message.annotations = answer.annotations;
    const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
    const payload = JSON.stringify({
      id,
      object: 'chat.completion',
      created,
      model: model.id,
      choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
      usage,
      usage_breakdown: answer.usageBreakdown ?? null,
      system_fingerprint: 'fp_emulator01',
      x_groq: {
        id: `req_${randomUUID().replace(/-/g, '')}`,
        seed: typeof body.seed === 'number' ? body.seed : 123456,
        ...(cached ? { usage: { dram_cached_tokens: cached, sram_cached_tokens: 0 } } : {}),
      },
      service_tier:
        typeof body.service_tier === 'string' && body.service_tier !== 'auto'
          ? body.service_tier
          : 'on_demand',
    });
    this.count(200);
    res.writeHead(200, { ...headers, 'content-type': 'application/json' });
    if (fault?.kind === 'cut') {
      res.write(payload.slice(0, payload.length >> 1), () => res.socket?.destroy());
      return;
    }
    res.end(payload);
  }

  /**
   * Groq's own Responses API (beta): the input (and, with previous_response_id, the stored
   * conversation before it) answered as chat would be, written as a response object or its
   * event stream. Responses are kept unless `store: false`, for previous_response_id.
   */
  private responses(
    res: ServerResponse,
    key: string,
    body: Record<string, unknown>,
    fault: Fault | undefined,
  ): void {
    for (const field of Object.keys(body)) {
      if (!RESPONSES_FIELDS.has(field))
        return this.error(
          res,
          400,
          `property '${field}' is unsupported`,
          'invalid_request_error',
          undefined,
          field,
        );
    }
    const modelId = typeof body.model === 'string' ? body.model : '';
    const model = this.decommissioned.has(modelId) ? undefined : this.findModel(modelId);
    if (!model || !model.chat) {
      if (RETIRED_MODELS.some((m) => m.id === modelId) || this.decommissioned.has(modelId))
        return this.error(
          res,
          400,
          `The model \`${modelId}\` has been decommissioned and is no longer supported. Please refer to https://console.groq.com/docs/deprecations for a recommendation on which model to use instead.`,
          'invalid_request_error',
          'model_decommissioned',
        );
      return this.error(
        res,
        404,
        `The model \`${modelId}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    }
    if (body.input === undefined)
      return this.error(
        res,
        400,
        "'input' : property 'input' is missing",
        'invalid_request_error',
        undefined,
        'input',
      );
    const previousId = body.previous_response_id;
    let history: ConversationMessage[] = [];
    if (typeof previousId === 'string') {
      const stored = this.storedResponses.get(previousId);
      if (!stored)
        return this.error(
          res,
          400,
          `Previous response with id '${previousId}' not found.`,
          'invalid_request_error',
          undefined,
          'previous_response_id',
        );
      history = stored;
    }
    const overLimit = this.tokenLimitWait(key, model.id);
    if (overLimit !== undefined) return this.faultStatus(res, 429, overLimit, key, model.id);

    const turns = [...history, ...inputMessages(body)];
    const conversation = [...instructionMessages(body), ...turns];
    const chatBody = chatBodyOf(body, conversation);
    const answer = answerFor(chatBody as never, model, randomUUID);
    const cachedTokens = this.cachedTokens(chatBody);
    // The whole exchange is now a prefix Groq's cache holds for the conversation's next turn.
    this.promptCache.add(
      JSON.stringify([chatBody.model, [...conversation, answerMessage(answer)]]),
    );
    const responseId = `resp_${randomUUID().replace(/-/g, '')}`;
    const response = responseObject(body, answer, {
      ids: { response: responseId, item: () => randomUUID().replace(/-/g, '') },
      model: model.id,
      createdAt: Math.floor(Date.now() / 1000),
      cachedTokens,
    });
    if (body.store !== false)
      this.storedResponses.set(responseId, [...turns, answerMessage(answer)]);
    const headers = {
      ...this.rateLimitHeaders(key, model.id, answer.promptTokens + answer.completionTokens),
      'x-request-id': `req_${randomUUID().replace(/-/g, '')}`,
      'x-groq-region': 'emu',
    };
    if (body.stream !== true) {
      const payload = JSON.stringify(response);
      this.count(200);
      res.writeHead(200, { ...headers, 'content-type': 'application/json' });
      if (fault?.kind === 'cut')
        return void res.write(payload.slice(0, payload.length >> 1), () => res.socket?.destroy());
      return void res.end(payload);
    }
    void this.writeEvents(res, headers, responseEvents(response, answer), fault);
  }

  /** A Responses event stream: `event:` and `data:` lines, no `[DONE]`; faults as for chat. */
  private async writeEvents(
    res: ServerResponse,
    headers: Record<string, string>,
    events: Array<Record<string, unknown>>,
    fault: Fault | undefined,
  ): Promise<void> {
    this.count(200);
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
    });
    const delay = fault?.kind === 'latency' ? fault.chunkMs : (this.options.chunkDelayMs ?? 0);
    for (const [index, event] of events.entries()) {
      if (res.destroyed) return;
      if (fault?.kind === 'cut' && index === fault.afterChunks)
        return void res.write('', () => res.socket?.destroy());
      if (fault?.kind === 'stall' && index === fault.afterChunks) return;
      if (fault?.kind === 'stream-error' && index === fault.afterChunks) {
        const error = {
          type: 'error',
          sequence_number: index,
          code: 'service_unavailable',
          message: 'Service Unavailable: the model stopped while generating',
          param: null,
        };
        return void res.end(`event: error\ndata: ${JSON.stringify(error)}\n\n`);
      }
      res.write(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
      if (delay > 0) await sleep(delay);
    }
    res.end();
  }

  private async streamAnswer(
    res: ServerResponse,
    headers: Record<string, string>,
    call: {
      id: string;
      created: number;
      model: string;
      answer: Answer;
      usage: ReturnType<typeof usageOf>;
      includeUsage: boolean;
      seed: number;
    },
    fault: Fault | undefined,
  ): Promise<void> {
    const { id, created, model, answer, usage } = call;
    const base = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_emulator01',
    };
    const chunk = (
      delta: Record<string, unknown>,
      finish: string | null = null,
      extra: Record<string, unknown> = {},
    ) =>
      JSON.stringify({
        ...base,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...extra,
      });

    const frames: string[] = [];
    frames.push(
      chunk({ role: 'assistant', content: answer.toolCalls ? null : '' }, null, {
        x_groq: { id: `req_${randomUUID().replace(/-/g, '')}`, seed: call.seed },
      }),
    );
    if (answer.reasoning) {
      for (const piece of answer.reasoning.match(/\S+\s*/g) ?? [])
        frames.push(
          chunk({
            reasoning: piece,
            ...(model.includes('gpt-oss') ? { channel: 'analysis' } : {}),
          }),
        );
    }
    answer.executedTools?.forEach((tool) => frames.push(chunk({ executed_tools: [tool] })));
    for (const piece of answer.pieces) frames.push(chunk({ content: piece }));
    if (answer.annotations) frames.push(chunk({ annotations: answer.annotations }));
    answer.toolCalls?.forEach((call, index) =>
      frames.push(chunk({ tool_calls: [{ index, ...call }] })),
    );
    frames.push(
      chunk({}, answer.finishReason, {
        x_groq: {
          id: `req_${randomUUID().replace(/-/g, '')}`,
          usage,
          ...(answer.usageBreakdown ? { usage_breakdown: answer.usageBreakdown } : {}),
        },
        usage,
      }),
    );
    if (call.includeUsage) frames.push(JSON.stringify({ ...base, choices: [], usage }));

    this.count(200);
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
    });
    const delay = fault?.kind === 'latency' ? fault.chunkMs : (this.options.chunkDelayMs ?? 0);
    for (const [index, frame] of frames.entries()) {
      if (res.destroyed) return;
      // Cut after what was written has left, so the client sees the first chunks, then a reset.
      if (fault?.kind === 'cut' && index === fault.afterChunks)
        return void res.write('', () => res.socket?.destroy());
      // Silent from here on, connection open, until the client gives up.
      if (fault?.kind === 'stall' && index === fault.afterChunks) return;
      if (fault?.kind === 'stream-error' && index === fault.afterChunks) {
        res.end(
          `event: error\ndata: ${JSON.stringify({ error: { message: 'Service Unavailable: the model stopped while generating', type: 'internal_server_error', code: 'service_unavailable', status_code: 503 } })}\n\n`,
        );
        return;
      }
      if (fault?.kind === 'malformed' && index === fault.afterChunks)
        return void res.end(`data: ${fault.body}\n\n`);
      res.write(`data: ${frame}\n\n`);
      if (delay > 0) await sleep(delay);
    }
    res.end('data: [DONE]\n\n');
  }

  private listModels(res: ServerResponse, key: string): void {
    const models =
      this.options.retiredModels === 'served'
        ? [...CURRENT_MODELS, ...RETIRED_MODELS]
        : CURRENT_MODELS;
    this.json(
      res,
      200,
      { object: 'list', data: models.map(toWireModel) },
      this.rateLimitHeaders(key, '', 0),
    );
  }

  private getModel(res: ServerResponse, key: string, id: string): void {
    const model = this.findModel(id);
    if (!model)
      return this.error(
        res,
        404,
        `The model \`${id}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    this.json(res, 200, toWireModel(model), this.rateLimitHeaders(key, '', 0));
  }

  private faultStatus(
    res: ServerResponse,
    status: number,
    retryAfter: number | undefined,
    key: string,
    model: string,
  ): void {
    const headers: Record<string, string> = this.rateLimitHeaders(key, model, 0);
    if (status === 429 || status === 413) {
      headers['retry-after'] = String(retryAfter ?? 1);
      return this.error(
        res,
        status,
        `Rate limit reached for model \`${model}\` in organization \`org_emulator\` service tier \`on_demand\` on tokens per minute (TPM): Limit 6000, Used 6000, Requested 120. Please try again in ${retryAfter ?? 1}s.`,
        'tokens',
        'rate_limit_exceeded',
        undefined,
        headers,
      );
    }
    if (status === 498)
      return this.error(
        res,
        498,
        'Flex tier capacity exceeded. Please try again later.',
        'capacity_exceeded',
        'capacity_exceeded',
        undefined,
        headers,
      );
    if (status === 401)
      return this.error(res, 401, 'Invalid API Key', 'invalid_request_error', 'invalid_api_key');
    const message =
      status === 503
        ? 'Service Unavailable'
        : status === 502
          ? 'Bad Gateway'
          : 'Internal Server Error';
    return this.error(res, status, message, 'internal_server_error', undefined, undefined, headers);
  }

  private control(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (path === '/_emulator/stats') return this.json(res, 200, this.stats);
    if (path === '/_emulator/faults' && req.method === 'POST') {
      void readBody(req).then((raw) => {
        try {
          const specs = (JSON.parse(raw) as { faults: string[] }).faults;
          this.queueFaults(...specs);
          this.json(res, 200, { queued: this.faultQueue.length });
        } catch (error) {
          this.json(res, 400, { error: { message: (error as Error).message } });
        }
      });
      return;
    }
    this.json(res, 404, { error: { message: 'unknown emulator control path' } });
  }

  private faultFromRequest(
    req: IncomingMessage,
    body: Record<string, unknown> | undefined,
  ): Fault | undefined {
    const header = req.headers['x-emulator-fault'];
    if (typeof header === 'string') return parseFault(header);
    const messages = Array.isArray(body?.input)
      ? inputMessages(body)
      : typeof body?.input === 'string'
        ? [{ role: 'user', content: body.input }]
        : body?.messages;
    if (!Array.isArray(messages)) return undefined;
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i] as { role?: string; content?: unknown };
      if (message.role === 'user') return faultDirectiveIn(textOf(message.content));
    }
    return undefined;
  }

  /**
   * Groq's prompt cache, roughly: a request whose messages before the last are ones seen before
   * gets their tokens reported as cached (`prompt_tokens_details.cached_tokens`).
   */
  private cachedTokens(body: Record<string, unknown>): number {
    const messages = Array.isArray(body.messages)
      ? (body.messages as Array<{ content?: unknown }>)
      : [];
    if (messages.length < 2) return 0;
    const prefix = JSON.stringify([body.model, messages.slice(0, -1)]);
    const seen = this.promptCache.has(prefix);
    this.promptCache.add(prefix);
    if (!seen) return 0;
    const tokens = messages
      .slice(0, -1)
      .reduce((sum, m) => sum + countTokens(textOf(m.content)) + 4, 0);
    // Short prefixes are not worth caching (as for any prompt cache, there is a minimum).
    return tokens >= PROMPT_CACHE_MIN_TOKENS ? tokens : 0;
  }

  private findModel(id: string): EmulatedModel | undefined {
    return (
      CURRENT_MODELS.find((m) => m.id === id) ??
      (this.options.retiredModels === 'served'
        ? RETIRED_MODELS.find((m) => m.id === id)
        : undefined)
    );
  }

  private acceptsKey(key: string): boolean {
    return this.options.keys ? this.options.keys.includes(key) : key.startsWith('gsk_');
  }

  /** Groq counts each model on its own: one window per key and model ('' for model listing). */
  private usageWindow(key: string, model: string) {
    const now = Date.now();
    const id = `${key}\n${model}`;
    let window = this.usage.get(id);
    if (!window || now - window.windowStart >= 60_000) {
      window = { windowStart: now, requests: 0, tokens: 0 };
      this.usage.set(id, window);
    }
    return window;
  }

  /** Seconds to wait when the key has spent its tokens for this model this minute, as Groq would say. */
  private tokenLimitWait(key: string, model: string): number | undefined {
    const window = this.usageWindow(key, model);
    const limit =
      this.options.tokensPerMinute?.[key] ?? this.options.defaultTokensPerMinute ?? 300_000;
    return window.tokens >= limit
      ? Math.ceil((60_000 - (Date.now() - window.windowStart)) / 1000)
      : undefined;
  }

  /** Groq's headers for `model` on this key: requests per day, tokens per minute, resets as Go durations. */
  private rateLimitHeaders(key: string, model: string, tokens: number): Record<string, string> {
    const now = Date.now();
    const window = this.usageWindow(key, model);
    window.requests++;
    window.tokens += tokens;
    const limit =
      this.options.tokensPerMinute?.[key] ?? this.options.defaultTokensPerMinute ?? 300_000;
    const requestLimit = this.options.requestsPerDay ?? 14_400;
    const resetTokens = ((60_000 - (now - window.windowStart)) / 1000).toFixed(3);
    return {
      'x-ratelimit-limit-requests': String(requestLimit),
      'x-ratelimit-limit-tokens': String(limit),
      'x-ratelimit-remaining-requests': String(Math.max(0, requestLimit - window.requests)),
      'x-ratelimit-remaining-tokens': String(Math.max(0, limit - window.tokens)),
      'x-ratelimit-reset-requests': '6s',
      'x-ratelimit-reset-tokens': `${resetTokens}s`,
    };
  }

  private remember(request: ReceivedRequest): void {
    this.received.push(request);
    const keep = this.options.keepReceived ?? 1000;
    if (this.received.length > keep) this.received.splice(0, this.received.length - keep);
  }

  private error(
    res: ServerResponse,
    status: number,
    message: string,
    type: string,
    code?: string,
    param?: string,
    headers: Record<string, string> = {},
  ): void {
    const error: Record<string, unknown> = { message, type };
    if (code) error.code = code;
    if (param) error.param = param;
    this.json(res, status, { error }, headers);
  }

  private json(
    res: ServerResponse,
    status: number,
    payload: unknown,
    headers: Record<string, string> = {},
  ): void {
    this.count(status);
    res.writeHead(status, { ...headers, 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  }

  private count(status: number): void {
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
  }
}

function usageOf(answer: Answer, cachedTokens = 0) {
  const usage: Record<string, unknown> & {
    total_tokens: number;
    prompt_tokens_details?: { cached_tokens: number };
  } = {
    queue_time: 0.012,
    prompt_tokens: answer.promptTokens,
    prompt_time: 0.002,
    completion_tokens: answer.completionTokens,
    completion_time: 0.004,
    total_tokens: answer.promptTokens + answer.completionTokens,
    total_time: 0.006,
  };
  if (answer.reasoningTokens)
    usage.completion_tokens_details = { reasoning_tokens: answer.reasoningTokens };
  if (cachedTokens > 0) usage.prompt_tokens_details = { cached_tokens: cachedTokens };
  return usage;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The emulator caches prompt prefixes of at least this many tokens. */
const PROMPT_CACHE_MIN_TOKENS = 12;

/** The model a request body names ('' when none): rate limits and faults are per model. */
function modelOf(body: Record<string, unknown> | undefined): string {
  return typeof body?.model === 'string' ? body.model : '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
