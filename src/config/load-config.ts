import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { loadAlertsConfig } from './load-alerts-config';
import { loadGovernanceConfig } from './load-governance-config';
import { loadNetworkConfig } from './load-network-config';
import { loadRoutesConfig } from './load-routes-config';
import { checkKeyGuardrails, loadGuardrailsConfig } from '../guardrails/load-guardrails-config';
import { loadRequestLogsConfig } from './load-request-logs-config';
import { loadAuthConfig } from '../auth/load-auth-config';
import {
  boolean,
  objectAt,
  rawSecretFromEnv,
  readSecretFile,
  secretFromEnv,
  stringAt,
} from './config-readers';
import { integerSetting, type IntegerSettingName } from './integer-settings';
import {
  ConfigError,
  GatewayConfig,
  GroqKeyConfig,
  LOG_LEVELS,
  LogLevel,
  RESPONSES_MODES,
  type ResponsesMode,
} from './gateway-config';
import { envWithSecrets, yamlWithSecrets, type SecretValues } from './secret-settings';
import { splitKeyList, type ReadFile } from './config-readers';

type Env = Record<string, string | undefined>;

const DEFAULT_GROQ_BASE_URL = 'https://api.groq.com';

/**
 * Builds the gateway's configuration from the environment and the optional YAML file named by
 * GATEWAY_CONFIG. Pure apart from the file reads it is handed, so it is tested without a process.
 * Environment variables win over the YAML file. A setting written as a secret reference
 * (`vault://...`, `aws-sm://...`, ...) takes its value from `secrets`, read beforehand (src/secrets).
 */
export function loadGatewayConfig(
  rawEnv: Env,
  readFile: ReadFile = (path) => readFileSync(path, 'utf8'),
  secrets: SecretValues = new Map(),
): GatewayConfig {
  const env = envWithSecrets(rawEnv, secrets);
  const yaml = yamlWithSecrets(readYamlConfig(env, readFile), secrets);
  const int = (name: IntegerSettingName) => integerSetting(name, env, yaml);
  const groqYaml = objectAt(yaml, 'groq', 'GATEWAY_CONFIG groq');

  const baseUrl = parseBaseUrl(
    env.GROQ_BASE_URL ?? stringAt(groqYaml, 'baseUrl') ?? DEFAULT_GROQ_BASE_URL,
  );
  const keys = resolveKeys(env, groqYaml, readFile);
  const governance = loadGovernanceConfig(env, yaml, readFile);
  const guardrails = loadGuardrailsConfig(yaml.guardrails);
  checkKeyGuardrails(governance.virtualKeys, guardrails);

  return {
    port: int('PORT'),
    host: env.HOST ?? stringAt(yaml, 'host') ?? '0.0.0.0',
    workers: int('WORKERS'),
    logLevel: logLevel(env.LOG_LEVEL ?? stringAt(yaml, 'logLevel') ?? 'info'),
    bodyLimitBytes: int('BODY_LIMIT_BYTES'),
    body: {
      maxDepth: int('BODY_MAX_DEPTH'),
      maxValues: int('BODY_MAX_VALUES'),
      timeoutMs: int('REQUEST_BODY_TIMEOUT_MS'),
      maxUnfinished: int('MAX_UNFINISHED_BODIES'),
    },
    groq: {
      baseUrl,
      keys,
      timeouts: {
        connectMs: int('UPSTREAM_CONNECT_TIMEOUT_MS'),
        firstByteMs: int('UPSTREAM_FIRST_BYTE_TIMEOUT_MS'),
        idleMs: int('UPSTREAM_IDLE_TIMEOUT_MS'),
      },
      maxConnections: int('UPSTREAM_MAX_CONNECTIONS'),
    },
    models: {
      cacheTtlMs: int('MODELS_CACHE_TTL_MS'),
    },
    modelAliases: modelAliases(env.MODEL_ALIASES, yaml.modelAliases),
    redisUrl: redisUrl(secretFromEnv(env, 'REDIS_URL', readFile) ?? stringAt(yaml, 'redisUrl')),
    governance,
    guardrails,
    network: loadNetworkConfig(env, readFile),
    requestLogs: loadRequestLogsConfig(env, yaml, readFile),
    alerts: loadAlertsConfig(env, yaml, readFile),
    auth: loadAuthConfig(yaml, env, readFile),
    otel: {
      endpoint: otelEndpoint(env.OTEL_EXPORTER_OTLP_ENDPOINT),
      serviceName: env.OTEL_SERVICE_NAME?.trim() || 'groq-gateway',
    },
    retries: {
      maxAttempts: int('RETRY_MAX_ATTEMPTS'),
      baseDelayMs: int('RETRY_BASE_DELAY_MS'),
      maxDelayMs: int('RETRY_MAX_DELAY_MS'),
      maxRetryAfterMs: int('RETRY_MAX_WAIT_MS'),
    },
    circuitBreaker: {
      failureThreshold: int('BREAKER_FAILURE_THRESHOLD'),
      cooldownMs: int('BREAKER_COOLDOWN_MS'),
    },
    fallbacks: fallbacks(env.MODEL_FALLBACKS, yaml.fallbacks),
    routes: loadRoutesConfig(yaml.routes),
    shutdown: {
      drainDelayMs: int('SHUTDOWN_DRAIN_DELAY_MS'),
      graceMs: int('SHUTDOWN_GRACE_MS'),
    },
    secrets: {
      refreshSeconds: int('SECRETS_REFRESH_SECONDS'),
    },
    responses: {
      mode: responsesMode(objectAt(yaml, 'responses', 'GATEWAY_CONFIG responses').mode),
    },
    completions: {
      convertWithoutHeader: boolean(
        'COMPLETIONS_CONVERT_ALWAYS',
        env.COMPLETIONS_CONVERT_ALWAYS ??
          objectAt(yaml, 'completions', 'GATEWAY_CONFIG completions').convertWithoutHeader,
        false,
      ),
    },
  };
}

