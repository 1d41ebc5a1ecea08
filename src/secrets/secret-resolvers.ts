import type { NetworkConfig } from '../config/network-config';
import type { SecretProvider, SecretReference } from './secret-reference';
import type { ReadSecret, SecretResolver } from './secret-resolver';

type Env = Record<string, string | undefined>;

/**
 * One resolver per provider, each made (and its SDK loaded) on the first reference of its kind:
 * a gateway with no Azure reference never loads the Azure SDK.
 */
export class SecretResolvers {
  private readonly made = new Map<SecretProvider, Promise<SecretResolver>>();

  constructor(
    private readonly env: Env,
    private readonly egress: NetworkConfig['egress'] = {},
  ) {}

  async read(reference: SecretReference): Promise<ReadSecret> {
    let resolver = this.made.get(reference.provider);
    if (!resolver) {
      resolver = this.make(reference.provider);
      this.made.set(reference.provider, resolver);
    }
    return (await resolver).read(reference);
  }

  /** The providers whose SDK or client has been loaded (for tests and the start-up line). */
  loaded(): SecretProvider[] {
    return [...this.made.keys()];
  }

  async close(): Promise<void> {
    const resolvers = await Promise.allSettled(this.made.values());
    this.made.clear();
    for (const made of resolvers) {
      if (made.status === 'fulfilled') await made.value.close?.().catch(() => undefined);
    }
  }

  private async make(provider: SecretProvider): Promise<SecretResolver> {
    switch (provider) {
      case 'vault': {
        const { VaultResolver } = await import('./vault/vault-resolver');
        const { vaultSettings } = await import('./vault/vault-settings');
        return new VaultResolver(vaultSettings(this.env), this.egress) as SecretResolver;
      }
      case 'aws-sm': {
        // The pinned SDK supports Node 20; its warning about later releases would put a
        // multi-line notice on stderr, breaking the one-line start-up error (an operator may
        // still set the variable to false).
        process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
        const { AwsSecretsManagerResolver } = await import('./aws/aws-sm-resolver');
        const { awsRequestHandler } = await import('../network/aws-request-handler');
        const sdk = await import('@aws-sdk/client-secrets-manager');
        return new AwsSecretsManagerResolver(sdk, awsRequestHandler(this.egress)) as SecretResolver;
      }
      case 'gcp-sm': {
        const { GcpSecretManagerResolver } = await import('./gcp/gcp-sm-resolver');
        const sdk = await import('@google-cloud/secret-manager');
        return new GcpSecretManagerResolver(
          sdk,
          this.env.GCP_SECRET_MANAGER_ENDPOINT,
        ) as SecretResolver;
      }
      case 'azure-kv': {
        const { AzureKeyVaultResolver } = await import('./azure/azure-kv-resolver');
        const [secrets, identity] = await Promise.all([
          import('@azure/keyvault-secrets'),
          import('@azure/identity'),
        ]);
        return new AzureKeyVaultResolver(
          secrets,
          identity,
          this.env.AZURE_AUTHORITY_HOST,
        ) as SecretResolver;
      }
    }
  }
}
