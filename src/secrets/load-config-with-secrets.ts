import { readFileSync } from 'node:fs';
import type { ReadFile } from '../config/config-readers';
import type { GatewayConfig } from '../config/gateway-config';
import { loadGatewayConfig, readYamlConfig } from '../config/load-config';
import { loadNetworkConfig } from '../config/load-network-config';
import { installGlobalEgress } from '../network/egress';
import { findSecretSettings, type SecretValues } from '../config/secret-settings';
import { SecretReferences } from './secret-references';
import { SecretResolvers } from './secret-resolvers';

type Env = Record<string, string | undefined>;

/** What the refresher needs: the references, and how to build the configuration again from them. */
export interface SecretsRuntime {
  references: SecretReferences;
  reload(values: SecretValues): GatewayConfig;
}

/**
 * The configuration, with every secret reference in it read first. A reference that cannot be
 * read is a ConfigError naming the setting, the reference and why (never a value). Without
 * references nothing is loaded: no SDK, no client, no delay.
 */
export async function loadConfigWithSecrets(
  env: Env,
  readFile: ReadFile = (path) => readFileSync(path, 'utf8'),
): Promise<{ config: GatewayConfig; secrets?: SecretsRuntime }> {
  const settings = findSecretSettings(env, readYamlConfig(env, readFile));
  if (settings.length === 0) return { config: loadGatewayConfig(env, readFile) };
  // Later loads read the YAML start-up read: only the secrets change while running.
  const yamlPath = env.GATEWAY_CONFIG;
  const yamlText = yamlPath ? readFile(yamlPath) : undefined;
  const sameYaml: ReadFile = (path) =>
    path === yamlPath && yamlText !== undefined ? yamlText : readFile(path);
  // Secret stores are outbound calls like any other: through HTTP(S)_PROXY and UPSTREAM_CA_FILE
  // from the first read on, not only once the app is built.
  const { egress } = loadNetworkConfig(env, readFile);
  installGlobalEgress(egress);
  const references = new SecretReferences(settings, new SecretResolvers(env, egress));
  const values = await references.readAll();
  try {
    const config = loadGatewayConfig(env, sameYaml, values);
    references.applied(values);
    return {
      config,
      secrets: { references, reload: (next) => loadGatewayConfig(env, sameYaml, next) },
    };
  } finally {
    values.clear();
  }
}
