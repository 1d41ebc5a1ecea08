import { GroqEmulator } from '../emulator/emulator';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, admin, chat, MODEL, writeGatewayConfig } from './support/governance-fixtures';
import { RedisServer, startRedisServer } from './support/redis-server';
import { manyKeys } from './support/stack';

const SHARED_KEY = 'vk-shared-team-secret-00000000000';
const OTHER_KEY = 'vk-other-team-secret-000000000000';
const LIMIT = 10;
const REDIS_PASSWORD = 'redis-password-never-logged-42';

const CONFIG = `
governance:
  virtualKeys:
    - { id: shared-team, keyEnv: SHARED_KEY, requestsPerMinute: ${LIMIT} }
    - { id: other-team, keyEnv: OTHER_KEY, requestsPerMinute: 100000 }
`;

async function eventually(check: () => Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('governance in Redis: replicas share one set of limits and keys', () => {
  let redis: RedisServer;
  let emulator: GroqEmulator;
  let env: Record<string, string>;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let closed: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer(REDIS_PASSWORD);
    const keys = manyKeys(4);
    emulator = new GroqEmulator({ keys: keys.split(',') });
    const upstream = await emulator.start();
    env = {
      GROQ_BASE_URL: upstream,
      GROQ_API_KEYS: keys,
      GATEWAY_CONFIG: writeGatewayConfig(CONFIG).path,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      SHARED_KEY,
      OTHER_KEY,
      REDIS_URL: redis.url,
    };
    [a, b, closed] = await Promise.all([
      startGateway(env),
      startGateway(env),
      startGateway({ ...env, GOVERNANCE_ON_STORE_FAILURE: 'closed' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a, b, closed].map((gateway) => gateway?.stop()));
    await emulator?.stop();
    await redis?.stop();
  });

  it('says its state is shared in Redis', () => {
    expect(a.output()).toMatch(/state in Redis, shared by replicas/);
  });

  it(`two gateways together admit exactly ${LIMIT} of ${LIMIT * 3} concurrent requests`, async () => {
    const answers = await Promise.all(
      Array.from({ length: LIMIT * 3 }, (_, i) => chat((i % 2 ? a : b).url, SHARED_KEY)),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(LIMIT * 2);
    // Both replicas served some and refused some: the limit is one, not one each.
    const servedBy = (gateway: GatewayProcess) =>
      answers.filter((answer, i) => answer.status === 200 && (i % 2 ? a : b) === gateway).length;
    expect(servedBy(a) + servedBy(b)).toBe(LIMIT);
    expect(emulator.chatRequests().length).toBe(LIMIT);
  });

  it('a key made on one replica works on another at once; revoked there, it stops on both', async () => {
    const created = await admin(a.url, 'POST', '', { id: 'made-on-a' });
    const key = created.json.key as string;
    expect((await chat(b.url, key)).status).toBe(200);
    await admin(a.url, 'DELETE', '/made-on-a');
    expect((await chat(a.url, key)).status).toBe(401);
    // Replicas reload keys when the store's version moves, checked every second.
    await eventually(async () => (await chat(b.url, key)).status === 401, 3000);
  });

  it('a restarted gateway loses nothing: the counters are in Redis', async () => {
    await a.stop();
    a = await startGateway(env);
    const usage = await admin(a.url, 'GET', '/shared-team/usage');
    expect(usage.json.lastMinute).toMatchObject({ requests: LIMIT });
    expect((await chat(a.url, SHARED_KEY)).status).toBe(429);
  });

  it('Redis gone: fail open admits (and says so), fail closed answers 503; both recover', async () => {
    await redis.stop();
    // fail open (the default): admitted, uncounted, flagged
    await eventually(async () => {
      const answer = await chat(b.url, OTHER_KEY);
      return (
        answer.status === 200 && answer.headers.get('x-gateway-governance') === 'store-unavailable'
      );
    });
    // fail closed: refused in the envelope, with retry-after
    const refused = await chat(closed.url, OTHER_KEY);
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatchObject({ code: 'governance_unavailable' });
    expect(refused.headers.get('retry-after')).toBe('1');
    // an unknown key is never admitted, store or no store
    expect((await chat(b.url, 'vk-unknown')).status).not.toBe(200);

    await redis.restart();
    for (const gateway of [b, closed]) {
      await eventually(async () => {
        const answer = await chat(gateway.url, OTHER_KEY);
        return (
          answer.status === 200 && answer.headers.get('x-ratelimit-limit-requests') === '100000'
        );
      });
    }
    expect(b.output()).toMatch(/Governance store unavailable/);
    // Counting again: the shared limit holds after recovery (Redis restarted empty here).
    const answers = await Promise.all(
      Array.from({ length: LIMIT + 5 }, (_, i) => chat((i % 2 ? a : b).url, SHARED_KEY)),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(LIMIT);
  });

  it('a Groq 429 seen by one replica rests that key for that model on the others (key health shared)', async () => {
    emulator.reset();
    emulator.queueFaults('429;retry-after=30');
    // A meets the 429, rests that key, and answers from another key.
    expect((await chat(a.url, OTHER_KEY)).status).toBe(200);
    const [limited] = emulator
      .chatRequests()
      .map((r) => String(r.headers.authorization).replace('Bearer ', ''));
    const upstreamModel = MODEL.replace(/^groq\//, '');
    await eventually(
      async () => b.output().includes(`rests for model '${upstreamModel}' for`),
      3000,
    );
    emulator.reset();
    for (let i = 0; i < 8; i++) expect((await chat(b.url, OTHER_KEY)).status).toBe(200);
    const usedByB = emulator
      .chatRequests()
      .map((r) => String(r.headers.authorization).replace('Bearer ', ''));
    expect(usedByB).toHaveLength(8);
    expect(usedByB).not.toContain(limited);
    // Groq limits each model on its own: another model still goes to that key. Live health
    // weighs keys by latency (a slow key keeps a fifth of its share), so on a loaded machine a
    // few calls may all go elsewhere; the smooth rotation reaches a key of a fifth of the weight
    // within 16 picks, and 40 leaves room for the weights moving meanwhile.
    emulator.reset();
    const keysSent = () =>
      emulator.chatRequests().map((r) => String(r.headers.authorization).replace('Bearer ', ''));
    for (let i = 0; i < 40 && !keysSent().includes(limited); i++)
      expect((await chat(b.url, OTHER_KEY, { model: 'groq/openai/gpt-oss-20b' })).status).toBe(200);
    expect(keysSent()).toContain(limited);
  });

  it('never logs the Redis URL password or a key', () => {
    for (const gateway of [a, b, closed]) {
      expect(gateway.output()).not.toContain(SHARED_KEY);
      expect(gateway.output()).not.toContain(ADMIN_KEY);
      expect(gateway.output()).not.toContain(REDIS_PASSWORD);
    }
  });
});
