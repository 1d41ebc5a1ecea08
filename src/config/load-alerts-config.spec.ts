import { loadAlertsConfig, PAGERDUTY_EVENTS_URL } from './load-alerts-config';

const files: Record<string, string> = {
  '/run/secrets/pd': 'pd-routing-key-123\n',
  '/run/secrets/slack': 'https://hooks.slack.com/services/T0/B0/xyz\n',
  '/run/secrets/smtp': 'smtp://user:pass@mail.example.com:587',
  '/run/secrets/hook': 'a-long-webhook-signing-secret',
};
const readFile = (path: string) => {
  if (path in files) return files[path];
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};
const env = { TEAMS_WEBHOOK_URL: 'https://example.webhook.office.com/workflows/abc' };

const contract = {
  alerts: {
    channels: [
      { id: 'oncall', kind: 'pagerduty', routingKeyFile: '/run/secrets/pd' },
      { id: 'team-slack', kind: 'slack', webhookUrlFile: '/run/secrets/slack' },
      { id: 'teams', kind: 'teams', webhookUrlEnv: 'TEAMS_WEBHOOK_URL' },
      {
        id: 'mail',
        kind: 'email',
        smtpUrlFile: '/run/secrets/smtp',
        from: 'gateway@example.com',
        to: ['platform@example.com'],
      },
      {
        id: 'hook',
        kind: 'webhook',
        url: 'https://hooks.example.com/gw',
        secretFile: '/run/secrets/hook',
      },
    ],
    rules: [
      { id: 'budget-80', kind: 'budget_usage', threshold: 0.8, channels: ['team-slack', 'mail'] },
      {
        id: 'errors',
        kind: 'error_rate',
        threshold: 0.05,
        windowSeconds: 300,
        minRequests: 50,
        channels: ['oncall'],
      },
      {
        id: 'slow',
        kind: 'latency_p95',
        thresholdMs: 5000,
        windowSeconds: 300,
        channels: ['team-slack'],
      },
      { id: 'groq-down', kind: 'upstream_unavailable', channels: ['oncall'] },
      { id: 'key-bad', kind: 'key_invalid', channels: ['oncall'] },
      { id: 'store', kind: 'store_unavailable', channels: ['oncall'] },
      {
        id: 'guard',
        kind: 'guardrail_blocks',
        threshold: 20,
        windowSeconds: 300,
        channels: ['team-slack'],
      },
    ],
    cooldownSeconds: 300,
  },
};

