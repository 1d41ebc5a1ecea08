import { createHmac } from 'node:crypto';
import { startSmtpReceiver, until } from './support/alert-receivers';
import { adminAlerts, alertsYaml, startAlertsBench } from './support/alerts-fixtures';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { writeGatewayConfig } from './support/governance-fixtures';
import { FakeVault } from './support/secret-stores/fake-vault';
import { TEST_CA_FILE } from './support/secret-stores/local-server';
import { TestCa } from './support/test-ca';

const VAULT_TOKEN = 'hvs.alerts-test-token-0123456789';
const HOOK_SECRET = 'hook-secret-from-vault-0123456789';

// Three SMTP servers, a Vault and a gateway on a loaded machine.
jest.setTimeout(60_000);

describe('email over SMTP as the URL says (STARTTLS, TLS), and channel secrets from a secret store', () => {
  const ca = new TestCa('Alerts SMTP CA');
  const certificate = ca.server('smtp');
  let starttls: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let implicit: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let plain: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let vault: FakeVault;
  let bench: Awaited<ReturnType<typeof startAlertsBench>>;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    const tls = { key: certificate.key, cert: certificate.cert };
    [starttls, implicit, plain] = await Promise.all([
      startSmtpReceiver({ mode: 'starttls', ...tls }),
      startSmtpReceiver({ mode: 'implicit', ...tls }),
      startSmtpReceiver(),
    ]);
    // A Vault lookalike over HTTPS holds the smtps:// URL and the webhook's signing secret.
    vault = new FakeVault(true);
    vault.addToken(VAULT_TOKEN);
    vault.putV2('secret', 'alerts', { 'smtp-url': implicit.url, 'hook-secret': HOOK_SECRET });
    await vault.start();
    bench = await startAlertsBench();
    const mail = 'from: gateway@example.com, to: [platform@example.com]';
    gateway = await startGateway({
      ...bench.env,
      GROQ_API_KEY: 'gsk_alerts_email_key',
      VAULT_ADDR: vault.url,
      VAULT_CACERT: TEST_CA_FILE,
      VAULT_TOKEN,
      // The SMTP servers' certificates are signed by this CA, as a company's relay would be.
      NODE_EXTRA_CA_CERTS: ca.certFile,
      HOOK_URL: `${bench.receiver.url}/hook`,
      GATEWAY_CONFIG: writeGatewayConfig(
        alertsYaml({
          channels: [
            `{ id: starttls, kind: email, smtpUrl: '${starttls.url}?requireTLS=true', ${mail} }`,
            `{ id: smtps, kind: email, smtpUrl: 'vault://secret/alerts#smtp-url', ${mail} }`,
            `{ id: cleartext, kind: email, smtpUrl: '${plain.url}?requireTLS=true', ${mail} }`,
            `{ id: hook, kind: webhook, urlEnv: HOOK_URL, secret: 'vault://secret/alerts#hook-secret' }`,
          ],
          rules: ['{ id: errors, kind: error_rate, channels: [starttls, smtps, hook] }'],
        }),
      ).path,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([
      bench?.stop(),
      vault?.stop(),
      starttls?.stop(),
      implicit?.stop(),
      plain?.stop(),
    ]);
  });

  it('smtp:// with requireTLS upgrades with STARTTLS and checks the certificate', async () => {
    const sent = await adminAlerts(gateway.url, 'POST', '/test?channel=starttls');
    expect(sent.json).toEqual({ channel: 'starttls', outcome: 'sent', attempts: 1 });
    const mail = await until(() => starttls.mails[0]);
    expect(mail).toMatchObject({ secure: true, from: 'gateway@example.com' });
    expect(mail.subject).toMatch(/^\[TEST\] test: a test message/);
  });

  it('smtps:// (its URL read from Vault) speaks TLS from the first byte', async () => {
    const sent = await adminAlerts(gateway.url, 'POST', '/test?channel=smtps');
    expect(sent.json).toEqual({ channel: 'smtps', outcome: 'sent', attempts: 1 });
    expect(await until(() => implicit.mails[0])).toMatchObject({
      secure: true,
      to: ['platform@example.com'],
    });
    expect(vault.reads).toContain('secret/data/alerts');
  });

  it('requireTLS never sends in clear text to a server without STARTTLS', async () => {
    const sent = await adminAlerts(gateway.url, 'POST', '/test?channel=cleartext');
    expect(sent.json).toMatchObject({ channel: 'cleartext', outcome: 'failed', attempts: 1 });
    expect(plain.mails).toHaveLength(0);
  });

  it('the webhook is signed with the secret read from Vault, and no secret reaches the output', async () => {
    const sent = await adminAlerts(gateway.url, 'POST', '/test?channel=hook');
    expect(sent.json).toMatchObject({ outcome: 'sent' });
    const post = await until(() => bench.receiver.posts('/hook')[0]);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(
      String(post.headers['x-gateway-signature']),
    ) ?? ['', '', ''];
    expect(v1).toBe(createHmac('sha256', HOOK_SECRET).update(`${t}.${post.raw}`).digest('hex'));
    for (const secret of [HOOK_SECRET, VAULT_TOKEN, implicit.url]) {
      expect(gateway.output()).not.toContain(secret);
    }
  });
});
