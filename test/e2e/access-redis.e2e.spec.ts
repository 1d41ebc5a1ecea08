import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { GroqEmulator } from '../emulator/emulator';
import { adminCall, makeToken } from './support/access';
import { startGateway, type GatewayProcess } from './support/gateway-process';
import { ADMIN_KEY } from './support/governance-fixtures';
import { startRedisServer, type RedisServer } from './support/redis-server';
import { GATEWAY_KEY } from './support/stack';

describe('access with REDIS_URL: tokens shared by two replicas on one real redis-server', () => {
  let redis: RedisServer;
  let emulator: GroqEmulator;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    emulator = new GroqEmulator({ keys: [GATEWAY_KEY] });
    const upstream = await emulator.start();
    const env = {
      GROQ_BASE_URL: upstream,
      GROQ_API_KEY: GATEWAY_KEY,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      REDIS_URL: redis.url,
    };
    [a, b] = await Promise.all([startGateway(env), startGateway(env)]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await emulator?.stop();
    await redis?.stop();
  });

  it('a token made on one replica works on the other; deleted on the other, it stops on both', async () => {
    const made = await makeToken(a.url, ADMIN_KEY, { name: 'fleet', role: 'auditor' });
    expect((await adminCall(b.url, 'GET', '/admin/keys', made.token)).status).toBe(200);
    const listed = await adminCall(b.url, 'GET', '/admin/tokens', ADMIN_KEY);
    expect((listed.json.data as Array<{ id: string }>).map((t) => t.id)).toContain(made.id);
    expect((await adminCall(b.url, 'DELETE', `/admin/tokens/${made.id}`, ADMIN_KEY)).status).toBe(
      200,
    );
    for (const gateway of [a, b]) {
      const answer = await adminCall(gateway.url, 'GET', '/admin/keys', made.token);
      expect(answer.status).toBe(401);
    }
  });

  it('keeps only the digest in Redis, and refuses a token whose expiry has passed', async () => {
    const made = await makeToken(a.url, ADMIN_KEY, {
      name: 'expiring',
      role: 'viewer',
      teams: ['search'],
      expiresInDays: 1,
    });
    const client = new Redis(redis.url);
    try {
      const stored = await client.hget('gw:tokens', made.id);
      expect(stored).not.toContain(made.token);
      const digest = createHash('sha256').update(made.token).digest('hex');
      expect(await client.hget('gw:tokens:digest', digest)).toBe(made.id);
      expect((await adminCall(b.url, 'GET', '/admin/stats', made.token)).status).not.toBe(401);
      // A day later, as far as the record is concerned: its expiry moved into the past.
      const record = JSON.parse(stored as string) as Record<string, unknown>;
      record.expiresAt = new Date(Date.now() - 1000).toISOString();
      await client.hset('gw:tokens', made.id, JSON.stringify(record));
    } finally {
      client.disconnect();
    }
    for (const gateway of [a, b]) {
      const answer = await adminCall(gateway.url, 'GET', '/admin/stats', made.token);
      expect(answer.status).toBe(401);
      expect(answer.json.error).toMatchObject({ code: 'access_token_expired' });
    }
    const listed = await adminCall(a.url, 'GET', '/admin/tokens', ADMIN_KEY);
    const expired = (listed.json.data as Array<{ id: string; expired: boolean }>).find(
      (t) => t.id === made.id,
    );
    expect(expired?.expired).toBe(true);
  });
});
