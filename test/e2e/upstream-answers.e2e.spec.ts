import Anthropic from '@anthropic-ai/sdk';
import { GATEWAY_KEY, Stack, startStack } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: { error?: { message: string; type: string; code: string | null } };
}

async function post(
  url: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: Answer['json'] = {};
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    // A stream: read as text.
  }
  return { status: response.status, headers: response.headers, text, json };
}

const chatBody = (content: string, extra: Record<string, unknown> = {}) => ({
  model: MODEL,
  messages: [{ role: 'user', content }],
  ...extra,
});

/** The SSE frames' data, parsed (`[DONE]` as a string). */
function frames(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice(6))
    .map((data) => (data === '[DONE]' ? data : (JSON.parse(data) as unknown)));
}

describe('answers Groq should not give: the gateway says whose fault, and lives on', () => {
  let stack: Stack;
  let chatUrl: string;

  beforeAll(async () => {
    // One attempt: each case reads one upstream answer.
    stack = await startStack({ RETRY_MAX_ATTEMPTS: '1', BREAKER_FAILURE_THRESHOLD: '1000' });
    chatUrl = `${stack.gateway.url}/v1/chat/completions`;
  });
  afterAll(() => stack.stop());

  afterEach(async () => {
    // The process is still serving after every case.
    const ok = await post(chatUrl, chatBody('still there?'));
    expect(ok.status).toBe(200);
  });

  it.each(['null', 'empty', 'no-choices', 'null-choice', 'truncated', 'html'])(
    'chat JSON, a 200 of %s: 502 upstream_error saying so',
    async (kind) => {
      const answer = await post(chatUrl, chatBody(`[fault:malformed=${kind}] hi`));
      expect(answer.status).toBe(502);
      expect(answer.json.error).toMatchObject({ type: 'api_error', code: 'upstream_error' });
      expect(answer.json.error?.message).toMatch(/^The groq upstream answered 200 with a body/);
    },
  );

  it('chat JSON with a deadline (the Observable path), a 200 of null: 502, not a crash', async () => {
    const answer = await post(chatUrl, chatBody('[fault:malformed=null] hi'), {
      'x-request-timeout-ms': '5000',
    });
    expect(answer.status).toBe(502);
    expect(answer.json.error?.code).toBe('upstream_error');
  });

  it('a stream whose first event is null: 502 before any byte', async () => {
    const answer = await post(
      chatUrl,
      chatBody('[fault:malformed=null;after=0] hi', { stream: true }),
    );
    expect(answer.status).toBe(502);
    expect(answer.json.error?.code).toBe('upstream_error');
  });

  it('a stream with a null event after its first chunk: the error in the stream, no [DONE]', async () => {
    const answer = await post(
      chatUrl,
      chatBody('[fault:malformed=null;after=2] hi', { stream: true }),
    );
    expect(answer.status).toBe(200);
    const data = frames(answer.text);
    expect(data).not.toContain('[DONE]');
    expect(data.at(-1)).toMatchObject({
      error: {
        code: 'upstream_error',
        message: expect.stringMatching(/a stream event/) as unknown,
      },
    });
  });

  it('Responses and Anthropic, a 200 with no choices: 502 in their own envelopes', async () => {
    const responses = await post(`${stack.gateway.url}/v1/responses`, {
      model: MODEL,
      input: '[fault:malformed=no-choices] hi',
    });
    expect(responses.status).toBe(502);
    expect(responses.json.error?.code).toBe('upstream_error');

    const anthropic = new Anthropic({
      baseURL: `${stack.gateway.url}/anthropic`,
      apiKey: 'sk-ant-client',
      maxRetries: 0,
    });
    await expect(
      anthropic.messages.create({
        model: MODEL,
        max_tokens: 20,
        messages: [{ role: 'user', content: '[fault:malformed=null] hi' }],
      }),
    ).rejects.toMatchObject({
      status: 502,
      error: { type: 'error', error: { type: 'api_error' } },
    });
  });

  it.each([
    ['JSON', {}],
    ['a stream', { stream: true }],
  ])('an upstream error quoting the key sent: redacted (%s)', async (_what, extra) => {
    const answer = await post(chatUrl, chatBody('[fault:echo-key=400] hi', extra));
    expect(answer.status).toBe(400);
    expect(answer.json.error?.message).toBe('Invalid API Key provided: [redacted]');
    expect(answer.text).not.toContain(GATEWAY_KEY);
    expect(stack.gateway.output()).not.toContain(GATEWAY_KEY);
  });
});

describe('x-gateway-attempts and x-gateway-key-id say what was sent', () => {
  let stack: Stack;
  let chatUrl: string;

  beforeAll(async () => {
    stack = await startStack({ RETRY_MAX_ATTEMPTS: '1' });
    chatUrl = `${stack.gateway.url}/v1/chat/completions`;
  });
  afterAll(() => stack.stop());

  it("a call cut short by the caller's deadline names the attempt under way", async () => {
    const answer = await post(chatUrl, chatBody('[fault:hang] hi'), {
      'x-request-timeout-ms': '500',
    });
    expect(answer.status).toBe(504);
    expect(answer.json.error?.code).toBe('deadline_exceeded');
    expect(answer.headers.get('x-gateway-model')).toBe(MODEL);
    expect(answer.headers.get('x-gateway-key-id')).toBe('key-1');
    expect(answer.headers.get('x-gateway-attempts')).toBe('1');
  });

  it("the gateway's own 429 while every key rests: no attempt, no key named", async () => {
    const limited = await post(chatUrl, chatBody('[fault:429;retry-after=30] hi'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-gateway-attempts')).toBe('1');
    const sent = stack.emulator.chatRequests().length;

    const resting = await post(chatUrl, chatBody('hi'));
    expect(resting.status).toBe(429);
    expect(stack.emulator.chatRequests()).toHaveLength(sent);
    expect(resting.headers.get('x-gateway-attempts')).toBe('0');
    expect(resting.headers.has('x-gateway-key-id')).toBe(false);
  });
});
