import { GroqEmulator } from '../emulator/emulator';
import { ForwardProxy } from './support/forward-proxy';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { FakeAwsSecretsManager } from './support/secret-stores/fake-aws-secrets-manager';
import { FakeVault } from './support/secret-stores/fake-vault';
import { TEST_CA_FILE } from './support/secret-stores/local-server';
import { chatOnce } from './support/secret-stores/secret-fixtures';

const AWS_KEY = 'gsk_aws_egress_key_00000000000000';
const VAULT_KEY = 'gsk_vault_egress_key_0000000000000';
const VAULT_TOKEN = 'hvs.egress-test-token-0123456789';

/**
 * Secret stores are outbound calls like Groq's (issue 22): through HTTP(S)_PROXY from the first
 * read at start-up, NO_PROXY honoured. The AWS SDK's own Node handler ignores proxies; the
 * gateway hands it a handler on its egress.
 */
describe('secret stores through the egress proxy', () => {
  let proxy: ForwardProxy;
  let proxyUrl: string;
  let emulator: GroqEmulator;
  let secretsManager: FakeAwsSecretsManager;
  let vault: FakeVault;
  const gateways: GatewayProcess[] = [];

  const awsEnv = (): Record<string, string> => ({
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIAGATEWAYTEST00001',
    AWS_SECRET_ACCESS_KEY: 'aws-secret-access-key-for-tests-0000000',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
    AWS_EC2_METADATA_DISABLED: 'true',
  });

  const relayedTo = (url: string): number => {
    const { host } = new URL(url);
    return proxy.relayed.filter(
      (entry) => entry.target === host || entry.target.startsWith(`${new URL(url).origin}/`),
    ).length;
  };

  beforeAll(async () => {
    proxy = new ForwardProxy();
    proxyUrl = await proxy.start();
    emulator = new GroqEmulator({ keys: [AWS_KEY, VAULT_KEY] });
    await emulator.start();
    secretsManager = new FakeAwsSecretsManager();
    secretsManager.put('prod/groq', JSON.stringify({ api_key: AWS_KEY }));
    await secretsManager.start();
    vault = new FakeVault(true);
    vault.addToken(VAULT_TOKEN);
    vault.putV2('secret', 'groq', { 'api-key': VAULT_KEY });
    await vault.start();
  });

  afterAll(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
    await Promise.all([proxy.stop(), emulator.stop(), secretsManager.stop(), vault.stop()]);
  });

  async function gateway(env: Record<string, string>): Promise<GatewayProcess> {
    const started = await startGateway({ GROQ_BASE_URL: emulator.url, ...env });
    gateways.push(started);
    return started;
  }

  it('AWS Secrets Manager is read through HTTP_PROXY (the SDK sends on the gateway egress)', async () => {
    const before = relayedTo(secretsManager.url);
    const gw = await gateway({
      ...awsEnv(),
      GROQ_API_KEY: 'aws-sm://prod/groq#api_key',
      HTTP_PROXY: proxyUrl,
    });
    expect(relayedTo(secretsManager.url)).toBeGreaterThan(before);
    expect(secretsManager.calls.at(-1)).toMatchObject({ secretId: 'prod/groq' });
    expect((await chatOnce(gw.url)).status).toBe(200);
    expect(emulator.chatKeys().at(-1)).toBe(AWS_KEY);
    expect(relayedTo(emulator.url)).toBeGreaterThan(0);
  });

  it('NO_PROXY naming the Secrets Manager endpoint reaches it directly', async () => {
    const before = relayedTo(secretsManager.url);
    const calls = secretsManager.calls.length;
    const gw = await gateway({
      ...awsEnv(),
      GROQ_API_KEY: 'aws-sm://prod/groq#api_key',
      HTTP_PROXY: proxyUrl,
      NO_PROXY: new URL(secretsManager.url).host,
    });
    expect(secretsManager.calls.length).toBeGreaterThan(calls);
    expect(relayedTo(secretsManager.url)).toBe(before);
    expect((await chatOnce(gw.url)).status).toBe(200);
  });

  it('Vault is read through HTTPS_PROXY at start-up (a CONNECT tunnel), trusting VAULT_CACERT behind it', async () => {
    const before = relayedTo(vault.url);
    const gw = await gateway({
      GROQ_API_KEY: 'vault://secret/groq#api-key',
      VAULT_ADDR: vault.url,
      VAULT_CACERT: TEST_CA_FILE,
      VAULT_TOKEN,
      HTTPS_PROXY: proxyUrl,
    });
    expect(relayedTo(vault.url)).toBeGreaterThan(before);
    expect((await chatOnce(gw.url)).status).toBe(200);
    expect(emulator.chatKeys().at(-1)).toBe(VAULT_KEY);
  });
});
