import Redis from 'ioredis';
import { GroqEmulator } from '../emulator/emulator';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, admin, chat, writeGatewayConfig } from './support/governance-fixtures';
import { RedisServer, startRedisServer } from './support/redis-server';
import { manyKeys } from './support/stack';

const BUDGET_KEY = 'vk-holds-budget-secret-00000000000';
const TOKENS_KEY = 'vk-holds-tokens-secret-00000000000';
// Dear prices, so a clamped call holds all of a small budget: USD per million tokens.
const CONFIG = `
governance:
  prices:
    llama-3.3-70b-versatile: { input: 10, output: 30 }
  virtualKeys:
    - { id: holds-budget, keyEnv: BUDGET_KEY, budget: { usd: 0.05, period: daily } }
    - { id: holds-tokens, keyEnv: TOKENS_KEY, tokensPerMinute: 3000 }
`;

interface InFlight {
  calls: number;
  reservedTokens: number;
  reservedUsd: number;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Holds nobody settles after a Redis blip: a settlement the store did not take, and an admission
 * that landed after the gateway gave up on it. Either used to leave the call's hold in place for
 * the whole lease (10 minutes here, the default), refusing every later call of the key.
 */
describe('a Redis blip leaves no hold behind (settlements retried, late admissions released)', () => {
  let redis: RedisServer;
  let emulator: GroqEmulator;
  let open: GatewayProcess;
  let closed: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    const keys = manyKeys(2);
    emulator = new GroqEmulator({ keys: keys.split(',') });
    const upstream = await emulator.start();
    const env = {
      GROQ_BASE_URL: upstream,
      GROQ_API_KEYS: keys,
      GATEWAY_CONFIG: writeGatewayConfig(CONFIG).path,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      BUDGET_KEY,
      TOKENS_KEY,
      REDIS_URL: redis.url,
    };
    [open, closed] = await Promise.all([
      startGateway(env),
      startGateway({ ...env, GOVERNANCE_ON_STORE_FAILURE: 'closed' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open, closed].map((gateway) => gateway?.stop()));
    await emulator?.stop();
    await redis?.stop();
  });

  const usageOf = async (id: string) => {
    const usage = await admin(closed.url, 'GET', `/${id}/usage`);
    return usage.status === 200
      ? (usage.json as { inFlight: InFlight; budget?: { spentUsd: number } })
      : undefined;
  };

  it('a settlement Redis did not take (killed mid-call, restarted from its dump) is retried: the hold goes, the use is counted', async () => {
    const call = chat(open.url, BUDGET_KEY, {
      messages: [{ role: 'user', content: '[fault:slow=3000] Hello' }],
    });
    await eventually(async () => (await usageOf('holds-budget'))?.inFlight.calls === 1, 5_000);
    const client = new Redis(redis.url);
    await client.save();
    client.disconnect();
    await redis.stop();

    // Meanwhile, an admin call on the fail-open replica: the store is needed, and the message
    // says so without claiming the gateway refuses requests (it does not: it is open).
    const unavailable = await admin(open.url, 'GET', '/holds-budget/usage');
    expect(unavailable.status).toBe(503);
    const message = (unavailable.json.error as { message: string }).message;
    expect(message).not.toContain('GOVERNANCE_ON_STORE_FAILURE=closed');
    expect(message).toContain('admin request');

    const answer = await call;
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-gateway-max-tokens-clamped')).toBeTruthy();
    await sleep(500);
    // Back with the hold the dump kept, and the call's use not yet counted.
    await redis.restart();
    await eventually(async () => {
      const usage = await usageOf('holds-budget');
      return usage?.inFlight.calls === 0 && (usage.budget?.spentUsd ?? 0) > 0;
    });
    const usage = await usageOf('holds-budget');
    // Counted once: the prompt and the answer, at $10 and $30 a million tokens.
    const spent = answer.json.usage
      ? (answer.json.usage.prompt_tokens * 10 + answer.json.usage.completion_tokens * 30) / 1e6
      : 0;
    expect(usage?.budget?.spentUsd).toBeCloseTo(spent, 6);
    // The key is not blocked: the next call on either replica is served.
    await eventually(async () => (await chat(open.url, BUDGET_KEY)).status === 200, 5_000);
    expect((await chat(closed.url, BUDGET_KEY)).status).toBe(200);
  });

  it('a settlement whose answer was lost (Redis hung as the call ended) is counted once, however often it is retried', async () => {
    const before = (await usageOf('holds-budget'))?.budget?.spentUsd ?? 0;
    const call = chat(open.url, BUDGET_KEY, {
      messages: [{ role: 'user', content: '[fault:slow=2000] Hello' }],
    });
    await eventually(async () => (await usageOf('holds-budget'))?.inFlight.calls === 1, 5_000);
    redis.signal('SIGSTOP');
    let answer: Awaited<ReturnType<typeof chat>>;
    try {
      answer = await call;
      // The settlement and its first retries time out, queued in Redis's socket.
      await sleep(2_500);
    } finally {
      redis.signal('SIGCONT');
    }
    expect(answer.status).toBe(200);
    const usage = answer.json.usage;
    const cost = usage ? (usage.prompt_tokens * 10 + usage.completion_tokens * 30) / 1e6 : 0;
    expect(cost).toBeGreaterThan(0);
    await eventually(async () => (await usageOf('holds-budget'))?.inFlight.calls === 0);
    // Every retry has run by now (they back off from 250 ms, and Redis answers again).
    await sleep(3_000);
    const after = (await usageOf('holds-budget'))?.budget?.spentUsd ?? 0;
    expect(after - before).toBeCloseTo(cost, 6);
  });

  it('an admission that lands after the gateway gave up (Redis hung) is released, on both policies; another call keeps its hold', async () => {
    // A call in flight throughout, whose hold must survive the releases.
    const other = chat(open.url, TOKENS_KEY, {
      max_tokens: 100,
      messages: [{ role: 'user', content: '[fault:slow=15000] Hello' }],
    });
    let held: InFlight | undefined;
    await eventually(async () => {
      held = (await usageOf('holds-tokens'))?.inFlight;
      return held?.calls === 1;
    }, 5_000);

    redis.signal('SIGSTOP');
    let refused: Awaited<ReturnType<typeof chat>>;
    let uncounted: Awaited<ReturnType<typeof chat>>;
    try {
      [refused, uncounted] = await Promise.all([
        chat(closed.url, TOKENS_KEY, { max_tokens: 500 }),
        chat(open.url, TOKENS_KEY, { max_tokens: 500 }),
      ]);
    } finally {
      redis.signal('SIGCONT');
    }
    expect(refused.status).toBe(503);
    expect(refused.json.error?.code).toBe('governance_unavailable');
    expect(uncounted.status).toBe(200);
    expect(uncounted.headers.get('x-gateway-governance')).toBe('store-unavailable');

    // Both replicas count again (their connections ran the late admissions, then the releases).
    for (const gateway of [closed, open])
      await eventually(
        async () =>
          (await chat(gateway.url, TOKENS_KEY, { max_tokens: 5 })).headers.get(
            'x-gateway-budget-reserved-tokens',
          ) !== null,
      );
    // Only the call still running holds anything: the late admissions' holds are gone.
    await eventually(async () => {
      const inFlight = (await usageOf('holds-tokens'))?.inFlight;
      return inFlight?.calls === 1 && inFlight.reservedTokens === held?.reservedTokens;
    }, 5_000);
    expect((await other).status).toBe(200);
    await eventually(async () => (await usageOf('holds-tokens'))?.inFlight.calls === 0, 5_000);
  });
});