describe('loadAlertsConfig', () => {
  it("reads the issue's example: secrets from files and the environment, defaults filled in", () => {
    const config = loadAlertsConfig(env, contract, readFile);
    expect(config.channels).toEqual([
      {
        id: 'oncall',
        kind: 'pagerduty',
        routingKey: 'pd-routing-key-123',
        eventsUrl: PAGERDUTY_EVENTS_URL,
      },
      { id: 'team-slack', kind: 'slack', url: 'https://hooks.slack.com/services/T0/B0/xyz' },
      { id: 'teams', kind: 'teams', url: 'https://example.webhook.office.com/workflows/abc' },
      {
        id: 'mail',
        kind: 'email',
        smtpUrl: 'smtp://user:pass@mail.example.com:587',
        from: 'gateway@example.com',
        to: ['platform@example.com'],
      },
      {
        id: 'hook',
        kind: 'webhook',
        url: 'https://hooks.example.com/gw',
        secret: 'a-long-webhook-signing-secret',
      },
    ]);
    expect(config.rules.find((r) => r.id === 'errors')).toMatchObject({
      threshold: 0.05,
      windowSeconds: 300,
      minRequests: 50,
      cooldownMs: 300_000,
    });
    expect(config.rules.find((r) => r.id === 'slow')).toMatchObject({
      thresholdMs: 5000,
      minRequests: 20,
    });
    expect(config.rules.find((r) => r.id === 'groq-down')).toMatchObject({
      threshold: 0.5,
      windowSeconds: 60,
    });
    expect(config.rules.find((r) => r.id === 'guard')).toMatchObject({ threshold: 20 });
    expect(config).toMatchObject({
      cooldownMs: 300_000,
      allowPrivateNetworks: false,
      evaluateIntervalMs: 10_000,
    });
  });

  it('takes endpoint overrides (url, eventsUrl) for relays and tests', () => {
    const config = loadAlertsConfig(
      {},
      {
        alerts: {
          channels: [
            {
              id: 'pd',
              kind: 'pagerduty',
              routingKey: 'k',
              eventsUrl: 'http://127.0.0.1:9/v2/enqueue',
            },
            {
              id: 's',
              kind: 'slack',
              webhookUrl: 'https://hooks.slack.com/x',
              url: 'http://relay.internal/slack',
            },
          ],
        },
      },
      readFile,
    );
    expect(config.channels[0]).toMatchObject({ eventsUrl: 'http://127.0.0.1:9/v2/enqueue' });
    expect(config.channels[1]).toMatchObject({ url: 'http://relay.internal/slack' });
  });

  it.each([
    [{ channels: [{ id: 'a', kind: 'sms' }] }, 'alerts.channels[0].kind'],
    [{ channels: [{ id: 'a', kind: 'slack' }] }, 'needs webhookUrl'],
    [
      { channels: [{ id: 'a', kind: 'slack', webhookUrl: 'x', webhookUrlEnv: 'Y' }] },
      'give one of webhookUrl, webhookUrlEnv',
    ],
    [{ channels: [{ id: 'a', kind: 'slack', webhookUrlEnv: 'MISSING' }] }, 'MISSING is not set'],
    [
      { channels: [{ id: 'a', kind: 'slack', webhookUrlFile: '/nope' }] },
      'cannot read /nope (ENOENT)',
    ],
    [
      { channels: [{ id: 'a', kind: 'webhook', url: 'https://x.example', secret: 'short' }] },
      'at least 16 characters',
    ],
    [
      { channels: [{ id: 'a', kind: 'email', smtpUrl: 'http://x', from: 'a@b', to: ['c@d'] }] },
      'smtp:// (STARTTLS) or smtps://',
    ],
    [
      {
        channels: [{ id: 'a', kind: 'slack', webhookUrl: 'https://x.example' }],
        rules: [{ id: 'r', kind: 'error_rate', channels: ['b'] }],
      },
      "no channel 'b'",
    ],
    [
      {
        channels: [{ id: 'a', kind: 'slack', webhookUrl: 'https://x.example' }],
        rules: [{ id: 'r', kind: 'latency_p95', channels: ['a'] }],
      },
      'needs thresholdMs',
    ],
    [
      {
        channels: [{ id: 'a', kind: 'slack', webhookUrl: 'https://x.example' }],
        rules: [{ id: 'r', kind: 'error_rate', threshold: 5, channels: ['a'] }],
      },
      'rules[0].threshold',
    ],
    [
      {
        channels: [
          { id: 'a', kind: 'slack', webhookUrl: 'https://x.example' },
          { id: 'a', kind: 'slack', webhookUrl: 'https://x.example' },
        ],
      },
      "duplicate id 'a'",
    ],
  ])('refuses %j naming the setting', (alerts, problem) => {
    expect(() => loadAlertsConfig({}, { alerts }, readFile)).toThrow(problem);
  });

  it('never puts a secret in its error', () => {
    expect(() =>
      loadAlertsConfig(
        {},
        {
          alerts: { channels: [{ id: 'a', kind: 'slack', webhookUrl: 'not a url secret-value' }] },
        },
        readFile,
      ),
    ).toThrow(/^GATEWAY_CONFIG alerts\.channels\[0\]\.webhookUrl: must be an http\(s\) URL$/);
  });
});
