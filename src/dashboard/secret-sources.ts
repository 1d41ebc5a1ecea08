import { isSecretReference } from '../secrets/secret-reference';

type Env = Record<string, string | undefined>;
type Yaml = Record<string, unknown>;

/**
 * How the effective configuration shows a secret: where it comes from (a secret manager
 * reference, a file, an environment variable), or only that it is set when it was written inline.
 * Never the value.
 */
export type SecretShown = { secretRef: string } | 'set (redacted)';

export const INLINE_SECRET = 'set (redacted)';

/** A secret read from the environment variable NAME (or the file NAME_FILE names). */
export function envSecret(env: Env, name: string): SecretShown | null {
  const value = env[name]?.trim();
  if (value) return { secretRef: isSecretReference(value) ? value : `env:${name}` };
  const file = env[`${name}_FILE`]?.trim();
  if (file) return { secretRef: `file:${file}` };
  return null;
}

/**
 * A secret a GATEWAY_CONFIG entry gives as `field` (the value or a reference), `fieldFile`,
 * `fieldEnv` or `fieldRef` (src/config/secret-field.ts and the Groq keys' own forms).
 */
export function fieldSecret(item: unknown, field: string, env: Env): SecretShown | null {
  if (!isYaml(item)) return null;
  const direct = item[field];
  if (typeof direct === 'string')
    return isSecretReference(direct) ? { secretRef: direct.trim() } : INLINE_SECRET;
  const file = item[`${field}File`];
  if (typeof file === 'string') return { secretRef: `file:${file.trim()}` };
  const name = item[`${field}Env`];
  if (typeof name === 'string') return envSecret(env, name.trim()) ?? { secretRef: `env:${name}` };
  const reference = item[`${field}Ref`];
  if (typeof reference === 'string') return { secretRef: reference.trim() };
  return null;
}

/** A request-log export's `{env: NAME}` / `{file: /path}` secret. */
export function envOrFileSecret(raw: unknown, env: Env): SecretShown {
  if (isYaml(raw)) {
    if (typeof raw.env === 'string')
      return envSecret(env, raw.env) ?? { secretRef: `env:${raw.env}` };
    if (typeof raw.file === 'string') return { secretRef: `file:${raw.file}` };
  }
  return INLINE_SECRET;
}

/**
 * A URL that may carry credentials: user and password become `***`, and query values too (a
 * token in `?key=`). Anything that is not a URL is not shown.
 */
export function redactedUrl(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return INLINE_SECRET;
  }
  if (url.username) url.username = '***';
  if (url.password) url.password = '***';
  for (const name of [...url.searchParams.keys()]) url.searchParams.set(name, '***');
  return url.toString();
}

/** The host of a URL whose whole text is a secret (a Slack webhook), for telling channels apart. */
export function hostOf(raw: string): string | null {
  try {
    return new URL(raw).host;
  } catch {
    return null;
  }
}

export function isYaml(value: unknown): value is Yaml {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `yaml.a.b.c`, or an empty mapping where any step is missing or not a mapping. */
export function yamlAt(yaml: unknown, ...path: (string | number)[]): Yaml {
  let node: unknown = yaml;
  for (const step of path) {
    if (typeof step === 'number') node = Array.isArray(node) ? node[step] : undefined;
    else node = isYaml(node) ? node[step] : undefined;
  }
  return isYaml(node) ? node : {};
}

/** Environment variables whose names say they hold a secret (their _FILE / _ENV pointers do not). */
const SECRET_NAME = /(KEY|KEYS|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIALS?)$/;

/** The values of secret-named environment variables that are not references, for the last check. */
export function envSecretValues(env: Env): string[] {
  return Object.entries(env)
    .filter(([name]) => SECRET_NAME.test(name) && !/_(FILE|ENV)$/.test(name))
    .map(([, value]) => value?.trim() ?? '')
    .filter((value) => value.length >= 8 && !isSecretReference(value));
}
