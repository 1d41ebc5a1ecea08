import OpenAI from 'openai';
import { caught } from './support/caught';
import { admin, ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { waitForLogs } from './support/request-logs';
import { manyKeys, Stack, startStack, waitFor } from './support/stack';

const MODEL = 'groq/openai/gpt-oss-20b';
// The shipped price of openai/gpt-oss-20b (USD per million tokens), and gpt-oss-120b priced high
// here so that the cached rate is plain to see.
const PRICE_20B = { input: 0.075, cachedInput: 0.0375, output: 0.3 };
const PRICE_120B = { input: 100, cachedInput: 10, output: 1000 };

const KEYS = {
  open: 'vk-native-open-00000000000000000000',
  budget: 'vk-native-budget-000000000000000000',
  narrow: 'vk-native-narrow-000000000000000000',
  guarded: 'vk-native-guarded-00000000000000000',
  retired: 'vk-native-retired-00000000000000000',
};

const CONFIG = `
responses:
  mode: native
models:
  onRetired: warn
fallbacks:
  groq/qwen/qwen3-32b: [groq/openai/gpt-oss-20b]
governance:
  prices:
    groq/openai/gpt-oss-120b: { input: 100, cachedInput: 10, output: 1000 }
  virtualKeys:
    - { id: open-team, keyEnv: OPEN_KEY }
    - { id: budget-team, keyEnv: BUDGET_KEY, budget: { usd: 5, period: daily } }
    - { id: narrow-team, keyEnv: NARROW_KEY, models: [groq/qwen/qwen3-32b] }
    - { id: guarded-team, keyEnv: GUARDED_KEY, guardrails: [no-codenames] }
    - { id: retired-team, keyEnv: RETIRED_KEY, onRetired: substitute }
guardrails:
  policies:
    - { id: no-codenames, kind: keywords, stage: both, action: block, words: [project-x] }
`;

interface ResponsesUsage {
  input_tokens: number;
  output_tokens: number;
  input_tokens_details?: { cached_tokens?: number };
  cost_usd?: number;
}

const costOf = (price: typeof PRICE_20B, usage: ResponsesUsage) => {
  const cached = usage.input_tokens_details?.cached_tokens ?? 0;
  return (
    ((usage.input_tokens - cached) * price.input +
      cached * price.cachedInput +
      usage.output_tokens * price.output) /
    1e6
  );
};

describe('responses.mode: native, /v1/responses passed through to Groq’s own Responses API', () => {
  let stack: Stack;
  const client = (apiKey: string) =>
    new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey, maxRetries: 0 });

  beforeAll(async () => {
    stack = await startStack({
      GATEWAY_CONFIG: writeGatewayConfig(CONFIG).path,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      GROQ_API_KEYS: manyKeys(3),
      RETRY_MAX_ATTEMPTS: '3',
      OPEN_KEY: KEYS.open,
      BUDGET_KEY: KEYS.budget,
      NARROW_KEY: KEYS.narrow,
      GUARDED_KEY: KEYS.guarded,
      RETIRED_KEY: KEYS.retired,
    });
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  it("sends the request as written to /openai/v1/responses and answers Groq's response", async () => {
    const request = {
      model: MODEL,
      instructions: 'Be brief.',
      input: 'Tell me about the moon',
      max_output_tokens: 200,
      reasoning: { effort: 'low' as const },
      metadata: { ticket: 'T-1' },
    };
    const { data, response } = await client(KEYS.open).responses.create(request).withResponse();

    expect(stack.emulator.chatRequests()).toHaveLength(0);
    const sent = stack.emulator.responsesRequests();
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toEqual({ ...request, model: 'openai/gpt-oss-20b' });

    expect(data.object).toBe('response');
    expect(data.id).toMatch(/^resp_/);
    expect(data.model).toBe(MODEL);
    expect(data.output_text).toBe(
      'Hello from the Groq emulator (openai/gpt-oss-20b). You said: Tell me about the moon',
    );
    // Groq's reasoning item, untouched (the conversion would have made a summary of it).
    expect(data.output[0]).toMatchObject({
      type: 'reasoning',
      content: [{ type: 'reasoning_text' }],
    });
    expect(data.metadata).toEqual({ ticket: 'T-1' });
    expect(response.headers.get('x-gateway-model')).toBe(MODEL);
    expect(response.headers.get('x-gateway-attempts')).toBe('1');

    const usage = data.usage as ResponsesUsage;
    const cost = response.headers.get('x-gateway-cost-usd');
    expect(Number(cost)).toBeGreaterThan(0);
    expect(Number(cost)).toBeCloseTo(costOf(PRICE_20B, usage), 12);

    // The access line, the metrics and the request log count it as they count chat.
    const requestId = response.headers.get('x-request-id') ?? 'none';
    const accessLine = () =>
      stack.gateway
        .output()
        .split('\n')
        .find((l) => l.includes(requestId) && l.includes('request completed'));
    await waitFor(() => accessLine() !== undefined);
    expect(JSON.parse(accessLine() ?? '{}')).toMatchObject({ costUsd: cost, model: MODEL });
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /groq_gateway_cost_usd_total\{model="groq\/openai\/gpt-oss-20b",virtual_key="open-team"\} [\d.e-]+/,
    );
    const records = await waitForLogs(stack.gateway.url, 1, 'limit=1000&virtualKey=open-team');
    const record = records.find((r) => r.request_id === requestId);
    expect(record).toMatchObject({
      api_family: 'responses',
      status: 200,
      model: MODEL,
      prompt_tokens: usage.input_tokens,
      completion_tokens: usage.output_tokens,
      stream: false,
    });
    expect(record?.cost_usd).toBeCloseTo(Number(cost), 12);
  });

  it("streams Groq's events as they come, sequence numbers rising, the cost in the final usage", async () => {
    const stream = client(KEYS.open).responses.stream({ model: MODEL, input: 'Stream this' });
    const events: Array<{ type: string; sequence_number: number }> = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();

    expect(stack.emulator.responsesRequests()[0].body?.stream).toBe(true);
    expect(events[0].type).toBe('response.created');
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_e, i) => i));
    expect(events.some((e) => e.type === 'response.reasoning_text.delta')).toBe(true);
    expect(events.filter((e) => e.type === 'response.output_text.delta').length).toBeGreaterThan(1);
    expect(events[events.length - 1].type).toBe('response.completed');
    expect(final.output_text).toBe(
      'Hello from the Groq emulator (openai/gpt-oss-20b). You said: Stream this',
    );
    expect(final.model).toBe(MODEL);
    const usage = final.usage as ResponsesUsage;
    expect(usage.cost_usd).toBeCloseTo(costOf(PRICE_20B, usage), 12);
  });

  it("is served on the groq-sdk's surface: /groq/openai/v1/responses, JSON and events, model bare", async () => {
    const groqSurface = new OpenAI({
      baseURL: `${stack.gateway.url}/groq/openai/v1`,
      apiKey: KEYS.open,
      maxRetries: 0,
    });
    const json = await groqSurface.responses.create({ model: 'openai/gpt-oss-20b', input: 'Hi' });
    expect(json.model).toBe('openai/gpt-oss-20b');
    expect(json.output_text).toContain('You said: Hi');
    const final = await groqSurface.responses
      .stream({ model: 'openai/gpt-oss-20b', input: 'Stream on groq' })
      .finalResponse();
    expect(final.model).toBe('openai/gpt-oss-20b');
    expect(final.output_text).toContain('You said: Stream on groq');
    expect(stack.emulator.chatRequests()).toHaveLength(0);
    expect(stack.emulator.responsesRequests().map((r) => r.body?.model)).toEqual([
      'openai/gpt-oss-20b',
      'openai/gpt-oss-20b',
    ]);
  });

  it('ends a stream Groq breaks off with one in-band error event, after the events it sent', async () => {
    const response = await fetch(`${stack.gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.open}` },
      body: JSON.stringify({ model: MODEL, input: 'break [fault:stream-error=4]', stream: true }),
    });
    expect(response.status).toBe(200);
    const frames = (await response.text()).split('\n\n').filter(Boolean);
    expect(frames[0]).toMatch(/^event: response.created\n/);
    expect(frames).toHaveLength(5);
    expect(frames[4]).toMatch(/^event: error\ndata: \{"type":"error"/);
    expect(frames[4]).toContain('the model stopped while generating');
  });

  it('carries a conversation with previous_response_id and store, as Groq keeps it', async () => {
    const first = await client(KEYS.open).responses.create({
      model: MODEL,
      input: 'My name is Ada and I like prime numbers.',
      store: true,
    });
    const second = await client(KEYS.open).responses.create({
      model: MODEL,
      input: 'What did I say first? [recall]',
      previous_response_id: first.id,
    });
    expect(second.output_text).toBe('Earlier you said: My name is Ada and I like prime numbers.');
    expect(second.previous_response_id).toBe(first.id);
    expect(stack.emulator.responsesRequests()[1].body).toMatchObject({
      previous_response_id: first.id,
    });
    // Groq priced the earlier turns as input again, most of them from its prompt cache.
    const usage = second.usage as ResponsesUsage;
    expect(usage.input_tokens).toBeGreaterThan((first.usage as ResponsesUsage).input_tokens);
    expect(usage.input_tokens_details?.cached_tokens).toBeGreaterThan(0);
  });

  it('streams a turn that continues a stored conversation', async () => {
    const first = await client(KEYS.open).responses.create({ model: MODEL, input: 'Remember: 42' });
    const stream = client(KEYS.open).responses.stream({
      model: MODEL,
      input: '[recall]',
      previous_response_id: first.id,
    });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Earlier you said: Remember: 42');
  });

  it('offers creation only: a stored response is reached through previous_response_id', async () => {
    const error = await caught(client(KEYS.open).responses.retrieve('resp_123'));
    expect(error.status).toBe(400);
    expect(error.code).toBe('unsupported_operation');
    expect(error.message).toContain('continue a stored conversation with previous_response_id');
  });

  it("gives Groq's own 400 for a previous_response_id it does not know", async () => {
    const error = await caught(
      client(KEYS.open).responses.create({
        model: MODEL,
        input: 'hi',
        previous_response_id: 'resp_unknown',
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('previous_response_id');
    expect(error.message).toContain("Previous response with id 'resp_unknown' not found");
  });

  it('prices cached input tokens at the cached rate against a budget', async () => {
    const budget = client(KEYS.budget);
    const call = (input: string, previous?: string) =>
      budget.responses
        .create({
          model: 'groq/openai/gpt-oss-120b',
          instructions: 'A long shared system prompt that Groq keeps in its prompt cache.',
          input,
          ...(previous ? { previous_response_id: previous } : {}),
        })
        .withResponse();
    const first = await call('first question');
    const second = await call('second question', first.data.id);
    const secondUsage = second.data.usage as ResponsesUsage;
    expect(secondUsage.input_tokens_details?.cached_tokens).toBeGreaterThan(10);

    const firstCost = costOf(PRICE_120B, first.data.usage as ResponsesUsage);
    const secondCost = costOf(PRICE_120B, secondUsage);
    expect(secondCost).toBeLessThan(
      costOf(PRICE_120B, { ...secondUsage, input_tokens_details: { cached_tokens: 0 } }),
    );
    expect(Number(second.response.headers.get('x-gateway-cost-usd'))).toBeCloseTo(secondCost, 12);
    let spent = 0;
    const started = Date.now();
    while (Math.abs(spent - (firstCost + secondCost)) > 1e-9 && Date.now() - started < 3000) {
      const report = await admin(stack.gateway.url, 'GET', '/budget-team/usage');
      spent = (report.json.budget as { spentUsd: number }).spentUsd;
    }
    expect(spent).toBeCloseTo(firstCost + secondCost, 9);
  });

  it("refuses a model the virtual key may not call, before Groq's endpoint is called", async () => {
    const error = await caught(client(KEYS.narrow).responses.create({ model: MODEL, input: 'hi' }));
    expect(error.status).toBe(403);
    expect(error.code).toBe('model_not_allowed');
    expect(stack.emulator.responsesRequests()).toHaveLength(0);
  });

  it('retries on another Groq key and falls back to the configured model, as for chat', async () => {
    stack.emulator.queueFaults('503');
    const retried = await client(KEYS.open)
      .responses.create({ model: MODEL, input: 'once more' })
      .withResponse();
    expect(retried.data.output_text).toContain('You said: once more');
    expect(retried.response.headers.get('x-gateway-attempts')).toBe('2');
    const keys = stack.emulator.responsesRequests().map((r) => r.headers.authorization);
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);

    stack.emulator.reset();
    stack.emulator.setModelFault('qwen/qwen3-32b', '503');
    try {
      const { data, response } = await client(KEYS.open)
        .responses.create({ model: 'groq/qwen/qwen3-32b', input: 'fall back' })
        .withResponse();
      expect(response.headers.get('x-gateway-model')).toBe(MODEL);
      expect(data.model).toBe(MODEL);
      expect(stack.emulator.responsesRequests().map((r) => r.body?.model)).toContain(
        'openai/gpt-oss-20b',
      );
    } finally {
      stack.emulator.setModelFault('qwen/qwen3-32b', undefined);
    }
  });

  it("serves a retired model by its successor on Groq's endpoint for a key that substitutes", async () => {
    const { data, response } = await client(KEYS.retired)
      .responses.create({ model: 'groq/llama-3.3-70b-versatile', input: 'old model' })
      .withResponse();
    expect(response.headers.get('x-gateway-model-substituted')).toBe(
      'groq/llama-3.3-70b-versatile -> groq/openai/gpt-oss-120b',
    );
    expect(stack.emulator.responsesRequests()[0].body?.model).toBe('openai/gpt-oss-120b');
    expect(data.model).toBe('groq/openai/gpt-oss-120b');
  });

  it('converts a call that guardrail policies check, and refuses its stored state saying why', async () => {
    const guarded = client(KEYS.guarded);
    const answer = await guarded.responses.create({ model: MODEL, input: 'checked' });
    expect(answer.output_text).toContain('You said: checked');
    expect(stack.emulator.responsesRequests()).toHaveLength(0);
    expect(stack.emulator.chatRequests()).toHaveLength(1);

    const error = await caught(
      guarded.responses.create({ model: MODEL, input: 'x', previous_response_id: 'resp_1' }),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe('previous_response_id');
    expect(error.message).toContain('guardrail policies apply to it');
  });
});
