import type {
  SecretsManagerClient,
  SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import type { AwsSecretsManagerReference } from '../secret-reference';
import { describeSdkError, ReadSecret, SecretReadError, SecretResolver } from '../secret-resolver';
import { jsonFieldOf, nonEmpty } from '../secret-value';

type Sdk = typeof import('@aws-sdk/client-secrets-manager');

/**
 * AWS Secrets Manager through the official SDK: region and credentials from the SDK's default
 * chain (env, web identity / IRSA, instance role); an ARN's own region wins. The SDK's endpoint
 * settings (AWS_ENDPOINT_URL_SECRETS_MANAGER) point it at VPC endpoints or a test server; with a
 * proxy or extra CAs set, the request handler sends through the gateway's egress.
 */
export class AwsSecretsManagerResolver implements SecretResolver<AwsSecretsManagerReference> {
  private readonly clients = new Map<string, SecretsManagerClient>();

  constructor(
    private readonly sdk: Sdk,
    private readonly requestHandler?: SecretsManagerClientConfig['requestHandler'],
  ) {}

  async read(reference: AwsSecretsManagerReference): Promise<ReadSecret> {
    let answer;
    try {
      answer = await this.clientFor(reference.secretId).send(
        new this.sdk.GetSecretValueCommand({ SecretId: reference.secretId }),
      );
    } catch (error) {
      throw new SecretReadError(describeSdkError(error));
    }
    const text =
      answer.SecretString ??
      (answer.SecretBinary ? Buffer.from(answer.SecretBinary).toString('utf8') : undefined);
    if (text === undefined) throw new SecretReadError('the secret has no value');
    return { value: reference.jsonField ? jsonFieldOf(text, reference.jsonField) : nonEmpty(text) };
  }

  async close(): Promise<void> {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private clientFor(secretId: string): SecretsManagerClient {
    const region = /^arn:aws[\w-]*:secretsmanager:([\w-]+):/.exec(secretId)?.[1] ?? '';
    let client = this.clients.get(region);
    if (!client) {
      client = new this.sdk.SecretsManagerClient({
        ...(region ? { region } : {}),
        ...(this.requestHandler ? { requestHandler: this.requestHandler } : {}),
      });
      this.clients.set(region, client);
    }
    return client;
  }
}
