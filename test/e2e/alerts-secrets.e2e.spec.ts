import OpenAI from 'openai';
import { until, type HttpReceiver } from './support/alert-receivers';
import {
  adminAlerts,
  alertsYaml,
  FREE_KEY,
  hookPosts,
  signatureValid,
  startAlertsBench,
} from './support/alerts-fixtures';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { MODEL, writeGatewayConfig } from './support/governance-fixtures';
import { FakeVault } from './support/secret-stores/fake-vault';
import { TEST_CA_FILE } from './support/secret-stores/local-server';
import { waitForOutput } from './support/secret-stores/secret-fixtures';

const VAULT_TOKEN = 'hvs.alerts-rotation-token-012345';
const FIRST = {
  hook: 'hook-secret-before-rotation-0123',
  routing: 'pd-routing-key-before-rotation-01',
  slack: '/slack/before',
};
const SECOND = {
  hook: 'hook-secret-after-rotation-98765',
  routing: 'pd-routing-key-after-rotation-002',
  slack: '/slack/after',
};

// A Vault read every second, a gateway, rules on timers: more than the default 20 s.
jest.setTimeout(60_000);

/**
 * Issue 18 with issue 19: alert channel secrets live in a secret store (a Vault lookalike over
 * HTTPS) and rotate there; the gateway reads them again every second and the next delivery uses
 * the new values, without a restart: a webhook's signing secret, a PagerDuty routing key, a Slack
 * webhook URL.
 */
describe('alert channel secrets rotated in the secret store, applied without a restart', () => {
  let vault: FakeVault;
  let receiver: HttpReceiver;
  let stopBench: () => Promise<void>;
  let gateway: GatewayProcess;

  const put = (values: typeof FIRST) =>
    vault.putV2('secret', 'alerts', {
      'hook-secret': values.hook,
      'pd-routing-key': values.routing,
      'slack-url': `${receiver.url}${values.slack}`,
    });

  beforeAll(async () => {
    const bench = await startAlertsBench();
    ({ receiver, stop: stopBench } = bench);
    vault = new FakeVault(true);
    vault.addToken(VAULT_TOKEN);
    put(FIRST);
    await vault.start();
    gateway = await startGateway({
      ...bench.env,
      GROQ_API_KEY: 'gsk_alerts_rotation_key',
      VAULT_ADDR: vault.url,
      VAULT_CACERT: TEST_CA_FILE,
      VAULT_TOKEN,
      SECRETS_REFRESH_SECONDS: '1',
      GATEWAY_CONFIG: writeGatewayConfig(
        alertsYaml({
          channels: [
            `{ id: hook, kind: webhook, url: ${receiver.url}/hook, secret: 'vault://secret/alerts#hook-secret' }`,
            `{ id: oncall, kind: pagerduty, routingKey: 'vault://secret/alerts#pd-routing-key', eventsUrl: ${receiver.url}/pagerduty/v2/enqueue }`,
            `{ id: team-slack, kind: slack, webhookUrl: 'vault://secret/alerts#slack-url' }`,
          ],
          rules: [
            '{ id: errors, kind: error_rate, threshold: 0.5, windowSeconds: 2, minRequests: 2, channels: [hook, oncall, team-slack] }',
          ],
        }),
      ).path,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([stopBench?.(), vault?.stop()]);
  });

  it('the next delivery after a rotation is signed, routed and posted with the new secrets', async () => {
    const before = await adminAlerts(gateway.url, 'POST', '/test?channel=hook');
    expect(before.json).toMatchObject({ outcome: 'sent' });
    const first = await until(() => hookPosts(receiver, 'test')[0]);
    expect(signatureValid(first, FIRST.hook)).toBe(true);

    put(SECOND);
    await waitForOutput(gateway.output, /alert channel hook \(webhook\): new secret applied/);
    await waitForOutput(gateway.output, /alert channel oncall \(pagerduty\): new secret applied/);
    await waitForOutput(gateway.output, /alert channel team-slack \(slack\): new secret applied/);

    // A real alert, raised by calls through the official SDK, goes out with the new values.
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: FREE_KEY, maxRetries: 0 });
    const failed = await Promise.allSettled(
      [1, 2].map(() =>
        openai.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: '[fault:500] hi' }],
        }),
      ),
    );
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    const firing = await until(() =>
      hookPosts(receiver, 'errors').find((p) => p.body.type === 'alert.firing'),
    );
    expect(signatureValid(firing, SECOND.hook)).toBe(true);
    expect(signatureValid(firing, FIRST.hook)).toBe(false);
    const trigger = await until(() =>
      receiver.posts('/pagerduty/v2/enqueue').find((p) => p.body.event_action === 'trigger'),
    );
    expect(trigger.body.routing_key).toBe(SECOND.routing);
    const slack = await until(() => receiver.posts(SECOND.slack)[0]);
    expect(String(slack.body.text)).toMatch(/^\[FIRING\] errors:/);
    expect(receiver.posts(FIRST.slack)).toEqual([]);

    // A test message too, and no secret in the output (references are logged, values never).
    const after = await adminAlerts(gateway.url, 'POST', '/test?channel=hook');
    expect(after.json).toMatchObject({ outcome: 'sent' });
    const second = await until(() => hookPosts(receiver, 'test')[1]);
    expect(signatureValid(second, SECOND.hook)).toBe(true);
    for (const secret of [...Object.values(FIRST), ...Object.values(SECOND), VAULT_TOKEN]) {
      if (secret.startsWith('/')) continue;
      expect(gateway.output()).not.toContain(secret);
    }
  });
});