/** `responses.mode`: `convert` (the default) or `native`. */
function responsesMode(raw: unknown): ResponsesMode {
  if (raw === undefined || raw === null) return 'convert';
  if (typeof raw !== 'string' || !(RESPONSES_MODES as readonly string[]).includes(raw)) {
    throw new ConfigError(
      'GATEWAY_CONFIG responses.mode',
      `must be one of ${RESPONSES_MODES.join(', ')}, got '${String(raw)}'`,
    );
  }
  return raw as ResponsesMode;
}

function otelEndpoint(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    const url = new URL(raw.trim());
    if (url.protocol === 'http:' || url.protocol === 'https:')
      return url.toString().replace(/\/$/, '');
  } catch {
    // reported below
  }
  throw new ConfigError(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'must be an http(s) URL of an OTLP/HTTP collector, e.g. http://otel-collector:4318',
  );
}

function redisUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol === 'redis:' || url.protocol === 'rediss:') return raw.trim();
  } catch {
    // reported below
  }
  throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
}

/** `MODEL_FALLBACKS=groq/a=groq/b|groq/c;groq/d=groq/e` wins over the YAML `fallbacks` mapping. */
function fallbacks(raw: string | undefined, fromYaml: unknown): Record<string, string[]> {
  if (raw !== undefined && raw.trim() !== '') {
    const table: Record<string, string[]> = {};
    for (const entry of raw
      .split(';')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const at = entry.indexOf('=');
      const models = entry
        .slice(at + 1)
        .split('|')
        .map((m) => m.trim())
        .filter(Boolean);
      if (at <= 0 || models.length === 0) {
        throw new ConfigError(
          'MODEL_FALLBACKS',
          `'${entry}' is not model=fallback|fallback (e.g. groq/llama-3.3-70b-versatile=groq/llama-3.1-8b-instant)`,
        );
      }
      table[entry.slice(0, at).trim()] = models;
    }
    return table;
  }
  if (fromYaml === undefined || fromYaml === null) return {};
  const valid =
    typeof fromYaml === 'object' &&
    !Array.isArray(fromYaml) &&
    Object.values(fromYaml).every(
      (list) =>
        Array.isArray(list) && list.length > 0 && list.every((m) => typeof m === 'string' && m),
    );
  if (!valid)
    throw new ConfigError(
      'GATEWAY_CONFIG fallbacks',
      'must map model names to non-empty lists of model names',
    );
  return { ...(fromYaml as Record<string, string[]>) };
}

