import type { TokenCredential } from '@azure/identity';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { AzureKeyVaultReference } from '../secret-reference';
import { describeSdkError, ReadSecret, SecretReadError, SecretResolver } from '../secret-resolver';
import { nonEmpty } from '../secret-value';

/** Key Vault's domains in Azure's public and sovereign clouds. */
const KEY_VAULT_DOMAINS = [
  '.vault.azure.net',
  '.vault.azure.cn',
  '.vault.usgovcloudapi.net',
  '.vault.microsoftazure.de',
];

/**
 * Whether the vault is on a Key Vault domain, where the client checks that the challenge asks a
 * token for that domain. A vault given by another host (a private endpoint behind custom DNS, a
 * test server) was named by the operator; the check, which would refuse it, is off for it.
 */
export function onKeyVaultDomain(vaultUrl: string): boolean {
  const host = new URL(vaultUrl).hostname;
  return KEY_VAULT_DOMAINS.some((domain) => host.endsWith(domain));
}

/** Microsoft Entra's sign-in hosts in Azure's public and sovereign clouds. */
const PUBLIC_AUTHORITIES = [
  'login.microsoftonline.com',
  'login.chinacloudapi.cn',
  'login.microsoftonline.us',
  'login.microsoftonline.de',
];

/**
 * An AZURE_AUTHORITY_HOST of its own (Azure Stack, ADFS, a test server): MSAL's instance
 * discovery asks login.microsoftonline.com about it, which such a host is unknown to (and which
 * a closed network cannot reach), so discovery is skipped and the authority used as given.
 */
export function isPrivateAuthority(authorityHost: string | undefined): boolean {
  if (!authorityHost?.trim()) return false;
  try {
    return !PUBLIC_AUTHORITIES.includes(new URL(authorityHost).hostname);
  } catch {
    return false;
  }
}

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
    authorityHost?: string,
  ) {
    this.credential = new identity.DefaultAzureCredential({
      disableInstanceDiscovery: isPrivateAuthority(authorityHost),
    });
  }

  async read(reference: AzureKeyVaultReference): Promise<ReadSecret> {
    let client = this.clients.get(reference.vaultUrl);
    if (!client) {
      client = new this.secrets.SecretClient(reference.vaultUrl, this.credential, {
        disableChallengeResourceVerification: !onKeyVaultDomain(reference.vaultUrl),
      });
      this.clients.set(reference.vaultUrl, client);
    }
    let secret;
    try {
      secret = await client.getSecret(reference.name, { version: reference.version });
    } catch (error) {
      throw new SecretReadError(describeAzureError(error));
    }
    if (secret.properties.enabled === false) throw new SecretReadError('the secret is disabled');
    if (secret.value === undefined) throw new SecretReadError('the secret has no value');
    return { value: nonEmpty(secret.value) };
  }
}

/** The SDK's first line, and Entra's own description of a refused sign-in (AADSTS code, no secret). */
export function describeAzureError(error: unknown): string {
  const said = describeSdkError(error);
  const description = (error as { errorResponse?: { errorDescription?: string } }).errorResponse
    ?.errorDescription;
  const first = description
    ?.split(/\r?\n/)[0]
    .replace(/ Trace ID: .*$/, '')
    .trim();
  return first ? `${said}: ${first.slice(0, 200)}` : said;
}
