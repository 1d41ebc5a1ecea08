import { GroqEmulator } from '../emulator/emulator';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, admin, chat, writeGatewayConfig } from './support/governance-fixtures';
import { RedisServer, startRedisServer } from './support/redis-server';

const BUDGET_KEY = 'vk-budget-team-secret-000000000000';
const TOKENS_KEY = 'vk-tokens-team-secret-000000000000';
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
`;
const LONG = { messages: [{ role: 'user', content: 'Write at length [words:400]' }] };

type Answer = Awaited<ReturnType<typeof chat>>;

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

/** 200 calls at once, spread over the gateways given. */
function burst(gateways: GatewayProcess[], key: string): Promise<Answer[]> {
  return Promise.all(
    Array.from({ length: 200 }, (_, i) => chat(gateways[i % gateways.length].url, key, LONG)),
  );
}

function checkRefusals(answers: Answer[]): void {
  for (const answer of answers.filter((a) => a.status !== 200)) {
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
  let redis: RedisServer | undefined;
  let emulator: GroqEmulator;
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    if (shared) redis = await startRedisServer();
    emulator = new GroqEmulator({ keys: ['gsk_e2e_key_1'] });
    const upstream = await emulator.start();
    const env = {
      GROQ_BASE_URL: upstream,
      GROQ_API_KEY: 'gsk_e2e_key_1',
      GATEWAY_CONFIG: writeGatewayConfig(CONFIG).path,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      BUDGET_KEY,
      TOKENS_KEY,
      ...(redis ? { REDIS_URL: redis.url } : {}),
    };
    for (let i = 0; i < (shared ? 2 : 1); i++) gateways.push(await startGateway(env));
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await emulator?.stop();
    await redis?.stop();
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
