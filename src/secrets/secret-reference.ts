/** Where a secret lives, parsed from a reference such as `vault://secret/groq#api-key`. */
export type SecretReference =
  VaultReference | AwsSecretsManagerReference | GcpSecretManagerReference | AzureKeyVaultReference;

export type SecretProvider = SecretReference['provider'];

interface ReferenceBase {
  /** The reference as written: what logs and errors show (it names a secret, it is not one). */
  text: string;
}

export interface VaultReference extends ReferenceBase {
  provider: 'vault';
  kvVersion: 1 | 2;
  mount: string;
  path: string;
  /** The field of the secret's data; absent means the secret's only field. */
  field?: string;
}

export interface AwsSecretsManagerReference extends ReferenceBase {
  provider: 'aws-sm';
  /** A name or an ARN. */
  secretId: string;
  /** A field of a secret stored as a JSON object. */
  jsonField?: string;
}

export interface GcpSecretManagerReference extends ReferenceBase {
  provider: 'gcp-sm';
  /** `projects/<p>/secrets/<s>/versions/<v>`, `latest` when the reference named no version. */
  versionName: string;
}

export interface AzureKeyVaultReference extends ReferenceBase {
  provider: 'azure-kv';
  /** `https://<vault>.vault.azure.net`, or the host given as is. */
  vaultUrl: string;
  name: string;
  version?: string;
}

export const REFERENCE_SCHEMES = ['vault', 'vault+kv1', 'aws-sm', 'gcp-sm', 'azure-kv'] as const;

const SCHEME = /^(vault|vault\+kv1|aws-sm|gcp-sm|azure-kv):\/\//;
const SEGMENT = /^[\w.@~+=-]+$/;
const GCP_NAME = /^projects\/([\w.:-]+)\/secrets\/([\w-]{1,255})(?:\/versions\/(latest|\d+))?$/;
const AZURE_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** Whether a configured value is written as a secret reference (rather than as the secret). */
export function isSecretReference(value: string): boolean {
  return SCHEME.test(value.trim());
}

/**
 * Parses a reference. Throws an Error saying what is wrong with it (the text is a reference,
 * never a value, so it may be quoted). Call only for values `isSecretReference` accepts.
 */
export function parseSecretReference(raw: string): SecretReference {
  const text = raw.trim();
  const scheme = SCHEME.exec(text)?.[1];
  const rest = text.slice((scheme?.length ?? 0) + 3);
  switch (scheme) {
    case 'vault':
    case 'vault+kv1':
      return vault(text, rest, scheme === 'vault' ? 2 : 1);
    case 'aws-sm':
      return awsSm(text, rest);
    case 'gcp-sm':
      return gcpSm(text, rest);
    case 'azure-kv':
      return azureKv(text, rest);
    default:
      throw new Error(`'${text}' is not a secret reference (${REFERENCE_SCHEMES.join(', ')})`);
  }
}

function vault(text: string, rest: string, kvVersion: 1 | 2): VaultReference {
  const [location, field, extra] = rest.split('#');
  const segments = location.split('/');
  if (
    extra !== undefined ||
    segments.length < 2 ||
    segments.some((segment) => !SEGMENT.test(segment)) ||
    field === ''
  ) {
    throw new Error(
      `'${text}' must be ${kvVersion === 2 ? 'vault' : 'vault+kv1'}://<mount>/<path>#<field>, e.g. ${kvVersion === 2 ? 'vault' : 'vault+kv1'}://secret/groq#api-key`,
    );
  }
  return {
    provider: 'vault',
    text,
    kvVersion,
    mount: segments[0],
    path: segments.slice(1).join('/'),
    field,
  };
}

function awsSm(text: string, rest: string): AwsSecretsManagerReference {
  const hash = rest.indexOf('#');
  const secretId = hash === -1 ? rest : rest.slice(0, hash);
  const jsonField = hash === -1 ? undefined : rest.slice(hash + 1);
  if (!/^[\w/+=.@:-]{1,2048}$/.test(secretId) || jsonField === '') {
    throw new Error(
      `'${text}' must be aws-sm://<secret name or ARN>[#<json field>], e.g. aws-sm://prod/groq#api_key`,
    );
  }
  return { provider: 'aws-sm', text, secretId, jsonField };
}

function gcpSm(text: string, rest: string): GcpSecretManagerReference {
  const match = GCP_NAME.exec(rest);
  if (!match) {
    throw new Error(
      `'${text}' must be gcp-sm://projects/<project>/secrets/<secret>[/versions/<version>], e.g. gcp-sm://projects/acme/secrets/groq-key`,
    );
  }
  const [, project, secret, version] = match;
  return {
    provider: 'gcp-sm',
    text,
    versionName: `projects/${project}/secrets/${secret}/versions/${version ?? 'latest'}`,
  };
}

function azureKv(text: string, rest: string): AzureKeyVaultReference {
  const [vault, name, version, extra] = rest.split('/');
  const host = vault !== undefined && /[.:]/.test(vault);
  const validVault = host
    ? /^[\w.-]+(:\d{1,5})?$/.test(vault) || /^\[[\da-fA-F:]+\](:\d{1,5})?$/.test(vault)
    : /^[a-zA-Z][a-zA-Z0-9-]{2,23}$/.test(vault ?? '');
  if (
    !validVault ||
    extra !== undefined ||
    !AZURE_NAME.test(name ?? '') ||
    (version !== undefined && !/^[0-9a-zA-Z]{1,64}$/.test(version))
  ) {
    throw new Error(
      `'${text}' must be azure-kv://<vault name or host[:port]>/<secret>[/<version>], e.g. azure-kv://acme-prod/groq-key`,
    );
  }
  return {
    provider: 'azure-kv',
    text,
    vaultUrl: host ? `https://${vault}` : `https://${vault}.vault.azure.net`,
    name,
    version,
  };
}
