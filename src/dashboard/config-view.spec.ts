import { parse } from 'yaml';
import { loadGatewayConfig } from '../config/load-config';
import { configView, withoutSecrets } from './config-view';
import { redactedUrl } from './secret-sources';

/** The answer's JSON, walked loosely: its shape is what these tests check. */
type Json = { [key: string]: Json } & { map<T>(visit: (item: Json) => T): T[] };

const SECRETS = {
  groq: 'gsk_unit_secret_groq_key_000001',
  admin: 'admin-unit-secret-key-0123456789',
  oidc: 'oidc-unit-client-secret-42',
  redisPassword: 'redis-unit-password-77',
  slack: 'https://hooks.slack.com/services/T0/B0/unitsecretpath',
  pagerduty: 'pd-unit-routing-key-123456',
  smtpPassword: 'smtp-unit-password-99',
  hook: 'webhook-unit-signing-secret',
  vault: 'hvs.unit-vault-token-000',
  logsPostgres: 'logs-unit-pg-password-31',
  logsHook: 'logs-unit-hmac-secret-55',
  logsAuth: 'Bearer logs-unit-collector-token-8',
};

const YAML = `
auth:
  publicUrl: http://127.0.0.1:8080
  oidc:
    issuer: https://idp.example.com
    clientId: gateway
    clientSecret: ${SECRETS.oidc}
  roleMappings:
    - { match: admins, role: admin }
alerts:
  channels:
    - { id: slack, kind: slack, webhookUrlEnv: SLACK_HOOK }
    - { id: pd, kind: pagerduty, routingKeyFile: /run/secrets/pd }
    - id: mail
      kind: email
      smtpUrl: smtp://gateway:${SECRETS.smtpPassword}@mail.example.com:587
      from: gateway@example.com
      to: [platform@example.com]
    - { id: hook, kind: webhook, url: 'https://hooks.example.com/gw', secret: 'vault://secret/alerts#hook' }
  rules:
    - { id: errors, kind: error_rate, threshold: 0.05, channels: [slack] }
logs:
  store: postgres
  postgresUrl: postgres://gateway:${SECRETS.logsPostgres}@db.example.com/gateway
  exports:
    - type: http
      url: https://siem.example.com/ingest
      secret: { env: LOGS_HOOK_SECRET }
      headers: { Authorization: { file: /run/secrets/siem-auth } }
    - { type: otlp, url: 'https://collector.example.com/v1/logs', headers: { x-token: { env: LOGS_HOOK_SECRET } } }
`;

const env = {
  GROQ_API_KEY: SECRETS.groq,
  GATEWAY_ADMIN_KEY: SECRETS.admin,
  GATEWAY_CONFIG: '/etc/gateway.yaml',
  REDIS_URL: `redis://:${SECRETS.redisPassword}@127.0.0.1:6379/0`,
  SLACK_HOOK: SECRETS.slack,
  VAULT_ADDR: 'https://vault.example.com:8200',
  VAULT_TOKEN: SECRETS.vault,
  LOGS_HOOK_SECRET: SECRETS.logsHook,
};
const files: Record<string, string> = {
  '/etc/gateway.yaml': YAML,
  '/run/secrets/pd': SECRETS.pagerduty,
  '/run/secrets/siem-auth': SECRETS.logsAuth,
};
const readFile = (path: string) => files[path];

describe('the effective configuration view', () => {
  // The reference is read before loading (src/secrets); here its value is handed in.
  const config = loadGatewayConfig(
    env,
    readFile,
    new Map([['vault://secret/alerts#hook', SECRETS.hook]]),
  );
  const view = configView(config, { env, yaml: parse(YAML) as Record<string, unknown> });
  const text = JSON.stringify(view);

  it.each(Object.entries(SECRETS))('never holds the %s secret', (_name, secret) => {
    expect(text).not.toContain(secret);
  });

  it('shows where each secret comes from instead', () => {
    const v = view as Json;
    expect(v.governance.adminKey).toEqual({ secretRef: 'env:GATEWAY_ADMIN_KEY' });
    expect(v.groq.keySources).toEqual([{ secretRef: 'env:GROQ_API_KEY' }]);
    expect(v.auth.oidc.clientSecret).toBe('set (redacted)');
    expect(v.redis).toEqual({
      url: 'redis://:***@127.0.0.1:6379/0',
      source: { secretRef: 'env:REDIS_URL' },
    });
    const channels = Object.fromEntries(v.alerts.channels.map((c: Json) => [c.id, c]));
    expect(channels.slack).toMatchObject({
      host: 'hooks.slack.com',
      webhookUrl: { secretRef: 'env:SLACK_HOOK' },
    });
    expect(channels.pd.routingKey).toEqual({ secretRef: 'file:/run/secrets/pd' });
    expect(channels.mail.smtpUrl).toBe('smtp://***:***@mail.example.com:587');
    expect(channels.hook.secret).toEqual({ secretRef: 'vault://secret/alerts#hook' });
    expect(v.secrets.vault.token).toEqual({ secretRef: 'env:VAULT_TOKEN' });
    // The request logs' settings are read from `logs:` (they showed as inline, or not at all).
    expect(v.requestLogs.postgres).toEqual({
      url: 'postgres://***:***@db.example.com/gateway',
      source: 'set (redacted)',
    });
    expect(v.requestLogs.exports[0]).toMatchObject({
      type: 'http',
      secret: { secretRef: 'env:LOGS_HOOK_SECRET' },
      // Header names are read case-insensitively, as the gateway reads them.
      headers: { authorization: { secretRef: 'file:/run/secrets/siem-auth' } },
    });
    expect(v.requestLogs.exports[1].headers).toEqual({
      'x-token': { secretRef: 'env:LOGS_HOOK_SECRET' },
    });
    expect(v.secrets.references).toEqual([
      {
        setting: 'GATEWAY_CONFIG alerts.channels[3].secret',
        reference: 'vault://secret/alerts#hook',
      },
    ]);
  });

  it('shows the settings themselves', () => {
    const v = view as Json;
    expect(v.groq.keys).toEqual([{ id: 'key-1', weight: 1, models: [] }]);
    expect(v.alerts.rules[0]).toMatchObject({ id: 'errors', kind: 'error_rate' });
    expect(v.auth.oidc).toMatchObject({ issuer: 'https://idp.example.com', clientId: 'gateway' });
  });

  it('redacts any string that would still hold a secret, keys too', () => {
    expect(
      withoutSecrets({ a: ['x', 'with s3cr3t-value inside'], 's3cr3t-value': 1 }, ['s3cr3t-value']),
    ).toEqual({ a: ['x', 'set (redacted)'], 'set (redacted)': 1 });
  });

  it('hides credentials and query values in URLs', () => {
    expect(redactedUrl('http://user:pw@proxy:3128')).toBe('http://***:***@proxy:3128/');
    expect(redactedUrl('https://collector/v1/logs?token=abc')).toBe(
      'https://collector/v1/logs?token=***',
    );
    expect(redactedUrl('not a url')).toBe('set (redacted)');
  });
});
