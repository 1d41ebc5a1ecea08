import { readFileSync } from 'node:fs';
import { SecretReadError } from '../secret-resolver';

type Env = Record<string, string | undefined>;

export type VaultAuth =
  | { method: 'token'; token: () => string }
  | { method: 'approle'; mount: string; roleId: string; secretId: () => string }
  | { method: 'kubernetes'; mount: string; role: string; jwt: () => string };

export interface VaultSettings {
  address: string;
  namespace?: string;
  /** PEM of the CA that signed Vault's certificate (VAULT_CACERT). */
  ca?: string;
  auth: VaultAuth;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Vault's connection and login, from the variables Vault's own CLI reads (VAULT_ADDR,
 * VAULT_TOKEN, VAULT_NAMESPACE, VAULT_CACERT) plus AppRole and Kubernetes auth. Files are read at
 * each login, so a token or secret id a sidecar rewrites is picked up.
 */
export function vaultSettings(env: Env, readFile = readText): VaultSettings {
  const address = env.VAULT_ADDR?.trim();
  if (!address) throw new SecretReadError('VAULT_ADDR is not set (e.g. https://vault:8200)');
  if (!/^https?:\/\/[^/]+/.test(address))
    throw new SecretReadError('VAULT_ADDR must be an http(s) URL, e.g. https://vault:8200');
  const fileOf = (name: string, path: string) => () => {
    try {
      return readFile(path).trim();
    } catch (error) {
      throw new SecretReadError(
        `cannot read ${name} ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  };
  let auth: VaultAuth;
  if (env.VAULT_TOKEN?.trim()) {
    const token = env.VAULT_TOKEN.trim();
    auth = { method: 'token', token: () => token };
  } else if (env.VAULT_TOKEN_FILE?.trim()) {
    auth = { method: 'token', token: fileOf('VAULT_TOKEN_FILE', env.VAULT_TOKEN_FILE.trim()) };
  } else if (env.VAULT_ROLE_ID?.trim()) {
    const secretIdFile = env.VAULT_SECRET_ID_FILE?.trim();
    const secretId = env.VAULT_SECRET_ID?.trim();
    if (!secretIdFile && !secretId)
      throw new SecretReadError('VAULT_ROLE_ID is set without VAULT_SECRET_ID_FILE');
    auth = {
      method: 'approle',
      mount: env.VAULT_APPROLE_MOUNT?.trim() || 'approle',
      roleId: env.VAULT_ROLE_ID.trim(),
      secretId: secretIdFile
        ? fileOf('VAULT_SECRET_ID_FILE', secretIdFile)
        : () => secretId as string,
    };
  } else if (env.VAULT_K8S_ROLE?.trim()) {
    const tokenFile = env.VAULT_K8S_TOKEN_FILE?.trim() || SERVICE_ACCOUNT_TOKEN;
    auth = {
      method: 'kubernetes',
      mount: env.VAULT_K8S_MOUNT?.trim() || 'kubernetes',
      role: env.VAULT_K8S_ROLE.trim(),
      jwt: fileOf('the service-account token', tokenFile),
    };
  } else {
    throw new SecretReadError(
      'no Vault login configured: set VAULT_TOKEN (or VAULT_TOKEN_FILE), VAULT_ROLE_ID with VAULT_SECRET_ID_FILE, or VAULT_K8S_ROLE',
    );
  }
  let ca: string | undefined;
  if (env.VAULT_CACERT?.trim()) ca = fileOf('VAULT_CACERT', env.VAULT_CACERT.trim())();
  return {
    address: address.replace(/\/+$/, ''),
    namespace: env.VAULT_NAMESPACE?.trim() || undefined,
    ca,
    auth,
  };
}

function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
