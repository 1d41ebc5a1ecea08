import type { GatewayProcess } from './support/gateway-process';
import { gatewayFleet } from './support/gateway-fleet';
import { MODEL, admin, chat } from './support/governance-fixtures';
import { adminGet } from './support/request-logs';

const BUDGET_KEY = 'vk-budget-team-secret-000000000000';
const TOKENS_KEY = 'vk-tokens-team-secret-000000000000';
const STREAM_BUDGET_KEY = 'vk-stream-budget-secret-0000000000';
const STREAM_TOKENS_KEY = 'vk-stream-tokens-secret-0000000000';
const BUDGET_USD = 0.05;
const TOKENS_PER_MINUTE = 3000;
// Dear prices, so a few long answers spend the budget: USD per million tokens.
const PRICE = { input: 10, output: 30 };
const CONFIG = `
governance:
  prices:
    llama-3.3-70b-versatile: { input: ${PRICE.input}, output: ${PRICE.output} }
  virtualKeys:
    - { id: budget-team, keyEnv: BUDGET_KEY, budget: { usd: ${BUDGET_USD}, period: daily } }
    - { id: tokens-team, keyEnv: TOKENS_KEY, tokensPerMinute: ${TOKENS_PER_MINUTE} }
    - { id: stream-budget, keyEnv: STREAM_BUDGET_KEY, budget: { usd: ${BUDGET_USD}, period: daily } }
    - { id: stream-tokens, keyEnv: STREAM_TOKENS_KEY, tokensPerMinute: ${TOKENS_PER_MINUTE} }
`;
const LONG = { messages: [{ role: 'user', content: 'Write at length [words:400]' }] };

type Answer = Awaited<ReturnType<typeof chat>>;

/**
 * A streamed chat call read to its end, with the usage of its last chunk (`include_usage`), in
 * the shape of a JSON answer, so the same sums apply. A refusal comes before the stream opens.
 */
async function streamedChat(baseUrl: string, key: string, body: object): Promise<Answer> {
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({
      model: MODEL,
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  const text = await response.text();
  if (response.status !== 200)
    return { status: response.status, headers: response.headers, json: JSON.parse(text) as never };
  const chunks = text
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => JSON.parse(line.slice(6)) as Answer['json']);
  expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  const usage = chunks.map((chunk) => chunk.usage).find(Boolean);
  expect(usage).toBeDefined();
  return { status: 200, headers: response.headers, json: { usage } };
}

function costUsd(answers: Answer[]): number {
  return answers.reduce((sum, answer) => {
    const usage = answer.json.usage;
    if (answer.status !== 200 || !usage) return sum;
    return sum + (usage.prompt_tokens * PRICE.input + usage.completion_tokens * PRICE.output) / 1e6;
  }, 0);
}

function tokensUsed(answers: Answer[]): number {
  return answers.reduce(
    (sum, answer) => sum + (answer.status === 200 ? (answer.json.usage?.total_tokens ?? 0) : 0),
    0,
  );
}

/** 200 calls at once (JSON or streamed), spread over the gateways given. */
function burst(gateways: GatewayProcess[], key: string, streamed = false): Promise<Answer[]> {
  return Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      (streamed ? streamedChat : chat)(gateways[i % gateways.length].url, key, LONG),
    ),
  );
}

function checkRefusals(answers: Answer[]): void {
  for (const answer of answers.filter((a) => a.status !== 200)) {
    // 503 governance_unavailable: the store did not answer in time (a loaded machine) and the
    // policy is to refuse rather than admit uncounted.
    if (answer.status === 503) {
      expect(answer.json.error?.code).toBe('governance_unavailable');
      continue;
    }
    expect([402, 429]).toContain(answer.status);
    expect(answer.json.error?.message).toBeTruthy();
    // A retry-after, when given, can be met: at most the period's end (a day here).
    const retryAfter = answer.headers.get('retry-after');
    if (retryAfter !== null) expect(Number(retryAfter)).toBeLessThanOrEqual(86_400);
  }
}

