import { isSecretReference, parseSecretReference } from './secret-reference';

describe('parseSecretReference', () => {
  it('reads a KV v2 reference with mount, nested path and field', () => {
    expect(parseSecretReference('vault://secret/teams/ai/groq#api-key')).toEqual({
      provider: 'vault',
      text: 'vault://secret/teams/ai/groq#api-key',
      kvVersion: 2,
      mount: 'secret',
      path: 'teams/ai/groq',
      field: 'api-key',
    });
  });

  it('reads KV v1 from vault+kv1:// and lets the field go unnamed', () => {
    expect(parseSecretReference('vault+kv1://kv/gateway')).toMatchObject({
      kvVersion: 1,
      mount: 'kv',
      path: 'gateway',
      field: undefined,
    });
  });

  it.each([
    'vault://secret',
    'vault://secret/groq#',
    'vault://secret/a#b#c',
    'vault://se cret/x#y',
  ])('refuses %s, saying the form', (text) =>
    expect(() => parseSecretReference(text)).toThrow(/must be vault:\/\/<mount>\/<path>#<field>/),
  );

  it('reads AWS names, ARNs and JSON fields', () => {
    expect(parseSecretReference('aws-sm://prod/groq#api_key')).toMatchObject({
      provider: 'aws-sm',
      secretId: 'prod/groq',
      jsonField: 'api_key',
    });
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/groq-AbCdEf';
    expect(parseSecretReference(`aws-sm://${arn}`)).toMatchObject({
      secretId: arn,
      jsonField: undefined,
    });
    expect(() => parseSecretReference('aws-sm://prod/groq#')).toThrow(
      /aws-sm:\/\/<secret name or ARN>/,
    );
  });

  it('reads GCP names, latest by default', () => {
    expect(parseSecretReference('gcp-sm://projects/acme/secrets/groq-key')).toMatchObject({
      provider: 'gcp-sm',
      versionName: 'projects/acme/secrets/groq-key/versions/latest',
    });
    expect(
      parseSecretReference('gcp-sm://projects/acme/secrets/groq-key/versions/7'),
    ).toMatchObject({
      versionName: 'projects/acme/secrets/groq-key/versions/7',
    });
    expect(() => parseSecretReference('gcp-sm://acme/groq-key')).toThrow(
      /gcp-sm:\/\/projects\/<project>/,
    );
  });

  it('reads Azure vault names as *.vault.azure.net, and hosts as they are', () => {
    expect(parseSecretReference('azure-kv://acme-prod/groq-key')).toMatchObject({
      provider: 'azure-kv',
      vaultUrl: 'https://acme-prod.vault.azure.net',
      name: 'groq-key',
      version: undefined,
    });
    expect(
      parseSecretReference(
        'azure-kv://acme.vault.azure.cn/groq-key/0123456789abcdef0123456789abcdef',
      ),
    ).toMatchObject({
      vaultUrl: 'https://acme.vault.azure.cn',
      version: '0123456789abcdef0123456789abcdef',
    });
    expect(parseSecretReference('azure-kv://localhost:8443/groq-key')).toMatchObject({
      vaultUrl: 'https://localhost:8443',
    });
    expect(() => parseSecretReference('azure-kv://acme/groq_key')).toThrow(
      /azure-kv:\/\/<vault name/,
    );
  });

  it('tells references from values', () => {
    expect(isSecretReference(' vault://secret/x#y')).toBe(true);
    expect(isSecretReference('gsk_abc')).toBe(false);
    expect(isSecretReference('redis://redis:6379')).toBe(false);
    expect(isSecretReference('https://vault:8200')).toBe(false);
  });
});
