import OpenAI from 'openai';
import { admin, ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { manyKeys, Stack, startStack, waitFor } from './support/stack';

const KEYS = {
  open: 'vk-cost-open-team-000000000000000',
  budget: 'vk-cost-budget-team-0000000000000',
};

// gpt-oss-120b priced high here so the cached rate is plain to see; gpt-oss-20b keeps the
// shipped price (0.075 input, 0.0375 cached, 0.30 output per million).
const PRICE_120B = { input: 100, cachedInput: 10, output: 1000 };
const PRICE_20B = { input: 0.075, cachedInput: 0.0375, output: 0.3 };
const CONFIG = `
governance:
  prices:
    groq/openai/gpt-oss-120b: { input: 100, cachedInput: 10, output: 1000 }
  virtualKeys:
    - { id: open-team, keyEnv: OPEN_KEY }
    - { id: budget-team, keyEnv: BUDGET_KEY, budget: { usd: 5, period: daily } }
`;

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
}

const costOf = (price: typeof PRICE_120B, usage: Usage) => {
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  return (
    ((usage.prompt_tokens - cached) * price.input +
      cached * price.cachedInput +
      usage.completion_tokens * price.output) /
    1e6
  );
};

describe('exact cost accounting', () => {
  let stack: Stack;
  const client = (apiKey: string) =>
    new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey, maxRetries: 0 });

  beforeAll(async () => {
    const config = writeGatewayConfig(CONFIG);
    stack = await startStack({
      GATEWAY_CONFIG: config.path,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      GROQ_API_KEYS: manyKeys(2),
      OPEN_KEY: KEYS.open,
      BUDGET_KEY: KEYS.budget,
    });
  });
  afterAll(() => stack.stop());

  it('answers JSON with x-gateway-cost-usd from the shipped price table, logs and counts it', async () => {
    const { data, response } = await client(KEYS.open)
      .chat.completions.create({
        model: 'groq/openai/gpt-oss-20b',
        messages: [{ role: 'user', content: 'What does this cost?' }],
      })
      .withResponse();
    const expected = costOf(PRICE_20B, data.usage as Usage);
    const header = response.headers.get('x-gateway-cost-usd');
    expect(header).toMatch(/^0\.\d+$/);
    expect(Number(header)).toBeCloseTo(expected, 12);
    expect(Number(header)).toBeGreaterThan(0);

    const requestId = response.headers.get('x-request-id') ?? 'none';
    const accessLine = () =>
      stack.gateway
        .output()
        .split('\n')
        .find((l) => l.includes(requestId) && l.includes('request completed'));
    await waitFor(() => accessLine() !== undefined);
    expect(JSON.parse(accessLine() ?? '{}').costUsd).toBe(header);

    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    const counted =
      /groq_gateway_cost_usd_total\{model="groq\/openai\/gpt-oss-20b",virtual_key="open-team"\} ([\d.e-]+)/.exec(
        metrics,
      );
    expect(Number(counted?.[1])).toBeCloseTo(expected, 12);
  });

  it('puts the cost in the final usage chunk of a stream', async () => {
    const stream = await client(KEYS.open).chat.completions.create({
      model: 'groq/openai/gpt-oss-20b',
      messages: [{ role: 'user', content: 'Stream the cost' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let last: (Usage & { cost_usd?: number }) | undefined;
    for await (const chunk of stream) if (chunk.usage) last = chunk.usage as typeof last;
    expect(last?.cost_usd).toBeCloseTo(costOf(PRICE_20B, last as Usage), 12);
  });

  it('prices Compound by its usage_breakdown, each model at its price', async () => {
    const { data, response } = await client(KEYS.open)
      .chat.completions.create({
        model: 'groq/compound',
        messages: [{ role: 'user', content: 'Search and answer' }],
      })
      .withResponse();
    const breakdown = (
      data as unknown as {
        usage_breakdown: { models: Array<{ model: string; usage: Usage }> };
      }
    ).usage_breakdown.models;
    const expected = costOf(PRICE_120B, breakdown[0].usage) + costOf(PRICE_20B, breakdown[1].usage);
    expect(Number(response.headers.get('x-gateway-cost-usd'))).toBeCloseTo(expected, 12);
  });

  it('charges cached prompt tokens at the cached rate against a budget', async () => {
    const system = {
      role: 'system' as const,
      content: 'A long shared system prompt that Groq keeps in its prompt cache between calls.',
    };
    const call = (content: string) =>
      client(KEYS.budget)
        .chat.completions.create({
          model: 'groq/openai/gpt-oss-120b',
          messages: [system, { role: 'user', content }],
        })
        .withResponse();
    const first = await call('first question');
    const second = await call('second question');
    const cached = (second.data.usage as Usage).prompt_tokens_details?.cached_tokens ?? 0;
    expect(cached).toBeGreaterThan(10);

    const firstCost = costOf(PRICE_120B, first.data.usage as Usage);
    const secondCost = costOf(PRICE_120B, second.data.usage as Usage);
    // Without the cached rate the second call would cost its cached tokens at the input rate.
    expect(secondCost).toBeLessThan(
      costOf(PRICE_120B, { ...(second.data.usage as Usage), prompt_tokens_details: {} }),
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
});