describe.each([
  ['memory, one gateway', false],
  ['Redis, two replicas', true],
])('budgets and token limits hold under 200 concurrent calls (%s)', (_name, shared) => {
  const gateways = gatewayFleet({
    shared,
    config: CONFIG,
    env: { BUDGET_KEY, TOKENS_KEY, STREAM_BUDGET_KEY, STREAM_TOKENS_KEY },
    // A limit that must hold refuses while the store cannot answer (on this shared, loaded
    // machine a Redis reply can come after the 1 s command timeout); with `open`, the default,
    // such calls are admitted uncounted and say so (x-gateway-governance: store-unavailable).
    sharedEnv: { GOVERNANCE_ON_STORE_FAILURE: 'closed' },
  });

  it(`spend never passes a $${BUDGET_USD} budget; calls without max_tokens are clamped to what is left`, async () => {
    const answers = await burst(gateways, BUDGET_KEY);
    const served = answers.filter((answer) => answer.status === 200);
    expect(served.length).toBeGreaterThan(0);
    expect(costUsd(answers)).toBeLessThanOrEqual(BUDGET_USD);
    expect(served.some((answer) => answer.headers.get('x-gateway-max-tokens-clamped'))).toBe(true);
    expect(served[0].headers.get('x-gateway-budget-reserved-usd')).toMatch(/^\d+\.\d{6}$/);
    checkRefusals(answers);
    const usage = await admin(gateways[0].url, 'GET', '/budget-team/usage');
    const budget = usage.json.budget as { spentUsd: number };
    expect(budget.spentUsd).toBeLessThanOrEqual(BUDGET_USD);
    expect(usage.json.inFlight).toEqual({ calls: 0, reservedTokens: 0, reservedUsd: 0 });
  });

  it(`tokens never pass ${TOKENS_PER_MINUTE} a minute`, async () => {
    const answers = await burst(gateways, TOKENS_KEY);
    expect(answers.some((answer) => answer.status === 200)).toBe(true);
    expect(tokensUsed(answers)).toBeLessThanOrEqual(TOKENS_PER_MINUTE);
    checkRefusals(answers);
    const usage = await admin(gateways[0].url, 'GET', '/tokens-team/usage');
    expect((usage.json.lastMinute as { tokens: number }).tokens).toBeLessThanOrEqual(
      TOKENS_PER_MINUTE,
    );
  });

  it(`streams: spend never passes a $${BUDGET_USD} budget, tokens never pass ${TOKENS_PER_MINUTE} a minute`, async () => {
    const spent = await burst(gateways, STREAM_BUDGET_KEY, true);
    const used = await burst(gateways, STREAM_TOKENS_KEY, true);
    // Every served call was counted by the store (none admitted uncounted).
    for (const answer of [...spent, ...used])
      expect(answer.headers.get('x-gateway-governance')).toBeNull();
    expect(spent.filter((answer) => answer.status === 200).length).toBeGreaterThan(0);
    expect(costUsd(spent)).toBeLessThanOrEqual(BUDGET_USD);
    expect(
      spent.some(
        (answer) => answer.status === 200 && answer.headers.get('x-gateway-max-tokens-clamped'),
      ),
    ).toBe(true);
    expect(used.some((answer) => answer.status === 200)).toBe(true);
    expect(tokensUsed(used)).toBeLessThanOrEqual(TOKENS_PER_MINUTE);
    checkRefusals([...spent, ...used]);
    const usage = await admin(gateways[0].url, 'GET', '/stream-budget/usage');
    expect((usage.json.budget as { spentUsd: number }).spentUsd).toBeLessThanOrEqual(BUDGET_USD);
    expect(usage.json.inFlight).toEqual({ calls: 0, reservedTokens: 0, reservedUsd: 0 });
  });

  it('a call that fails gives its reservation back at once, not at the end of its lease', async () => {
    const failed = await chat(gateways[0].url, TOKENS_KEY, {
      messages: [{ role: 'user', content: 'fail [fault:500]' }],
      max_tokens: 50,
    });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    let inFlight: unknown;
    for (let i = 0; i < 30; i++) {
      inFlight = (await admin(gateways[0].url, 'GET', '/tokens-team/usage')).json.inFlight;
      if ((inFlight as { calls: number }).calls === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(inFlight).toEqual({ calls: 0, reservedTokens: 0, reservedUsd: 0 });
  });

  it('a max_tokens above the whole token limit is a 400 that says so, with no retry-after', async () => {
    const answer = await chat(gateways[0].url, TOKENS_KEY, {
      ...LONG,
      max_tokens: TOKENS_PER_MINUTE + 1,
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({
      code: 'exceeds_key_token_limit',
      param: 'max_tokens',
    });
    expect(answer.headers.get('retry-after')).toBeNull();
  });
});

describe.each([
  ['memory, one gateway', false],
  ['Redis, two replicas', true],
])('a call longer than its reservation lease keeps its hold (%s)', (_name, shared) => {
  const LEASE_KEY = 'vk-lease-team-secret-0000000000000';
  const gateways = gatewayFleet({
    shared,
    config: `
governance:
  reservationLeaseMs: 1000
  virtualKeys:
    - { id: lease-team, keyEnv: LEASE_KEY, tokensPerMinute: 2000 }
`,
    env: { LEASE_KEY },
  });

  it('a slow stream holding all the tokens still holds them after several leases; the next call fits once it ends', async () => {
    const other = gateways[gateways.length - 1];
    // Clamped to all the key has left, 60 words at 60 ms: about 3.6 s, over three 1 s leases.
    const started = Date.now();
    const slow = streamedChat(gateways[0].url, LEASE_KEY, {
      messages: [{ role: 'user', content: '[fault:latency=0,60] [words:60]' }],
    });
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    const during = await chat(other.url, LEASE_KEY, { max_tokens: 20 });
    const inFlight = (await admin(other.url, 'GET', '/lease-team/usage')).json.inFlight as {
      calls: number;
    };
    const streamed = await slow;
    expect(Date.now() - started).toBeGreaterThan(2_500);
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('x-gateway-max-tokens-clamped')).toBeTruthy();
    expect(during.status).toBe(429);
    expect(during.json.error?.code).toBe('rate_limit_exceeded');
    expect(inFlight.calls).toBe(1);
    // Settled at its real use: what it held beyond that is free again.
    // (The settlement follows the stream's end by a moment.)
    let after = await chat(other.url, LEASE_KEY, { max_tokens: 20 });
    for (let i = 0; i < 20 && after.status === 429; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await chat(other.url, LEASE_KEY, { max_tokens: 20 });
    }
    expect(after.status).toBe(200);
  });
});

describe('a stream left before its last chunk is charged for what it was sent', () => {
  const CHAT_KEY = 'vk-leave-chat-secret-0000000000000';
  const RESPONSES_KEY = 'vk-leave-responses-secret-00000000';
  const BUDGET = 0.001;
  // Groq's list price: $0.59 in, $0.79 out a million tokens; $0.001 pays for about 1,250 tokens.
  const OUTPUT_PRICE = 0.79;
  const gateways = gatewayFleet({
    shared: false,
    config: `
governance:
  prices:
    llama-3.3-70b-versatile: { input: 0.59, output: ${OUTPUT_PRICE} }
  virtualKeys:
    - { id: leave-chat, keyEnv: CHAT_KEY, budget: { usd: ${BUDGET}, period: daily }, tokensPerMinute: 1000000 }
    - { id: leave-responses, keyEnv: RESPONSES_KEY, budget: { usd: ${BUDGET}, period: daily }, tokensPerMinute: 1000000 }
`,
    env: { CHAT_KEY, RESPONSES_KEY },
  });
  const ASK = '[words:1200] [fault:latency=0,1] go';
  const WORD = /"(?:content|delta)":"word ?"/g;

  /**
   * One streamed call whose client reads about 90 % of the answer (1,200 words, or what the
   * budget clamped it to), then leaves; the words it received, 0 when refused.
   */
  async function leaveEarly(path: string, key: string, body: object, id: string): Promise<number> {
    const controller = new AbortController();
    const response = await fetch(`${gateways[0].url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        'x-request-id': id,
      },
      body: JSON.stringify({ model: MODEL, stream: true, ...body }),
      signal: controller.signal,
    });
    if (response.status !== 200) {
      expect(response.status).toBe(402);
      await response.text();
      return 0;
    }
    const clamped = Number(response.headers.get('x-gateway-max-tokens-clamped') ?? 1200);
    const leaveAt = Math.ceil(0.9 * Math.min(1200, clamped));
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let pending = '';
    let words = 0;
    try {
      while (words < leaveAt) {
        const { done, value } = await reader.read();
        if (done) break;
        pending += decoder.decode(value, { stream: true });
        const end = pending.lastIndexOf('\n');
        words += pending.slice(0, end + 1).match(WORD)?.length ?? 0;
        pending = pending.slice(end + 1);
      }
    } finally {
      controller.abort();
    }
    return words;
  }

  it.each([
    [
      '/v1/chat/completions',
      CHAT_KEY,
      'leave-chat',
      { messages: [{ role: 'user', content: ASK }] },
    ],
    ['/v1/responses', RESPONSES_KEY, 'leave-responses', { input: ASK }],
  ])(
    '%s: 20 streams left at 90 %% never get more than the budget pays for; usage, tokens per minute and logs count it',
    async (path, key, keyId, body) => {
      let received = 0;
      for (let i = 0; i < 20; i++) {
        received += await leaveEarly(path, key, body, `${keyId}-${i}`);
        // The call settles as its client leaves; the next admission sees it.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // Each word the emulator streams is one of Groq's tokens.
      const receivedUsd = (received * OUTPUT_PRICE) / 1e6;
      expect(received).toBeGreaterThan(900);
      expect(receivedUsd).toBeLessThanOrEqual(BUDGET);
      const usage = (await admin(gateways[0].url, 'GET', `/${keyId}/usage`)).json;
      const spent = (usage.budget as { spentUsd: number }).spentUsd;
      expect(spent).toBeGreaterThanOrEqual(receivedUsd);
      expect(spent).toBeLessThanOrEqual(BUDGET);
      expect((usage.lastMinute as { tokens: number }).tokens).toBeGreaterThanOrEqual(received);
      expect(usage.inFlight).toEqual({ calls: 0, reservedTokens: 0, reservedUsd: 0 });
      // The access line and the request log say the same as the budget: the output it was sent.
      const line = gateways[0]
        .output()
        .split('\n')
        .find((entry) => entry.includes(`"id":"${keyId}-0"`));
      expect(JSON.parse(line ?? '{}')).toMatchObject({
        res: { statusCode: 499 },
        completionTokens: expect.any(Number),
        usageEstimated: true,
      });
      const completion = (JSON.parse(line as string) as { completionTokens: number })
        .completionTokens;
      expect(completion).toBeGreaterThanOrEqual(0.9 * 1000);
      const record = await adminGet<{ completion_tokens: number; cost_usd: number }>(
        gateways[0].url,
        `/admin/logs/${keyId}-0`,
      );
      expect(record.json).toMatchObject({ completion_tokens: completion });
      expect(record.json.cost_usd).toBeGreaterThan((completion * OUTPUT_PRICE) / 1e6);
    },
  );
});
