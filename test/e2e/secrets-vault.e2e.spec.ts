import OpenAI from 'openai';
import { GroqEmulator } from '../emulator/emulator';
import { ADMIN_KEY, admin, writeGatewayConfig } from './support/governance-fixtures';
import { GatewayProcess, runGatewayToExit, startGateway } from './support/gateway-process';
import { FakeVault } from './support/secret-stores/fake-vault';
import { TEST_CA_FILE } from './support/secret-stores/local-server';
import { chatOnce, tempFiles, waitForOutput } from './support/secret-stores/secret-fixtures';
import { waitFor } from './support/stack';

const OLD_KEY = 'gsk_vault_old_key_000000000000000';
const NEW_KEY = 'gsk_vault_new_key_111111111111111';
const TOKEN = 'hvs.gateway-test-token-0123456789';

/** Words enough for a stream of ~20 chunks. */
const LONG_PROMPT =
  '[fault:latency=0,120] one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen';

describe('secrets from HashiCorp Vault (a local server speaking Vault HTTP API)', () => {
  let vault: FakeVault;
  let emulator: GroqEmulator;
  let upstream: string;
  const gateways: GatewayProcess[] = [];

  const start = async (env: Record<string, string>) => {
    const gateway = await startGateway({
      GROQ_BASE_URL: upstream,
      VAULT_ADDR: vault.url,
      VAULT_CACERT: TEST_CA_FILE,
      VAULT_NAMESPACE: 'platform/ai',
      ...env,
    });
    gateways.push(gateway);
    return gateway;
  };

  beforeEach(async () => {
    // Over HTTPS with the test CA, inside a namespace, as a production Vault would be.
    vault = new FakeVault(true);
    vault.namespace = 'platform/ai';
    vault.addToken(TOKEN);
    vault.putV2('secret', 'groq', { 'api-key': OLD_KEY, owner: 'platform' });
    await vault.start();
    emulator = new GroqEmulator({ keys: [OLD_KEY] });
    upstream = await emulator.start();
  });

  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
    await emulator.stop();
    await vault.stop();
  });

  it('reads a Groq key from KV v2 with a token: Groq sees that key, logs never do', async () => {
    const gateway = await start({
      GROQ_API_KEY: 'vault://secret/groq#api-key',
      VAULT_TOKEN: TOKEN,
    });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const answer = await client.chat.completions.create({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(answer.choices[0].message.content).toBeTruthy();
    expect(emulator.chatKeys()).toEqual([OLD_KEY]);
    expect(vault.reads).toContain('secret/data/groq');
    expect(gateway.output()).toMatch(/1 secret reference\(s\) \(vault\) read/);
    expect(gateway.output()).not.toContain(OLD_KEY);
    expect(gateway.output()).not.toContain(TOKEN);
  });

  it('logs in with AppRole and reads KV v1; the admin key from Vault opens the admin API', async () => {
    vault.approle = { roleId: 'gateway-role', secretId: 'approle-secret-id-42' };
    vault.putV1('kv', 'gateway', { admin: ADMIN_KEY });
    const files = tempFiles({ 'secret-id': 'approle-secret-id-42\n' });
    const gateway = await start({
      GROQ_API_KEY: 'vault://secret/groq#api-key',
      GATEWAY_ADMIN_KEY: 'vault+kv1://kv/gateway#admin',
      VAULT_ROLE_ID: 'gateway-role',
      VAULT_SECRET_ID_FILE: files['secret-id'],
    });
    expect(vault.logins).toEqual(['approle']);
    expect(vault.reads).toEqual(expect.arrayContaining(['secret/data/groq', 'kv/gateway']));
    expect((await admin(gateway.url, 'GET', '')).status).toBe(200);
    expect((await chatOnce(gateway.url)).status).toBe(401); // governance on: a virtual key is needed
    expect(gateway.output()).not.toContain(ADMIN_KEY);
  });

  it('logs in with Kubernetes auth using the service-account token file', async () => {
    vault.kubernetes = { role: 'groq-gateway', jwt: 'eyJhbGciOiJSUzI1NiJ9.sa-token.sig' };
    const files = tempFiles({ token: 'eyJhbGciOiJSUzI1NiJ9.sa-token.sig' });
    const gateway = await start({
      GROQ_API_KEY: 'vault://secret/groq#api-key',
      VAULT_K8S_ROLE: 'groq-gateway',
      VAULT_K8S_TOKEN_FILE: files.token,
    });
    expect(vault.logins).toEqual(['kubernetes']);
    expect((await chatOnce(gateway.url)).status).toBe(200);
    expect(emulator.chatKeys()).toEqual([OLD_KEY]);
  });

  it('logs in again when Vault answers 403 to a login token (revoked or expired)', async () => {
    vault.approle = { roleId: 'gateway-role', secretId: 'approle-secret-id-42' };
    const gateway = await start({
      GROQ_API_KEY: 'vault://secret/groq#api-key',
      VAULT_ROLE_ID: 'gateway-role',
      VAULT_SECRET_ID: 'approle-secret-id-42',
      SECRETS_REFRESH_SECONDS: '1',
    });
    vault.revokeTokens();
    vault.putV2('secret', 'groq', { 'api-key': NEW_KEY });
    emulator.setKeys([OLD_KEY, NEW_KEY]);
    await waitForOutput(gateway.output, /Groq keys changed: new key for key-1/);
    expect(vault.logins).toEqual(['approle', 'approle']);
    expect((await chatOnce(gateway.url)).status).toBe(200);
    expect(emulator.chatKeys().at(-1)).toBe(NEW_KEY);
  });

  it('rotation: the next requests use the new key, a stream in flight finishes on the old one', async () => {
    const gateway = await start({
      GROQ_API_KEY: 'vault://secret/groq#api-key',
      VAULT_TOKEN: TOKEN,
      SECRETS_REFRESH_SECONDS: '1',
    });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: LONG_PROMPT }],
      stream: true,
    });
    const chunks: string[] = [];
    const streamed = (async () => {
      for await (const chunk of stream) chunks.push(chunk.choices[0]?.delta.content ?? '');
    })();
    await waitFor(() => chunks.length >= 2);

    // Rotated in Vault; Groq takes both keys for a moment, then the old one is revoked.
    emulator.setKeys([OLD_KEY, NEW_KEY]);
    vault.putV2('secret', 'groq', { 'api-key': NEW_KEY });
    await waitForOutput(gateway.output, /Groq keys changed: new key for key-1/);
    emulator.setKeys([NEW_KEY]);
    const next = await chatOnce(gateway.url);
    expect(next.status).toBe(200);

    await streamed;
    expect(chunks.join('')).toContain('sixteen');
    const keys = emulator.chatKeys();
    expect(keys[0]).toBe(OLD_KEY); // the stream, finished on the key it started with
    expect(keys.at(-1)).toBe(NEW_KEY);
    expect(gateway.output()).toMatch(
      /secret\(s\) changed: vault:\/\/secret\/groq#api-key \(GROQ_API_KEY\); applied without a restart/,
    );
    expect(gateway.output()).not.toContain(NEW_KEY);
  });

  it('a Groq 401 reads the secrets again at once (refresh interval far away)', async () => {
    const gateway = await start({
      GROQ_API_KEY: 'vault://secret/groq#api-key',
      VAULT_TOKEN: TOKEN,
    });
    vault.putV2('secret', 'groq', { 'api-key': NEW_KEY });
    emulator.setKeys([NEW_KEY]);
    // Groq refuses the old key; the gateway reads Vault at once (and may serve this very call on
    // the new key when its retry comes after the refresh).
    await chatOnce(gateway.url);
    expect(emulator.chatKeys()[0]).toBe(OLD_KEY);
    await waitForOutput(gateway.output, /Groq answered 401 for key key-1: reading secrets again/);
    await waitForOutput(gateway.output, /Groq keys changed: new key for key-1/);
    expect((await chatOnce(gateway.url)).status).toBe(200);
    expect(emulator.chatKeys().at(-1)).toBe(NEW_KEY);
  });

  it('keyRef: a secret holding several keys pools them all; a key added in Vault joins the pool', async () => {
    const keys = ['gsk_pool_a_000000000000', 'gsk_pool_b_000000000000', 'gsk_pool_c_000000000000'];
    emulator.setKeys(keys);
    vault.putV2('secret', 'groq-pool', { keys: JSON.stringify(keys.slice(0, 2)) });
    const config = writeGatewayConfig(
      'groq:\n  keys:\n    - { id: pool, keyRef: "vault://secret/groq-pool#keys" }\n',
    );
    const gateway = await start({
      GATEWAY_CONFIG: config.path,
      VAULT_TOKEN: TOKEN,
      SECRETS_REFRESH_SECONDS: '1',
    });
    const ids = new Set<string | null>();
    for (let i = 0; i < 4; i++) ids.add((await chatOnce(gateway.url)).keyId);
    expect([...ids].sort()).toEqual(['pool-1', 'pool-2']);

    vault.putV2('secret', 'groq-pool', { keys: keys.join(',') }); // a comma list works too
    await waitForOutput(gateway.output, /Groq keys changed: added pool-3; 3 in the pool/);
    emulator.received.length = 0;
    for (let i = 0; i < 6; i++) await chatOnce(gateway.url);
    expect(new Set(emulator.chatKeys())).toEqual(new Set(keys));
  });

  it('a refresh failure keeps the last good key, warns once per interval and is counted', async () => {
    const gateway = await start({
      GROQ_API_KEY: 'vault://secret/groq#api-key',
      VAULT_TOKEN: TOKEN,
      SECRETS_REFRESH_SECONDS: '1',
    });
    vault.denied.add('secret/groq');
    await waitForOutput(
      gateway.output,
      /secret vault:\/\/secret\/groq#api-key \(GROQ_API_KEY\) could not be read again: Vault answered 403 reading the secret: permission denied; keeping the last good values/,
      2,
    );
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const failures = /groq_gateway_secret_refresh_failures_total\{provider="vault"\} (\d+)/.exec(
      metrics,
    );
    expect(Number(failures?.[1])).toBeGreaterThanOrEqual(2);
    // About one warning per round (one a second), not one per request.
    expect((await chatOnce(gateway.url)).status).toBe(200);
    expect(emulator.chatKeys()).toEqual([OLD_KEY]);
  });

  describe('start-up stops with one line naming the reference and the reason', () => {
    const refuse = async (env: Record<string, string>) => {
      const result = await runGatewayToExit({
        GROQ_BASE_URL: upstream,
        VAULT_ADDR: vault.url,
        VAULT_CACERT: TEST_CA_FILE,
        VAULT_NAMESPACE: 'platform/ai',
        ...env,
      });
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(result.stderr + result.stdout).not.toContain(OLD_KEY);
      return lines[0];
    };

    it('Vault refuses the path (403)', async () => {
      vault.denied.add('secret/groq');
      expect(
        await refuse({ GROQ_API_KEY: 'vault://secret/groq#api-key', VAULT_TOKEN: TOKEN }),
      ).toBe(
        'groq-gateway: invalid configuration: GROQ_API_KEY: cannot read secret vault://secret/groq#api-key: Vault answered 403 reading the secret: permission denied',
      );
    });

    it('the field does not exist', async () => {
      expect(await refuse({ GROQ_API_KEY: 'vault://secret/groq#apikey', VAULT_TOKEN: TOKEN })).toBe(
        "groq-gateway: invalid configuration: GROQ_API_KEY: cannot read secret vault://secret/groq#apikey: the secret has no field 'apikey' (it has: api-key, owner)",
      );
    });

    it('an AppRole login refused', async () => {
      vault.approle = { roleId: 'gateway-role', secretId: 'right' };
      expect(
        await refuse({
          GROQ_API_KEY: 'vault://secret/groq#api-key',
          VAULT_ROLE_ID: 'gateway-role',
          VAULT_SECRET_ID: 'wrong',
        }),
      ).toBe(
        'groq-gateway: invalid configuration: GROQ_API_KEY: cannot read secret vault://secret/groq#api-key: Vault answered 400 logging in (approle auth at auth/approle): invalid role or secret ID',
      );
    });

    it('no such secret, and a malformed reference', async () => {
      expect(await refuse({ GROQ_API_KEY: 'vault://secret/nope#k', VAULT_TOKEN: TOKEN })).toBe(
        'groq-gateway: invalid configuration: GROQ_API_KEY: cannot read secret vault://secret/nope#k: Vault has no secret at secret/nope (404)',
      );
      expect(await refuse({ GROQ_API_KEY: 'vault://groq', VAULT_TOKEN: TOKEN })).toBe(
        "groq-gateway: invalid configuration: GROQ_API_KEY: 'vault://groq' must be vault://<mount>/<path>#<field>, e.g. vault://secret/groq#api-key",
      );
    });

    it('Vault is not trusted without its CA', async () => {
      const line = await refuse({
        GROQ_API_KEY: 'vault://secret/groq#api-key',
        VAULT_TOKEN: TOKEN,
        VAULT_CACERT: '',
      });
      expect(line).toMatch(
        /^groq-gateway: invalid configuration: GROQ_API_KEY: cannot read secret vault:\/\/secret\/groq#api-key: cannot reach Vault at https:\/\/localhost:\d+ \(\w+\)$/,
      );
    });
  });
});
