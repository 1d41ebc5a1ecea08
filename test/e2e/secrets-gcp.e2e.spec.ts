import { GroqEmulator } from '../emulator/emulator';
import { GatewayProcess, runGatewayToExit, startGateway } from './support/gateway-process';
import { FakeGcpSecretManager } from './support/secret-stores/fake-gcp-secret-manager';
import { chatOnce, tempFiles, waitForOutput } from './support/secret-stores/secret-fixtures';

const KEY = 'gsk_gcp_key_0000000000000000000';
const ROTATED = 'gsk_gcp_key_rotated_11111111111';

describe('secrets from Google Secret Manager (a local server speaking its REST API, through @google-cloud/secret-manager)', () => {
  let secretManager: FakeGcpSecretManager;
  let emulator: GroqEmulator;
  let env: Record<string, string>;
  const gateways: GatewayProcess[] = [];

  beforeEach(async () => {
    secretManager = new FakeGcpSecretManager();
    secretManager.addVersion('acme', 'groq-key', KEY);
    await secretManager.start();
    emulator = new GroqEmulator({ keys: [KEY] });
    const files = tempFiles({ 'service-account.json': secretManager.credentialsJson });
    env = {
      GROQ_BASE_URL: await emulator.start(),
      GOOGLE_APPLICATION_CREDENTIALS: files['service-account.json'],
      GCP_SECRET_MANAGER_ENDPOINT: secretManager.url,
    };
  });

  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
    await emulator.stop();
    await secretManager.stop();
  });

  it('reads the latest version as the service account of Application Default Credentials', async () => {
    const gateway = await startGateway({
      ...env,
      GROQ_API_KEY: 'gcp-sm://projects/acme/secrets/groq-key',
    });
    gateways.push(gateway);
    expect((await chatOnce(gateway.url)).status).toBe(200);
    expect(emulator.chatKeys()).toEqual([KEY]);
    expect(secretManager.callers).toEqual(['groq-gateway@acme.iam.gserviceaccount.com']);
    expect(gateway.output()).not.toContain(KEY);
  });

  it('follows a new version on the next refresh', async () => {
    const running = await startGateway({
      ...env,
      GROQ_API_KEYS: 'gcp-sm://projects/acme/secrets/groq-key',
      SECRETS_REFRESH_SECONDS: '1',
    });
    gateways.push(running);
    emulator.setKeys([KEY, ROTATED]);
    secretManager.addVersion('acme', 'groq-key', `${KEY},${ROTATED}`);
    await waitForOutput(running.output, /Groq keys changed: added key-2; 2 in the pool/);
    for (let i = 0; i < 4; i++) expect((await chatOnce(running.url)).status).toBe(200);
    expect(new Set(emulator.chatKeys())).toEqual(new Set([KEY, ROTATED]));
  });

  it.each([
    [
      'gcp-sm://projects/acme/secrets/missing',
      /cannot read secret gcp-sm:\/\/projects\/acme\/secrets\/missing: .*Secret Version \[projects\/acme\/secrets\/missing\/versions\/latest\] not found\.$/,
    ],
    [
      'gcp-sm://projects/acme/secrets/groq-key/versions/9',
      /cannot read secret gcp-sm:\/\/projects\/acme\/secrets\/groq-key\/versions\/9: .*not found\.$/,
    ],
  ])('start-up stops with one line for %s', async (reference, reason) => {
    const result = await runGatewayToExit({ ...env, GROQ_API_KEY: reference });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^groq-gateway: invalid configuration: GROQ_API_KEY: /);
    expect(lines[0]).toMatch(reason);
  });

  it('start-up stops when permission is denied', async () => {
    secretManager.denied.add('projects/acme/secrets/groq-key');
    const result = await runGatewayToExit({
      ...env,
      GROQ_API_KEY: 'gcp-sm://projects/acme/secrets/groq-key',
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^groq-gateway: invalid configuration: GROQ_API_KEY: cannot read secret gcp-sm:\/\/projects\/acme\/secrets\/groq-key: .*Permission 'secretmanager.versions.access' denied/,
      ),
    ]);
  });
});
