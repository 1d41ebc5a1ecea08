import { GroqEmulator } from '../emulator/emulator';
import { GatewayProcess, runGatewayToExit, startGateway } from './support/gateway-process';
import {
  AZURE_CLIENT,
  AZURE_TENANT,
  FakeAzureKeyVault,
} from './support/secret-stores/fake-azure-key-vault';
import { TEST_CA_FILE } from './support/secret-stores/local-server';
import { chatOnce, waitForOutput } from './support/secret-stores/secret-fixtures';

const KEY = 'gsk_azure_key_000000000000000000';
const ROTATED = 'gsk_azure_key_rotated_1111111111';

describe('secrets from Azure Key Vault (a local HTTPS server speaking its REST API and bearer challenge, through @azure/keyvault-secrets)', () => {
  let keyVault: FakeAzureKeyVault;
  let emulator: GroqEmulator;
  let env: Record<string, string>;
  let host: string;
  const gateways: GatewayProcess[] = [];

  beforeEach(async () => {
    keyVault = new FakeAzureKeyVault();
    keyVault.setSecret('groq-key', KEY);
    await keyVault.start();
    host = new URL(keyVault.url).host; // localhost:<port>: the host form of azure-kv://
    emulator = new GroqEmulator({ keys: [KEY] });
    env = {
      GROQ_BASE_URL: await emulator.start(),
      // DefaultAzureCredential's environment credential, against the local identity endpoints.
      AZURE_TENANT_ID: AZURE_TENANT,
      AZURE_CLIENT_ID: AZURE_CLIENT.id,
      AZURE_CLIENT_SECRET: AZURE_CLIENT.secret,
      AZURE_AUTHORITY_HOST: keyVault.url,
      NODE_EXTRA_CA_CERTS: TEST_CA_FILE,
    };
  });

  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
    await emulator.stop();
    await keyVault.stop();
  });

  it('answers the challenge with a token for the vault and reads the secret', async () => {
    const gateway = await startGateway({ ...env, GROQ_API_KEY: `azure-kv://${host}/groq-key` });
    gateways.push(gateway);
    expect((await chatOnce(gateway.url)).status).toBe(200);
    expect(emulator.chatKeys()).toEqual([KEY]);
    expect(keyVault.challenges).toEqual(['groq-key']);
    expect(keyVault.tokenScopes[0]).toContain(`${keyVault.url}/.default`);
    expect(gateway.output()).not.toContain(KEY);
    expect(gateway.output()).not.toContain(AZURE_CLIENT.secret);
  });

  it('follows a new version on the next refresh; a pinned version stays', async () => {
    const first = keyVault.setSecret('groq-pinned', KEY);
    const gateway = await startGateway({
      ...env,
      GROQ_API_KEYS: `azure-kv://${host}/groq-key`,
      GATEWAY_ADMIN_KEY: `azure-kv://${host}/groq-pinned/${first}`,
      SECRETS_REFRESH_SECONDS: '1',
    });
    gateways.push(gateway);
    emulator.setKeys([KEY, ROTATED]);
    keyVault.setSecret('groq-key', ROTATED);
    keyVault.setSecret('groq-pinned', 'a-newer-admin-key-not-used-0000');
    await waitForOutput(gateway.output, /Groq keys changed: new key for key-1/);
    expect(gateway.output()).toMatch(
      /secret\(s\) changed: azure-kv:\/\/localhost:\d+\/groq-key \(GROQ_API_KEYS\); applied/,
    );
    expect((await chatOnce(gateway.url, 'x')).status).toBe(401); // the admin key turned governance on
  });

  it.each([
    [
      'groq-missing',
      /SecretNotFound|A secret with \(name\/id\) groq-missing was not found in this key vault\./,
    ],
    ['groq-denied', /does not have secrets get permission on key vault/],
  ])('start-up stops with one line for %s', async (name, reason) => {
    keyVault.setSecret('groq-denied', KEY);
    keyVault.denied.add('groq-denied');
    const result = await runGatewayToExit({ ...env, GROQ_API_KEY: `azure-kv://${host}/${name}` });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^groq-gateway: invalid configuration: GROQ_API_KEY: cannot read secret azure-kv://${host}/${name}: `,
      ),
    );
    expect(lines[0]).toMatch(reason);
  });

  it('start-up stops when the credential is refused', async () => {
    const result = await runGatewayToExit({
      ...env,
      AZURE_CLIENT_SECRET: 'wrong-secret',
      GROQ_API_KEY: `azure-kv://${host}/groq-key`,
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /cannot read secret azure-kv:\/\/localhost:\d+\/groq-key: .*AADSTS7000215/,
    );
    expect(result.stderr).not.toContain('wrong-secret');
  });
});
