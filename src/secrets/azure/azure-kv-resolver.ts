import type { TokenCredential } from '@azure/identity';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { AzureKeyVaultReference } from '../secret-reference';
import { describeSdkError, ReadSecret, SecretReadError, SecretResolver } from '../secret-resolver';
import { nonEmpty } from '../secret-value';

type SecretsSdk = typeof import('@azure/keyvault-secrets');
type IdentitySdk = typeof import('@azure/identity');

/**
 * Azure Key Vault through the official client, signed in by DefaultAzureCredential (environment,
 * workload identity, managed identity, ...). Key Vault's bearer challenge names the tenant and
 * the resource the token is asked for; the client follows it.
 */
export class AzureKeyVaultResolver implements SecretResolver<AzureKeyVaultReference> {
  private readonly credential: TokenCredential;
  private readonly clients = new Map<string, SecretClient>();

  constructor(
    private readonly secrets: SecretsSdk,
    identity: IdentitySdk,
  ) {
    this.credential = new identity.DefaultAzureCredential();
  }

  async read(reference: AzureKeyVaultReference): Promise<ReadSecret> {
    let client = this.clients.get(reference.vaultUrl);
    if (!client) {
      client = new this.secrets.SecretClient(reference.vaultUrl, this.credential);
      this.clients.set(reference.vaultUrl, client);
    }
    let secret;
    try {
      secret = await client.getSecret(reference.name, { version: reference.version });
    } catch (error) {
      throw new SecretReadError(describeSdkError(error));
    }
    if (secret.properties.enabled === false) throw new SecretReadError('the secret is disabled');
    if (secret.value === undefined) throw new SecretReadError('the secret has no value');
    return { value: nonEmpty(secret.value) };
  }
}
