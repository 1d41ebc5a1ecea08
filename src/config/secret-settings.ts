import { isSecretReference } from '../secrets/secret-reference';
import { ConfigError } from './gateway-config';

type Env = Record<string, string | undefined>;

/** Values of the references read for one configuration load, by reference text. */
export type SecretValues = ReadonlyMap<string, string>;

/** A reference and the setting it was written in (`GROQ_API_KEY`, `GATEWAY_CONFIG groq.keys[0].key`). */
export interface SecretSetting {
  setting: string;
  reference: string;
}

/**
 * Every secret reference in the configuration: environment variables, and string values anywhere
 * in GATEWAY_CONFIG. Any setting may be written as a reference, so every secret a feature reads
 * (today's and tomorrow's) takes the reference forms without knowing about them.
 */
export function findSecretSettings(env: Env, yaml: Record<string, unknown>): SecretSetting[] {
  const found: SecretSetting[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && isSecretReference(value))
      found.push({ setting: name, reference: value.trim() });
  }
  walkYaml(yaml, 'GATEWAY_CONFIG ', (setting, value) => {
    if (isSecretReference(value)) found.push({ setting, reference: value.trim() });
  });
  return found;
}

/** The environment with each reference replaced by the secret it names. */
export function envWithSecrets(env: Env, secrets: SecretValues): Env {
  let copy: Env | undefined;
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !isSecretReference(value)) continue;
    copy ??= { ...env };
    copy[name] = secretFor(name, value, secrets);
  }
  return copy ?? env;
}

/** The YAML tree with each reference replaced by the secret it names (a new tree; the input is kept). */
export function yamlWithSecrets(
  yaml: Record<string, unknown>,
  secrets: SecretValues,
): Record<string, unknown> {
  const replace = (node: unknown, path: string): unknown => {
    if (typeof node === 'string')
      return isSecretReference(node) ? secretFor(`GATEWAY_CONFIG ${path}`, node, secrets) : node;
    if (Array.isArray(node)) return node.map((item, index) => replace(item, `${path}[${index}]`));
    if (node !== null && typeof node === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node))
        copy[key] = replace(value, path ? `${path}.${key}` : key);
      return copy;
    }
    return node;
  };
  return replace(yaml, '') as Record<string, unknown>;
}

function secretFor(setting: string, reference: string, secrets: SecretValues): string {
  const value = secrets.get(reference.trim());
  if (value === undefined) {
    throw new ConfigError(
      setting,
      `the secret reference '${reference.trim()}' was not read (references are read by the gateway at start-up)`,
    );
  }
  return value;
}

function walkYaml(
  node: unknown,
  path: string,
  visit: (setting: string, value: string) => void,
): void {
  if (typeof node === 'string') visit(path.trimEnd(), node);
  else if (Array.isArray(node)) node.forEach((item, i) => walkYaml(item, `${path}[${i}]`, visit));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      walkYaml(value, path.endsWith(' ') ? `${path}${key}` : `${path}.${key}`, visit);
    }
  }
}
