import { GroqEmulator } from '../emulator/emulator';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { chat, writeGatewayConfig } from './support/governance-fixtures';
import { RedisServer, startRedisServer } from './support/redis-server';
import { manyKeys, waitFor } from './support/stack';

const FAST_A = 'llama-3.1-8b-instant';
const FAST_B = 'openai/gpt-oss-20b';

const CONFIG = `
routes:
  - id: fast
    strategy: weighted
    targets:
      - { model: groq/${FAST_A}, weight: 50 }
      - { model: groq/${FAST_B}, weight: 50 }
`;

describe('model routes with REDIS_URL: a target 429 rests it on every replica', () => {
  let redis: RedisServer;
  let emulator: GroqEmulator;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    const keys = manyKeys(4);
    emulator = new GroqEmulator({ keys: keys.split(',') });
    const env = {
      GROQ_BASE_URL: await emulator.start(),
      GROQ_API_KEYS: keys,
      GATEWAY_CONFIG: writeGatewayConfig(CONFIG).path,
      REDIS_URL: redis.url,
    };
    [a, b] = await Promise.all([startGateway(env), startGateway(env)]);
  });

  afterAll(async () => {
    await Promise.all([a, b].map((gateway) => gateway?.stop()));
    await emulator?.stop();
    await redis?.stop();
  });

  const askedModels = () => emulator.chatRequests().map((r) => (r.body as { model: string }).model);

  it('replica A meets the 429 on a target; replica B stops sending that target calls', async () => {
    emulator.setModelFault(FAST_B, '429;retry-after=30');
    // A's calls alternate targets: the first to reach B is answered from A's other target.
    for (let i = 0; i < 2; i++)
      expect((await chat(a.url, undefined, { model: 'groq/fast' })).status).toBe(200);
    expect(askedModels()).toContain(FAST_B);
    await waitFor(() => b.output().includes(`route target ${FAST_B} rests for`), 3000);
    emulator.setModelFault(FAST_B, undefined);
    emulator.reset();
    for (let i = 0; i < 10; i++) {
      const answer = await chat(b.url, undefined, { model: 'groq/fast' });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-gateway-model')).toBe(`groq/${FAST_A}`);
    }
    expect(askedModels()).not.toContain(FAST_B);
  });
});
