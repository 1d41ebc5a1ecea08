import { GroqEmulator } from '../emulator/emulator';
import { GatewayProcess, runGatewayToExit, startGateway } from './support/gateway-process';
import { FakeAwsSecretsManager } from './support/secret-stores/fake-aws-secrets-manager';
import { chatOnce, waitForOutput } from './support/secret-stores/secret-fixtures';

const KEY = 'gsk_aws_key_0000000000000000000';
const ROTATED = 'gsk_aws_key_rotated_11111111111';

describe('secrets from AWS Secrets Manager (a local server speaking its JSON protocol, through the AWS SDK)', () => {
  let secretsManager: FakeAwsSecretsManager;
  let emulator: GroqEmulator;
  let env: Record<string, string>;
  const gateways: GatewayProcess[] = [];

  beforeEach(async () => {
    secretsManager = new FakeAwsSecretsManager();
    secretsManager.put('prod/groq', JSON.stringify({ api_key: KEY, note: 'rotated monthly' }));
    await secretsManager.start();
    emulator = new GroqEmulator({ keys: [KEY] });
    env = {
      GROQ_BASE_URL: await emulator.start(),
      // The SDK's own settings: region and credentials by its default chain, the endpoint by
      // AWS_ENDPOINT_URL_SECRETS_MANAGER (as for a VPC endpoint).
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAGATEWAYTEST00001',
      AWS_SECRET_ACCESS_KEY: 'aws-secret-access-key-for-tests-0000000',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  });

  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
    await emulator.stop();
    await secretsManager.stop();
  });

  it('reads a JSON field with a SigV4-signed GetSecretValue; Groq sees the key, logs never do', async () => {
    const gateway = await startGateway({ ...env, GROQ_API_KEY: 'aws-sm://prod/groq#api_key' });
    gateways.push(gateway);
    expect((await chatOnce(gateway.url)).status).toBe(200);
    expect(emulator.chatKeys()).toEqual([KEY]);
    expect(secretsManager.calls[0]).toEqual({
      secretId: 'prod/groq',
      accessKeyId: 'AKIAGATEWAYTEST00001',
      region: 'eu-west-1',
    });
    expect(gateway.output()).not.toContain(KEY);
    expect(gateway.output()).not.toContain('aws-secret-access-key-for-tests');
  });

  it('follows a rotation on the next refresh', async () => {
    const gateway = await startGateway({
      ...env,
      GROQ_API_KEY: 'aws-sm://prod/groq#api_key',
      SECRETS_REFRESH_SECONDS: '1',
    });
    gateways.push(gateway);
    emulator.setKeys([KEY, ROTATED]);
    secretsManager.put('prod/groq', JSON.stringify({ api_key: ROTATED }));
    await waitForOutput(gateway.output, /Groq keys changed: new key for key-1/);
    expect((await chatOnce(gateway.url)).status).toBe(200);
    expect(emulator.chatKeys().at(-1)).toBe(ROTATED);
  });

  it('an ARN is read in its own region', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-2:123456789012:secret:plain-AbCdEf';
    secretsManager.put(arn, KEY);
    const gateway = await startGateway({ ...env, GROQ_API_KEY: `aws-sm://${arn}` });
    gateways.push(gateway);
    expect(secretsManager.calls[0].region).toBe('us-east-2');
  });

  it.each([
    [
      'aws-sm://prod/missing',
      "cannot read secret aws-sm://prod/missing: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    ],
    [
      'aws-sm://prod/groq#apikey',
      "cannot read secret aws-sm://prod/groq#apikey: the secret has no field 'apikey' (it has: api_key, note)",
    ],
  ])('start-up stops with one line for %s', async (reference, reason) => {
    const result = await runGatewayToExit({ ...env, GROQ_API_KEY: reference });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`groq-gateway: invalid configuration: GROQ_API_KEY: ${reason}\n`);
  });

  it('start-up stops when access is denied', async () => {
    secretsManager.denied.add('prod/groq');
    const result = await runGatewayToExit({ ...env, GROQ_API_KEY: 'aws-sm://prod/groq#api_key' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^groq-gateway: invalid configuration: GROQ_API_KEY: cannot read secret aws-sm:\/\/prod\/groq#api_key: AccessDeniedException: User: .* is not authorized to perform: secretsmanager:GetSecretValue on resource: prod\/groq\n$/,
    );
  });
});
