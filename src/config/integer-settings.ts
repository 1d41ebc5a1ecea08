import { integer, objectAt } from './config-readers';

/** A whole-number setting: where it sits in GATEWAY_CONFIG, its default and its range. */
export interface IntegerSetting {
  readonly yaml: readonly string[];
  readonly fallback: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Every whole-number setting of the gateway, in one table keyed by its environment variable: the
 * path in GATEWAY_CONFIG, the default and the range. The environment wins over the YAML file.
 */
export const INTEGER_SETTINGS = {
  PORT: { yaml: ['port'], fallback: 8080, min: 0, max: 65535 },
  WORKERS: { yaml: ['workers'], fallback: 1, min: 1, max: 64 },
  BODY_LIMIT_BYTES: {
    yaml: ['bodyLimitBytes'],
    fallback: 4 * 1024 * 1024,
    min: 1024,
    max: 512 * 1024 * 1024,
  },
  BODY_MAX_DEPTH: { yaml: ['body', 'maxDepth'], fallback: 64, min: 8, max: 10_000 },
  BODY_MAX_VALUES: { yaml: ['body', 'maxValues'], fallback: 200_000, min: 1000, max: 100_000_000 },
  REQUEST_BODY_TIMEOUT_MS: {
    yaml: ['body', 'timeoutMs'],
    fallback: 30_000,
    min: 100,
    max: 3_600_000,
  },
  MAX_UNFINISHED_BODIES: {
    yaml: ['body', 'maxUnfinished'],
    fallback: 1024,
    min: 1,
    max: 1_000_000,
  },
  UPSTREAM_CONNECT_TIMEOUT_MS: {
    yaml: ['groq', 'timeouts', 'connectMs'],
    fallback: 10_000,
    min: 1,
    max: 600_000,
  },
  UPSTREAM_FIRST_BYTE_TIMEOUT_MS: {
    yaml: ['groq', 'timeouts', 'firstByteMs'],
    fallback: 60_000,
    min: 1,
    max: 3_600_000,
  },
  UPSTREAM_IDLE_TIMEOUT_MS: {
    yaml: ['groq', 'timeouts', 'idleMs'],
    fallback: 30_000,
    min: 1,
    max: 3_600_000,
  },
  UPSTREAM_MAX_CONNECTIONS: {
    yaml: ['groq', 'maxConnections'],
    fallback: 256,
    min: 1,
    max: 65_536,
  },
  MODELS_CACHE_TTL_MS: {
    yaml: ['models', 'cacheTtlMs'],
    fallback: 60_000,
    min: 0,
    max: 86_400_000,
  },
  BREAKER_FAILURE_THRESHOLD: {
    yaml: ['circuitBreaker', 'failureThreshold'],
    fallback: 5,
    min: 1,
    max: 1000,
  },
  BREAKER_COOLDOWN_MS: {
    yaml: ['circuitBreaker', 'cooldownMs'],
    fallback: 30_000,
    min: 1,
    max: 3_600_000,
  },
  SHUTDOWN_DRAIN_DELAY_MS: {
    yaml: ['shutdown', 'drainDelayMs'],
    fallback: 5_000,
    min: 0,
    max: 600_000,
  },
  SHUTDOWN_GRACE_MS: { yaml: ['shutdown', 'graceMs'], fallback: 25_000, min: 0, max: 3_600_000 },
  RETRY_MAX_ATTEMPTS: { yaml: ['retries', 'maxAttempts'], fallback: 3, min: 1, max: 10 },
  RETRY_BASE_DELAY_MS: { yaml: ['retries', 'baseDelayMs'], fallback: 200, min: 0, max: 60_000 },
  RETRY_MAX_DELAY_MS: { yaml: ['retries', 'maxDelayMs'], fallback: 5_000, min: 0, max: 300_000 },
  RETRY_MAX_WAIT_MS: {
    yaml: ['retries', 'maxRetryAfterMs'],
    fallback: 10_000,
    min: 0,
    max: 600_000,
  },
  SECRETS_REFRESH_SECONDS: {
    yaml: ['secrets', 'refreshSeconds'],
    fallback: 300,
    min: 1,
    max: 86_400,
  },
} as const satisfies Record<string, IntegerSetting>;

export type IntegerSettingName = keyof typeof INTEGER_SETTINGS;

/** A setting's value from the environment or the YAML, checked against its range. */
export function integerSetting(
  name: IntegerSettingName,
  env: Record<string, string | undefined>,
  yaml: Record<string, unknown>,
): number {
  const setting: IntegerSetting = INTEGER_SETTINGS[name];
  const raw = env[name] ?? yamlValue(yaml, setting.yaml);
  return integer(name, raw, setting.fallback, setting.min, setting.max);
}

function yamlValue(yaml: Record<string, unknown>, path: readonly string[]): unknown {
  let at = yaml;
  for (let i = 0; i < path.length - 1; i++)
    at = objectAt(at, path[i], `GATEWAY_CONFIG ${path.slice(0, i + 1).join('.')}`);
  return at[path[path.length - 1]];
}
