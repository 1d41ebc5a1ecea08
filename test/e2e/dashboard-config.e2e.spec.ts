import { GroqEmulator } from '../emulator/emulator';
import { adminCall, makeToken } from './support/access';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { RedisServer, startRedisServer } from './support/redis-server';
import { FakeVault } from './support/secret-stores/fake-vault';
import { TEST_CA_FILE } from './support/secret-stores/local-server';
import { tempFiles } from './support/secret-stores/secret-fixtures';

/** The answer's JSON, walked loosely: its shape is what these tests check. */
type Json = { [key: string]: Json } & { map<T>(visit: (item: Json) => T): T[] };

/** Real secrets of every kind the configuration holds; none may appear in GET /admin/config. */
const SECRETS = {
  groqKey: 'gsk_config_view_vault_key_00000001',
  groqKey2: 'gsk_config_view_env_key_000000002',
  adminKey: ADMIN_KEY,
  oidcClientSecret: 'oidc-config-view-client-secret-31',
  redisPassword: 'redis-config-view-password-57',
  slackWebhook: 'https://hooks.slack.com/services/T000/B000/configviewsecretpath',
  pagerdutyRoutingKey: 'pd-config-view-routing-key-0099',
  smtpPassword: 'smtp-config-view-password-71',
  webhookSecret: 'webhook-config-view-signing-secret',
  vaultToken: 'hvs.config-view-vault-token-0123456',
  virtualKey: 'vk-config-view-virtual-key-0000000',
};