/** `MODEL_ALIASES=a=groq/x,b=groq/y` wins over the YAML `modelAliases` mapping. */
function modelAliases(raw: string | undefined, fromYaml: unknown): Record<string, string> {
  if (raw !== undefined && raw.trim() !== '') {
    const aliases: Record<string, string> = {};
    for (const pair of raw
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const at = pair.indexOf('=');
      if (at <= 0 || at === pair.length - 1) {
        throw new ConfigError(
          'MODEL_ALIASES',
          `'${pair}' is not alias=model (e.g. claude-3-5-sonnet-20241022=groq/llama-3.3-70b-versatile)`,
        );
      }
      aliases[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
    return aliases;
  }
  if (fromYaml === undefined || fromYaml === null) return {};
  if (
    typeof fromYaml !== 'object' ||
    Array.isArray(fromYaml) ||
    Object.values(fromYaml).some((v) => typeof v !== 'string' || !v)
  ) {
    throw new ConfigError(
      'GATEWAY_CONFIG modelAliases',
      'must map alias names to model ids (strings)',
    );
  }
  return { ...(fromYaml as Record<string, string>) };
}

export function readYamlConfig(env: Env, readFile: ReadFile): Record<string, unknown> {
  const path = env.GATEWAY_CONFIG;
  if (!path) return {};
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError(
      'GATEWAY_CONFIG',
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      'GATEWAY_CONFIG',
      `${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('GATEWAY_CONFIG', `${path} must hold a YAML mapping at the top level`);
  }
  return parsed as Record<string, unknown>;
}

/** Keys come from GROQ_API_KEYS(_FILE), else GROQ_API_KEY(_FILE), else the YAML `groq.keys` list. */
function resolveKeys(
  env: Env,
  groqYaml: Record<string, unknown>,
  readFile: ReadFile,
): GroqKeyConfig[] {
  const fromEnv =
    listFromEnv(env, 'GROQ_API_KEYS', readFile) ?? listFromEnv(env, 'GROQ_API_KEY', readFile);
  if (fromEnv) {
    return fromEnv.map((key, index) => ({ id: `key-${index + 1}`, key, weight: 1, models: [] }));
  }
  const yamlKeys = groqYaml.keys;
  if (yamlKeys === undefined) {
    throw new ConfigError(
      'GROQ_API_KEY',
      'no Groq key configured; set GROQ_API_KEY (or GROQ_API_KEYS, a *_FILE variant, or groq.keys in GATEWAY_CONFIG), or run `npm run demo` to try the gateway on the bundled emulator',
    );
  }
  if (!Array.isArray(yamlKeys) || yamlKeys.length === 0) {
    throw new ConfigError('GATEWAY_CONFIG groq.keys', 'must be a non-empty list');
  }
  const keys = yamlKeys.flatMap((entry, index) => keysFromYaml(entry, index, env, readFile));
  const ids = new Set<string>();
  for (const key of keys) {
    if (ids.has(key.id))
      throw new ConfigError(`GATEWAY_CONFIG groq.keys`, `duplicate key id '${key.id}'`);
    ids.add(key.id);
  }
  return keys;
}

/**
 * One entry of `groq.keys`: one key (`key`, `keyEnv`, `keyFile`), or with `keyRef` a secret
 * holding several (a JSON array or a comma list), pooled as `<id>-1`, `<id>-2`, ...
 */
function keysFromYaml(
  entry: unknown,
  index: number,
  env: Env,
  readFile: ReadFile,
): GroqKeyConfig[] {
  const where = `GATEWAY_CONFIG groq.keys[${index}]`;
  if (typeof entry !== 'object' || entry === null)
    throw new ConfigError(where, 'must be a mapping');
  const item = entry as Record<string, unknown>;
  let key: string | undefined;
  if (typeof item.key === 'string') key = item.key;
  else if (typeof item.keyEnv === 'string') key = env[item.keyEnv];
  else if (typeof item.keyFile === 'string')
    key = readSecretFile(`${where}.keyFile`, item.keyFile, readFile);
  const fromRef =
    item.key === undefined &&
    item.keyEnv === undefined &&
    item.keyFile === undefined &&
    typeof item.keyRef === 'string';
  if (fromRef) key = item.keyRef as string;
  if (!key?.trim())
    throw new ConfigError(where, 'needs a non-empty key, keyEnv, keyFile or keyRef');
  const weight = item.weight === undefined ? 1 : Number(item.weight);
  if (!Number.isFinite(weight) || weight <= 0)
    throw new ConfigError(`${where}.weight`, 'must be a positive number');
  const models = item.models === undefined ? [] : item.models;
  if (!Array.isArray(models) || models.some((m) => typeof m !== 'string')) {
    throw new ConfigError(`${where}.models`, 'must be a list of model ids');
  }
  const id = typeof item.id === 'string' && item.id ? item.id : `key-${index + 1}`;
  if (!fromRef) return [{ id, key: key.trim(), weight, models: models as string[] }];
  const keys = splitKeyList(key);
  if (keys.length === 0) throw new ConfigError(`${where}.keyRef`, 'names a secret holding no key');
  return keys.map((one, n) => ({ id: `${id}-${n + 1}`, key: one, weight, models: [...models] }));
}

function listFromEnv(env: Env, name: string, readFile: ReadFile): string[] | undefined {
  const raw = rawSecretFromEnv(env, name, readFile);
  if (raw === undefined) return undefined;
  const keys = splitKeyList(raw);
  if (keys.length === 0) throw new ConfigError(name, 'is set but holds no key');
  return keys;
}

function parseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      'GROQ_BASE_URL',
      `'${raw}' is not a URL; expected an origin such as https://api.groq.com`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('GROQ_BASE_URL', `must be http or https, got ${url.protocol}`);
  }
  if (/\/openai\/v1\/?$/.test(url.pathname)) {
    throw new ConfigError(
      'GROQ_BASE_URL',
      'give the bare origin (e.g. https://api.groq.com); the gateway appends /openai/v1 itself',
    );
  }
  return url.toString().replace(/\/$/, '');
}

function logLevel(raw: string): LogLevel {
  const level = raw.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
  }
  return level as LogLevel;
}
