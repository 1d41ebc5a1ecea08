import { Stack, startStack } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';

/** One metric sample's value from Prometheus text, by name and labels. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
      return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('metrics, logs and trace context', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      RETRY_BASE_DELAY_MS: '5',
      GROQ_API_KEYS: 'gsk_obs_1,gsk_obs_2',
      // A stalled stream is given up on quickly.
      UPSTREAM_IDLE_TIMEOUT_MS: '500',
    });
  });
  afterAll(() => stack.stop());

  it('exposes Prometheus metrics for requests, latency, tokens, streams, retries and keys', async () => {
    await stack.openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'count me' }],
    });
    const stream = await stack.openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'stream me' }],
      stream: true,
    });
    for await (const _chunk of stream) void _chunk;
    stack.emulator.queueFaults('503');
    await stack.openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'retry me' }],
    });

    const response = await fetch(`${stack.gateway.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(
      sample(text, 'groq_gateway_requests_total', {
        route: '/v1/chat/completions',
        model: MODEL,
        status: '200',
      }),
    ).toBe(3);
    expect(
      sample(text, 'groq_gateway_request_duration_seconds_count', {
        route: '/v1/chat/completions',
        stream: 'true',
      }),
    ).toBe(1);
    expect(sample(text, 'groq_gateway_time_to_first_token_seconds_count', { model: MODEL })).toBe(
      1,
    );
    expect(
      sample(text, 'groq_gateway_tokens_total', { model: MODEL, direction: 'in' }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'groq_gateway_tokens_total', { model: MODEL, direction: 'out' }),
    ).toBeGreaterThan(0);
    expect(sample(text, 'groq_gateway_upstream_attempts_total', { model: MODEL })).toBe(4);
    expect(sample(text, 'groq_gateway_retries_total', { route: '/v1/chat/completions' })).toBe(1);
    expect(
      sample(text, 'groq_gateway_overhead_seconds_count', { route: '/v1/chat/completions' }),
    ).toBe(3);
    expect(sample(text, 'groq_gateway_key_available', { key_id: 'key-1' })).toBe(1);
    expect(sample(text, 'groq_gateway_key_error_rate', { key_id: 'key-1' })).toBeDefined();
    expect(sample(text, 'groq_gateway_in_flight_requests')).toBe(0);
    expect(sample(text, 'groq_gateway_open_streams')).toBe(0);
    expect(text).toContain('groq_gateway_process_resident_memory_bytes');
    expect(text).not.toContain('gsk_obs');
  });

  it("says the gateway's own time per response, as LiteLLM's overhead header does", async () => {
    const { response } = await stack.openai.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    const overhead = Number(response.headers.get('x-gateway-overhead-duration-ms'));
    expect(overhead).toBeGreaterThanOrEqual(0);
    expect(overhead).toBeLessThan(1000);
  });

  it("continues the caller's trace to the upstream and echoes it", async () => {
    stack.emulator.reset();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent, tracestate: 'vendor=abc' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'trace me' }] }),
    });
    expect(response.headers.get('traceparent')).toBe(traceparent);
    expect(response.headers.get('tracestate')).toBe('vendor=abc');
    const upstream = stack.emulator.chatRequests()[0].headers;
    expect(upstream.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(upstream.traceparent).not.toBe(traceparent);
    expect(upstream.tracestate).toBe('vendor=abc');
  });

  it('starts a trace when the caller sent none, or an invalid one', async () => {
    stack.emulator.reset();
    const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: 'garbage' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
    });
    const echoed = response.headers.get('traceparent') ?? '';
    expect(echoed).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(String(stack.emulator.chatRequests()[0].headers.traceparent).slice(3, 35)).toBe(
      echoed.slice(3, 35),
    );
  });

  it('logs one JSON line per request with request id, model, key id, status, latency and tokens, and no secret', async () => {
    const { response } = await stack.openai.chat.completions
      .create(
        { model: MODEL, messages: [{ role: 'user', content: 'log me' }] },
        { headers: { 'x-request-id': 'log-test-1' } },
      )
      .withResponse();
    expect(response.headers.get('x-request-id')).toBe('log-test-1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = stack.gateway
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const line = lines.find(
      (entry) => (entry.req as { id?: string } | undefined)?.id === 'log-test-1',
    );
    expect(line).toMatchObject({
      model: MODEL,
      keyId: expect.stringMatching(/^key-\d$/),
      attempts: 1,
      res: { statusCode: 200 },
    });
    expect(line?.responseTime).toEqual(expect.any(Number));
    expect(line?.promptTokens).toEqual(expect.any(Number));
    expect(line?.completionTokens).toEqual(expect.any(Number));
    const output = stack.gateway.output();
    expect(output).not.toContain('gsk_obs_');
    expect(output).not.toContain('sk-client-key-not-forwarded');
    expect(
      lines.some((entry) =>
        String((entry.req as { url?: string } | undefined)?.url).startsWith('/health'),
      ),
    ).toBe(false);
  });

  it.each([
    ['cut', '[fault:cut=3]', 'upstream_unreachable'],
    ['stream-error', '[fault:stream-error=3]', 'service_unavailable'],
    ['stall', '[fault:stall=3]', 'upstream_timeout'],
  ])(
    'logs a stream that fails mid-way (%s) at warn, with its error code, not as completed',
    async (name, fault, code) => {
      const requestId = `mid-stream-${name}`;
      const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({
          model: MODEL,
          messages: [{ role: 'user', content: `a long answer ${fault}` }],
          stream: true,
        }),
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(`"code":"${code}"`);
      let line: Record<string, unknown> | undefined;
      const started = Date.now();
      while (!line && Date.now() - started < 3000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        line = accessLines().find((entry) => (entry.req as { id?: string }).id === requestId);
      }
      expect(line).toMatchObject({
        level: 40,
        res: { statusCode: 200 },
        stream: true,
        errorCode: code,
        msg: 'request failed mid-stream',
      });
    },
  );

  it('counts and logs a wrong method (405) like any other answer', async () => {
    const answer = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      headers: { 'x-request-id': 'wrong-method-1' },
    });
    expect(answer.status).toBe(405);
    let line: Record<string, unknown> | undefined;
    const started = Date.now();
    while (!line && Date.now() - started < 3000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      line = accessLines().find((entry) => (entry.req as { id?: string }).id === 'wrong-method-1');
    }
    expect(line).toMatchObject({
      req: { method: 'GET', url: '/v1/chat/completions' },
      res: { statusCode: 405 },
      errorCode: 'method_not_allowed',
    });
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(sample(metrics, 'groq_gateway_requests_total', { status: '405' })).toBe(1);
  });

  /** The access lines written so far. */
  function accessLines(): Array<Record<string, unknown>> {
    return stack.gateway
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"req":'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
});

