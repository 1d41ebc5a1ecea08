import Redis from 'ioredis';
import { GroqEmulator } from '../emulator/emulator';
import { admin, chat } from './support/governance-fixtures';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { startRedisServer, type RedisServer } from './support/redis-server';
import { FakeVault } from './support/secret-stores/fake-vault';
import { TEST_CA_FILE } from './support/secret-stores/local-server';
import { waitForOutput } from './support/secret-stores/secret-fixtures';
import { GATEWAY_KEY } from './support/stack';

const TOKEN = 'hvs.live-rotation-token-0123456789';
const FIRST_ADMIN = 'admin-key-before-rotation-0123456789';
const SECOND_ADMIN = 'admin-key-after-rotation-9876543210';
const FIRST_PASSWORD = 'redis-password-before-rotation-1';
const SECOND_PASSWORD = 'redis-password-after-rotation-22';

/**
 * Issue 19: "a changed admin key or Redis URL takes effect without a restart (Redis reconnects)".
 * Both live in a Vault (a local server speaking Vault's HTTP API); the gateway reads them again
 * every second.
 */
describe('an admin key and a REDIS_URL rotated in the secret store, applied without a restart', () => {
  let vault: FakeVault;
  let emulator: GroqEmulator;
  let redis: RedisServer;
  let gateway: GatewayProcess;

  const redisUrl = (password: string) => `redis://:${password}@127.0.0.1:${redis.port}`;

  beforeAll(async () => {
    redis = await startRedisServer(FIRST_PASSWORD);
    vault = new FakeVault(true);
    vault.addToken(TOKEN);
    vault.putV2('secret', 'gateway', { admin: FIRST_ADMIN, redis: redisUrl(FIRST_PASSWORD) });
    await vault.start();
    emulator = new GroqEmulator({ keys: [GATEWAY_KEY] });
    gateway = await startGateway({
      GROQ_API_KEY: GATEWAY_KEY,
      GROQ_BASE_URL: await emulator.start(),
      VAULT_ADDR: vault.url,
      VAULT_CACERT: TEST_CA_FILE,
      VAULT_TOKEN: TOKEN,
      GATEWAY_ADMIN_KEY: 'vault://secret/gateway#admin',
      REDIS_URL: 'vault://secret/gateway#redis',
      SECRETS_REFRESH_SECONDS: '1',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([emulator.stop(), vault.stop(), redis.stop()]);
  });

  it('the new admin key opens the admin API, the old one no longer does', async () => {
    expect((await admin(gateway.url, 'GET', '', undefined, FIRST_ADMIN)).status).toBe(200);
    vault.putV2('secret', 'gateway', { admin: SECOND_ADMIN, redis: redisUrl(FIRST_PASSWORD) });
    await waitForOutput(gateway.output, /secret\(s\) changed: vault:\/\/secret\/gateway#admin/);
    expect((await admin(gateway.url, 'GET', '', undefined, SECOND_ADMIN)).status).toBe(200);
    expect((await admin(gateway.url, 'GET', '', undefined, FIRST_ADMIN)).status).toBe(401);
    expect(gateway.output()).not.toContain(FIRST_ADMIN);
    expect(gateway.output()).not.toContain(SECOND_ADMIN);
  });

  it('a new Redis password: the gateway reconnects with it; keys made before and after live in Redis', async () => {
    const before = await admin(gateway.url, 'POST', '', { name: 'before-rotation' }, SECOND_ADMIN);
    expect(before.status).toBe(201);
    // The operator rotates Redis's password and drops every connection: the gateway's cannot
    // authenticate any more until the secret store holds the new URL.
    const operator = new Redis(redisUrl(FIRST_PASSWORD), { lazyConnect: true });
    try {
      await operator.connect();
      await operator.config('SET', 'requirepass', SECOND_PASSWORD);
      await operator.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      await operator.client('KILL', 'TYPE', 'pubsub');
    } finally {
      operator.disconnect();
    }
    vault.putV2('secret', 'gateway', { admin: SECOND_ADMIN, redis: redisUrl(SECOND_PASSWORD) });
    await waitForOutput(gateway.output, /REDIS_URL changed/);
    // Reconnected with the new password: keys can be made in Redis again.
    const deadline = Date.now() + 15_000;
    let after = await admin(gateway.url, 'POST', '', { name: 'after-rotation' }, SECOND_ADMIN);
    while (after.status !== 201 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await admin(gateway.url, 'POST', '', { name: 'after-rotation' }, SECOND_ADMIN);
    }
    expect(after.status).toBe(201);
    expect(gateway.output()).not.toMatch(/secret refresh failed/);
    // The key made before the rotation is still known (it lives in Redis) and admits a call.
    expect((await chat(gateway.url, String(before.json.key))).status).toBe(200);
    const reader = new Redis(redisUrl(SECOND_PASSWORD));
    try {
      // Admin-made keys are kept in the gw:keys hash, by id.
      expect(await reader.hkeys('gw:keys')).toEqual(
        expect.arrayContaining([String(before.json.id), String(after.json.id)]),
      );
    } finally {
      reader.disconnect();
    }
    expect(gateway.output()).not.toContain(SECOND_PASSWORD);
    expect(gateway.output()).not.toContain(FIRST_PASSWORD);
  });
});