describe('GET /admin/config: the effective configuration, secrets as references only', () => {
  let vault: FakeVault;
  let redis: RedisServer;
  let emulator: GroqEmulator;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    vault = new FakeVault(true);
    vault.addToken(SECRETS.vaultToken);
    vault.putV2('secret', 'groq', { 'api-key': SECRETS.groqKey });
    await vault.start();
    redis = await startRedisServer(SECRETS.redisPassword);
    emulator = new GroqEmulator({ keys: [SECRETS.groqKey, SECRETS.groqKey2] });
    const upstream = await emulator.start();
    const files = tempFiles({ 'hook-secret': `${SECRETS.webhookSecret}\n` });
    const config = writeGatewayConfig(`
groq:
  keys:
    - { id: from-vault, key: 'vault://secret/groq#api-key' }
    - { id: from-env, keyEnv: SECOND_GROQ_KEY }
auth:
  publicUrl: http://127.0.0.1:1
  oidc:
    issuer: http://127.0.0.1:1/idp
    clientId: gateway-config-view
    clientSecret: ${SECRETS.oidcClientSecret}
  roleMappings:
    - { match: admins, role: admin }
teams:
  - { id: search, name: Search, budget: { usd: 100, period: monthly } }
governance:
  virtualKeys:
    - { id: config-view, keyEnv: CONFIG_VIEW_KEY, team: search }
alerts:
  allowPrivateNetworks: true
  channels:
    - { id: team-slack, kind: slack, webhookUrlEnv: SLACK_WEBHOOK }
    - { id: oncall, kind: pagerduty, routingKey: ${SECRETS.pagerdutyRoutingKey} }
    - id: mail
      kind: email
      smtpUrl: 'smtp://gateway:${SECRETS.smtpPassword}@127.0.0.1:2525'
      from: gateway@example.com
      to: [platform@example.com]
    - { id: hook, kind: webhook, url: 'http://127.0.0.1:9/hook', secretFile: ${files['hook-secret']} }
  rules:
    - { id: errors, kind: error_rate, threshold: 0.5, channels: [team-slack, oncall] }
`);
    gateway = await startGateway({
      GROQ_BASE_URL: upstream,
      GATEWAY_CONFIG: config.path,
      GATEWAY_ADMIN_KEY: SECRETS.adminKey,
      SECOND_GROQ_KEY: SECRETS.groqKey2,
      CONFIG_VIEW_KEY: SECRETS.virtualKey,
      SLACK_WEBHOOK: SECRETS.slackWebhook,
      REDIS_URL: `redis://:${SECRETS.redisPassword}@127.0.0.1:${redis.port}`,
      VAULT_ADDR: vault.url,
      VAULT_CACERT: TEST_CA_FILE,
      VAULT_TOKEN: SECRETS.vaultToken,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await emulator?.stop();
    await redis?.stop();
    await vault?.stop();
  });

  it('answers admin and auditor, with every setting and not one secret value', async () => {
    const auditor = await makeToken(gateway.url, ADMIN_KEY, {
      name: 'config auditor',
      role: 'auditor',
    });
    for (const bearer of [ADMIN_KEY, auditor.token]) {
      const answer = await adminCall(gateway.url, 'GET', '/admin/config', bearer);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      for (const [name, secret] of Object.entries(SECRETS))
        expect({ name, found: answer.text.includes(secret) }).toEqual({ name, found: false });
      const view = answer.json as Json;
      // The secrets are shown by where they come from.
      expect(view.groq.keys.map((k) => k.id)).toEqual(['from-vault', 'from-env']);
      expect(view.groq.keySources).toEqual([
        { secretRef: 'vault://secret/groq#api-key' },
        { secretRef: 'env:SECOND_GROQ_KEY' },
      ]);
      expect(view.governance.adminKey).toEqual({ secretRef: 'env:GATEWAY_ADMIN_KEY' });
      expect(view.auth.oidc).toMatchObject({
        clientId: 'gateway-config-view',
        clientSecret: 'set (redacted)',
      });
      expect(view.redis).toEqual({
        url: `redis://:***@127.0.0.1:${redis.port}`,
        source: { secretRef: 'env:REDIS_URL' },
      });
      const channels = Object.fromEntries(view.alerts.channels.map((c) => [c.id, c])) as Record<
        string,
        Json
      >;
      expect(channels['team-slack']).toEqual({
        id: 'team-slack',
        kind: 'slack',
        host: 'hooks.slack.com',
        webhookUrl: { secretRef: 'env:SLACK_WEBHOOK' },
      });
      expect(channels.oncall.routingKey).toBe('set (redacted)');
      expect(channels.mail.smtpUrl).toBe('smtp://***:***@127.0.0.1:2525');
      expect(channels.hook.secret).toEqual({ secretRef: expect.stringMatching(/^file:\//) });
      expect(view.secrets.vault).toMatchObject({ token: { secretRef: 'env:VAULT_TOKEN' } });
      expect(view.secrets.references).toEqual([
        {
          setting: 'GATEWAY_CONFIG groq.keys[0].key',
          reference: 'vault://secret/groq#api-key',
        },
      ]);
      // And the plain settings are there.
      expect(view.alerts.rules[0]).toMatchObject({ id: 'errors', kind: 'error_rate' });
      expect(view.governance.teams).toEqual([
        { id: 'search', name: 'Search', budget: { usd: 100, period: 'monthly' } },
      ]);
      expect(view.governance.virtualKeys[0]).toMatchObject({ id: 'config-view', team: 'search' });
    }
    // Nothing in the gateway's own output either.
    for (const secret of Object.values(SECRETS)) expect(gateway.output()).not.toContain(secret);
  });

  it('refuses developer and viewer (config.read) and an anonymous caller', async () => {
    for (const role of ['developer', 'viewer']) {
      const token = await makeToken(gateway.url, ADMIN_KEY, {
        name: `config ${role}`,
        role,
        teams: ['search'],
      });
      const answer = await adminCall(gateway.url, 'GET', '/admin/config', token.token);
      expect(answer.status).toBe(403);
      expect(answer.json.error).toMatchObject({ code: 'permission_denied' });
    }
    expect((await adminCall(gateway.url, 'GET', '/admin/config', null)).status).toBe(401);
  });
});