describe('OpenAPI document at /docs', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  it('serves the Swagger UI and a document generated from the DTOs', async () => {
    const ui = await fetch(`${stack.gateway.url}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    const document = (await (await fetch(`${stack.gateway.url}/docs/openapi.json`)).json()) as {
      paths: Record<
        string,
        { post?: { requestBody?: { content: Record<string, { schema: { $ref: string } }> } } }
      >;
      components: {
        schemas: Record<
          string,
          { properties: Record<string, Record<string, unknown>>; required?: string[] }
        >;
      };
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/chat/completions',
        '/v1/responses',
        '/v1/completions',
        '/v1/models',
        '/anthropic/v1/messages',
        '/health/ready',
        '/metrics',
        '/admin/keys',
      ]),
    );
    expect(
      document.paths['/admin/keys'].post?.requestBody?.content['application/json'].schema.$ref,
    ).toBe('#/components/schemas/VirtualKeyRequestDto');
    expect(
      document.paths['/v1/chat/completions'].post?.requestBody?.content['application/json'].schema
        .$ref,
    ).toBe('#/components/schemas/ChatCompletionRequestDto');
    const chat = document.components.schemas.ChatCompletionRequestDto;
    expect(chat.required).toEqual(expect.arrayContaining(['model', 'messages']));
    expect(chat.properties.temperature).toMatchObject({ type: 'number', minimum: 0, maximum: 2 });
    expect(chat.properties.messages).toMatchObject({
      type: 'array',
      items: { $ref: '#/components/schemas/ChatMessageDto' },
    });
    expect(document.components.schemas.AnthropicMessagesRequestDto.required).toEqual(
      expect.arrayContaining(['model', 'max_tokens', 'messages']),
    );
  });
});
