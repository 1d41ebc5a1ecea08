import { GatewayError } from '../common/errors/gateway-error';
import {
  chunksSaying,
  controllerSetup,
  type ControllerSetup,
  upstreamBrokeMidStream,
  expectEndedFailedMidStream,
} from '../../test/support/controller-setup';

const MODEL = 'groq/llama-3.3-70b-versatile';
const HI = [{ role: 'user', content: 'Hi' }];

describe('ChatController (in-process)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    setup = await controllerSetup({ GROQ_API_KEYS: 'gsk_a,gsk_b' });
  });
  afterAll(() => setup.close());
  beforeEach(() => setup.forgetRecorded());

  const chat = (payload: object, headers: Record<string, string> = {}) =>
    setup.inject({ method: 'POST', url: '/v1/chat/completions', payload, headers });

  it('answers JSON as the upstream wrote it under the public model name, says who served it, and sends Groq the routed model once', async () => {
    const response = await chat({ model: MODEL, messages: HI, n: 1 });
    expect(response.statusCode).toBe(200);
    // Groq's answer, but for the model's public name and the `refusal: null` OpenAI's schema wants.
    expect(response.json()).toEqual({
      id: 'chatcmpl-stub',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: MODEL,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello from the stub', refusal: null },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    });
    expect(response.headers).toMatchObject({
      'x-gateway-model': MODEL,
      'x-gateway-attempts': '1',
      'x-gateway-dropped-params': 'n',
      'x-request-id': expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
    });
    expect(setup.groq.calls).toHaveLength(1);
    expect(setup.groq.calls[0].body).toEqual({
      model: 'llama-3.3-70b-versatile',
      messages: HI,
      stream: false,
    });
    // The trace the gateway starts is the request id's digits; Groq gets the gateway's span.
    const requestId = String(response.headers['x-request-id']);
    const traceId = requestId.replace(/-/g, '');
    expect(response.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(setup.groq.calls[0].headers.traceparent).toBe(response.headers.traceparent);
  });

  it('ends each call once, with the whole call on the event', async () => {
    await chat({ model: MODEL, messages: HI }, { 'x-request-id': 'in-process-1' });
    expect(setup.ended).toHaveLength(1);
    expect(setup.ended[0]).toMatchObject({
      requestId: 'in-process-1',
      method: 'POST',
      path: '/v1/chat/completions',
      httpRoute: '/v1/chat/completions',
      apiFamily: 'chat',
      status: 200,
      stream: false,
      modelAsked: MODEL,
      model: MODEL,
      attempts: 1,
      retries: 0,
      fallbacks: 0,
      upstreamStarted: true,
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    });
    expect(setup.ended[0].errorCode).toBeUndefined();
    expect(setup.ended[0].overheadMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses an invalid body with a 400 naming the field, before any upstream call', async () => {
    const response = await chat({ model: MODEL });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: {
        message: 'messages must be an array of messages',
        type: 'invalid_request_error',
        code: null,
        param: 'messages',
      },
    });
    expect(setup.groq.calls).toHaveLength(0);
    expect(setup.ended[0]).toMatchObject({
      status: 400,
      modelAsked: MODEL,
      upstreamStarted: false,
    });
  });

  it.each([
    ['no tool_call_id', {}],
    ['a null tool_call_id', { tool_call_id: null }],
  ])(
    'refuses a tool message with %s, saying the id is required, before any upstream call',
    async (_name, fields) => {
      const response = await chat({
        model: MODEL,
        messages: [...HI, { role: 'tool', content: 'sunny', ...fields }],
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        error: {
          message: 'messages[1].tool_call_id is required on a tool message and must be a string',
          type: 'invalid_request_error',
          code: null,
          param: 'messages[1].tool_call_id',
        },
      });
      expect(setup.groq.calls).toHaveLength(0);
    },
  );

  it('refuses a bad fallback name before any upstream call', async () => {
    const response = await chat({ model: MODEL, messages: HI, fallbacks: ['bad model!'] });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: {
        message:
          "model must be at most 256 characters of letters, digits and . _ - : / (for example groq/openai/gpt-oss-120b); 'bad model!' is not.",
        type: 'invalid_request_error',
        code: 'invalid_model',
        param: 'fallbacks',
      },
    });
    expect(setup.groq.calls).toHaveLength(0);
  });

  it('streams SSE frames, then [DONE], with usage on the ended call', async () => {
    const response = await chat({ model: MODEL, messages: HI, stream: true });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const frames = response.body.split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('data: [DONE]');
    expect(frames.slice(0, -1).map((frame) => JSON.parse(frame.replace(/^data: /, '')))).toEqual(
      // Groq's chunks as they came, each under the model's public name.
      chunksSaying(['Hel', 'lo']).map((chunk) => ({ ...chunk, model: MODEL })),
    );
    expect(setup.groq.calls[0].body.stream).toBe(true);
    expect(setup.ended[0]).toMatchObject({
      status: 200,
      stream: true,
      usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
    });
    expect(setup.ended[0].firstByteMs).toBeGreaterThan(0);
  });

  it('answers an upstream 400 before the first chunk with its status, not a 200 stream', async () => {
    setup.groq.failures.push(
      new GatewayError({ status: 400, message: 'Groq says no', code: 'model_decommissioned' }),
    );
    const response = await chat({ model: MODEL, messages: HI, stream: true });
    expect(response.statusCode).toBe(400);
    // A retired model's error names its successor (issue 15) and points at the model field.
    expect(response.json()).toEqual({
      error: {
        message:
          'Groq says no Its successor is `groq/openai/gpt-oss-120b`: send that, or set models.onRetired: substitute to have the gateway do it.',
        type: 'invalid_request_error',
        code: 'model_decommissioned',
        param: 'model',
      },
    });
    expect(setup.ended[0]).toMatchObject({
      status: 400,
      errorCode: 'model_decommissioned',
      stream: true,
    });
  });

  it('a failure mid-stream is one in-band error frame, recorded on the call', async () => {
    setup.groq.failAfterChunks = upstreamBrokeMidStream();
    try {
      const response = await chat({ model: MODEL, messages: HI, stream: true });
      const frames = response.body.split('\n\n').filter(Boolean);
      expect(frames.at(-1)).toBe(
        'data: {"error":{"message":"upstream broke","type":"api_error","code":"upstream_stream_incomplete","param":null}}',
      );
      expectEndedFailedMidStream(setup);
    } finally {
      setup.groq.failAfterChunks = undefined;
    }
  });

  it('retries on another key only once the first attempt failed', async () => {
    setup.groq.failures.push(
      new GatewayError({ status: 503, message: 'busy', type: 'api_error', code: 'upstream_error' }),
    );
    const response = await chat({ model: MODEL, messages: HI });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-gateway-attempts']).toBe('2');
    const keys = setup.groq.calls.map((call) => call.keyId);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
    expect(setup.ended[0]).toMatchObject({ attempts: 2, retries: 1 });
  });
});
