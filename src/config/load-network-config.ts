import { isIP } from 'node:net';
import { boolean, integer, readSecretFile, type ReadFile } from './config-readers';
import { ConfigError } from './gateway-config';
import type { NetworkConfig } from './network-config';

type Env = Record<string, string | undefined>;

/**
 * The network settings, from the environment (the standard proxy variables in either case, as
 * curl and undici read them). Files are read here, once, so a mistake stops start-up naming it.
 */
export function loadNetworkConfig(env: Env, readFile: ReadFile): NetworkConfig {
  const caFile = nonEmpty(env.UPSTREAM_CA_FILE);
  const certFile = nonEmpty(env.TLS_CERT_FILE);
  const keyFile = nonEmpty(env.TLS_KEY_FILE);
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new ConfigError(
      certFile ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE',
      'TLS_CERT_FILE and TLS_KEY_FILE go together: set both to serve HTTPS',
    );
  const clientCaFile = nonEmpty(env.TLS_CLIENT_CA_FILE);
  if (clientCaFile && !certFile)
    throw new ConfigError(
      'TLS_CLIENT_CA_FILE',
      'needs TLS_CERT_FILE and TLS_KEY_FILE (mTLS is TLS)',
    );
  for (const [setting, file] of [
    ['TLS_CERT_FILE', certFile],
    ['TLS_KEY_FILE', keyFile],
    ['TLS_CLIENT_CA_FILE', clientCaFile],
  ] as const)
    if (file) readSecretFile(setting, file, readFile);
  const h2cPort = env.H2C_PORT ? integer('H2C_PORT', env.H2C_PORT, 0, 0, 65535) : undefined;
  return {
    egress: {
      httpProxy: proxyUrl(env, 'HTTP_PROXY', readFile),
      httpsProxy: proxyUrl(env, 'HTTPS_PROXY', readFile),
      noProxy: nonEmpty(env.NO_PROXY ?? env.no_proxy),
      caFile,
      caPem: caFile ? readSecretFile('UPSTREAM_CA_FILE', caFile, readFile) : undefined,
    },
    tls: certFile && keyFile ? { certFile, keyFile, clientCaFile } : undefined,
    h2cPort,
    trustedProxies: trustedProxies(env.TRUSTED_PROXIES),
    meshClientCertHeader: nonEmpty(env.MESH_CLIENT_CERT_HEADER)?.toLowerCase(),
    meshRetries: boolean('MESH_RETRIES', env.MESH_RETRIES, false),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** NAME or name, else the file NAME_FILE names (a URL with credentials is a secret). */
function proxyUrl(env: Env, name: string, readFile: ReadFile): string | undefined {
  const file = nonEmpty(env[`${name}_FILE`]);
  const raw =
    nonEmpty(env[name] ?? env[name.toLowerCase()]) ??
    (file ? nonEmpty(readSecretFile(`${name}_FILE`, file, readFile)) : undefined);
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
  } catch {
    // reported below, without the value (it may hold a password)
  }
  throw new ConfigError(name, 'must be an http:// or https:// proxy URL, e.g. http://proxy:3128');
}

/** Addresses or CIDRs, comma-separated; each checked so a typo stops start-up. */
function trustedProxies(raw: string | undefined): string[] {
  if (!raw?.trim()) return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [address, bits, extra] = entry.split('/');
      const family = isIP(address);
      const maxBits = family === 6 ? 128 : 32;
      const validBits =
        bits === undefined ||
        (/^\d+$/.test(bits) && Number(bits) <= maxBits && extra === undefined);
      if (family === 0 || !validBits)
        throw new ConfigError(
          'TRUSTED_PROXIES',
          `'${entry}' is not an address or CIDR (e.g. 10.0.0.0/8, 127.0.0.1, ::1)`,
        );
      return entry;
    });
}
