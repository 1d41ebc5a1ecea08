import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  boolean,
  integer,
  objectAt,
  readSecretFile,
  secretFromEnv,
  stringAt,
  type ReadFile,
} from './config-readers';
import { ConfigError } from './gateway-config';
import {
  MAX_TAILS,
  type ExportConfig,
  type LogsBodies,
  type LogsOverflow,
  type LogsStoreKind,
  type RequestLogsConfig,
} from './request-logs-config';

type Env = Record<string, string | undefined>;

const DAY_LIMIT = 36_500;

/** LOGS_* from the environment over `logs:` in GATEWAY_CONFIG; exports only from the YAML. */
export function loadRequestLogsConfig(
  env: Env,
  yaml: Record<string, unknown>,
  readFile: ReadFile,
): RequestLogsConfig {
  const logs = objectAt(yaml, 'logs', 'GATEWAY_CONFIG logs');
  const retention = objectAt(logs, 'retention', 'GATEWAY_CONFIG logs.retention');
  const store = oneOf<LogsStoreKind>(
    'LOGS_STORE',
    env.LOGS_STORE ?? stringAt(logs, 'store'),
    ['sqlite', 'postgres', 'off'],
    'sqlite',
  );
  const postgresUrl =
    secretFromEnv(env, 'LOGS_POSTGRES_URL', readFile) ?? stringAt(logs, 'postgresUrl');
  if (store === 'postgres') checkPostgresUrl(postgresUrl);
  const queueSize = integer(
    'LOGS_QUEUE_SIZE',
    env.LOGS_QUEUE_SIZE ?? logs.queueSize,
    10_000,
    1,
    1_000_000,
  );
  return {
    store,
    dataDir: env.DATA_DIR?.trim() || stringAt(logs, 'dataDir') || join('.', 'data'),
    postgresUrl: store === 'postgres' ? postgresUrl : undefined,
    retentionDays: integer(
      'LOGS_RETENTION_DAYS',
      env.LOGS_RETENTION_DAYS ?? retention.days,
      30,
      1,
      DAY_LIMIT,
    ),
    retentionByVirtualKey: daysById(
      retention.virtualKeys,
      'GATEWAY_CONFIG logs.retention.virtualKeys',
    ),
    retentionByTeam: daysById(retention.teams, 'GATEWAY_CONFIG logs.retention.teams'),
    retentionIntervalMs: integer(
      'LOGS_RETENTION_INTERVAL_MS',
      env.LOGS_RETENTION_INTERVAL_MS ?? retention.intervalMs,
      3_600_000,
      1_000,
      86_400_000,
    ),
    bodies: oneOf<LogsBodies>(
      'LOGS_BODIES',
      env.LOGS_BODIES ?? stringAt(logs, 'bodies'),
      ['off', 'redacted', 'full'],
      'off',
    ),
    bodyMaxBytes: integer(
      'LOGS_BODY_MAX_BYTES',
      env.LOGS_BODY_MAX_BYTES ?? logs.bodyMaxBytes,
      64 * 1024,
      16,
      64 * 1024 * 1024,
    ),
    clientAddress: boolean(
      'LOGS_CLIENT_ADDRESS',
      env.LOGS_CLIENT_ADDRESS ?? logs.clientAddress,
      false,
    ),
    onOverflow: oneOf<LogsOverflow>(
      'LOGS_ON_OVERFLOW',
      env.LOGS_ON_OVERFLOW ?? stringAt(logs, 'onOverflow'),
      ['drop', 'block'],
      'drop',
    ),
    queueSize,
    batchSize: integer(
      'LOGS_BATCH_SIZE',
      env.LOGS_BATCH_SIZE ?? logs.batchSize,
      Math.min(500, queueSize),
      1,
      5_000,
    ),
    flushIntervalMs: integer(
      'LOGS_FLUSH_INTERVAL_MS',
      env.LOGS_FLUSH_INTERVAL_MS ?? logs.flushIntervalMs,
      1_000,
      10,
      600_000,
    ),
    queryTimeoutMs: integer(
      'LOGS_QUERY_TIMEOUT_MS',
      env.LOGS_QUERY_TIMEOUT_MS ?? logs.queryTimeoutMs,
      30_000,
      10,
      3_600_000,
    ),
    tailMaxPerCaller: integer(
      'LOGS_TAIL_MAX_PER_CALLER',
      env.LOGS_TAIL_MAX_PER_CALLER ?? logs.tailMaxPerCaller,
      5,
      1,
      MAX_TAILS,
    ),
    replicaId: replicaId(env.LOGS_REPLICA_ID ?? stringAt(logs, 'replicaId')),
    exports: exportsFrom(logs.exports, env, readFile),
  };
}

function oneOf<T extends string>(
  setting: string,
  raw: string | undefined,
  values: readonly T[],
  fallback: T,
): T {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (!(values as readonly string[]).includes(value))
    throw new ConfigError(setting, `must be one of ${values.join(', ')}, got '${raw}'`);
  return value as T;
}

function checkPostgresUrl(url: string | undefined): void {
  if (!url)
    throw new ConfigError(
      'LOGS_POSTGRES_URL',
      'LOGS_STORE=postgres needs LOGS_POSTGRES_URL (or LOGS_POSTGRES_URL_FILE), e.g. postgres://user:password@host:5432/gateway',
    );
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    // The URL may hold a password: never echo it.
    throw new ConfigError('LOGS_POSTGRES_URL', 'is not a URL (postgres://user:password@host/db)');
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:')
    throw new ConfigError('LOGS_POSTGRES_URL', 'must be a postgres:// or postgresql:// URL');
}

function daysById(raw: unknown, setting: string): Record<string, number> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(setting, 'must map ids to a number of days');
  const table: Record<string, number> = {};
  for (const [id, days] of Object.entries(raw)) {
    table[id] = integer(`${setting}.${id}`, days, 30, 1, DAY_LIMIT);
  }
  return table;
}

function replicaId(raw: string | undefined): string {
  const id = raw?.trim() || `${hostname()}-${process.pid}`;
  return id.replace(/[^\w.-]/g, '_');
}

function exportsFrom(raw: unknown, env: Env, readFile: ReadFile): ExportConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw))
    throw new ConfigError('GATEWAY_CONFIG logs.exports', 'must be a list of exports');
  const configs = raw.map((entry, index) => exportFrom(entry, index, env, readFile));
  const names = new Set<string>();
  for (const config of configs) {
    if (names.has(config.name))
      throw new ConfigError(
        'GATEWAY_CONFIG logs.exports',
        `two exports are named '${config.name}'`,
      );
    names.add(config.name);
  }
  return configs;
}

function exportFrom(entry: unknown, index: number, env: Env, readFile: ReadFile): ExportConfig {
  const where = `GATEWAY_CONFIG logs.exports[${index}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw new ConfigError(where, 'must be a mapping with a type (s3, otlp or http)');
  const item = entry as Record<string, unknown>;
  const type = item.type;
  const queue = {
    name: stringAt(item, 'name') ?? `${String(type)}-${index + 1}`,
    queueSize: integer(`${where}.queueSize`, item.queueSize, 10_000, 1, 1_000_000),
    batchSize: integer(`${where}.batchSize`, item.batchSize, 1_000, 1, 100_000),
    flushIntervalMs: integer(
      `${where}.flushIntervalMs`,
      item.flushIntervalMs,
      5_000,
      10,
      3_600_000,
    ),
    maxAttempts: integer(`${where}.maxAttempts`, item.maxAttempts, 5, 1, 100),
    retryBaseDelayMs: integer(`${where}.retryBaseDelayMs`, item.retryBaseDelayMs, 500, 1, 600_000),
  };
  if (type === 's3') {
    const bucket = stringAt(item, 'bucket');
    if (!bucket) throw new ConfigError(`${where}.bucket`, 'an S3 export needs a bucket');
    const endpoint = stringAt(item, 'endpoint');
    if (endpoint !== undefined) httpUrl(`${where}.endpoint`, endpoint);
    return {
      ...queue,
      type,
      bucket,
      prefix: (stringAt(item, 'prefix') ?? 'request-logs').replace(/^\/+|\/+$/g, ''),
      endpoint,
      region: stringAt(item, 'region') ?? env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: boolean(
        `${where}.forcePathStyle`,
        item.forcePathStyle,
        endpoint !== undefined,
      ),
      timeoutMs: integer(`${where}.timeoutMs`, item.timeoutMs, 30_000, 1, 600_000),
    };
  }
  if (type === 'otlp') {
    const url = stringAt(item, 'url');
    if (!url)
      throw new ConfigError(
        `${where}.url`,
        'an OTLP export needs the collector URL (…:4318/v1/logs)',
      );
    httpUrl(`${where}.url`, url);
    return {
      ...queue,
      type,
      url,
      headers: headersFrom(item, where, env, readFile),
      timeoutMs: integer(`${where}.timeoutMs`, item.timeoutMs, 10_000, 1, 600_000),
    };
  }
  if (type === 'http') {
    const url = stringAt(item, 'url');
    if (!url) throw new ConfigError(`${where}.url`, 'an HTTP export needs a url');
    httpUrl(`${where}.url`, url);
    return {
      ...queue,
      type,
      url,
      secret: secret(`${where}.secret`, item.secret, env, readFile),
      signatureHeader: (stringAt(item, 'signatureHeader') ?? 'x-gateway-signature').toLowerCase(),
      headers: headersFrom(item, where, env, readFile),
      timeoutMs: integer(`${where}.timeoutMs`, item.timeoutMs, 10_000, 1, 600_000),
    };
  }
  throw new ConfigError(`${where}.type`, `must be s3, otlp or http, got '${String(type)}'`);
}

/** Header values as written, or from a reference (`{env: NAME}` / `{file: /path}`) for secrets. */
function headersFrom(
  item: Record<string, unknown>,
  where: string,
  env: Env,
  readFile: ReadFile,
): Record<string, string> {
  const headers = objectAt(item, 'headers', `${where}.headers`);
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name.toLowerCase(),
      typeof value === 'string' ? value : secret(`${where}.headers.${name}`, value, env, readFile),
    ]),
  );
}

/** `{env: NAME}` or `{file: /path}`: secrets are never written into the YAML itself. */
function secret(setting: string, raw: unknown, env: Env, readFile: ReadFile): string {
  const ref = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  let value: string | undefined;
  if (typeof ref.env === 'string') value = env[ref.env];
  else if (typeof ref.file === 'string') value = readSecretFile(setting, ref.file, readFile);
  else throw new ConfigError(setting, 'must be a reference: {env: NAME} or {file: /path}');
  if (!value?.trim())
    throw new ConfigError(
      setting,
      typeof ref.env === 'string' ? `${ref.env} is not set or empty` : 'the file is empty',
    );
  return value.trim();
}

/**
 * An export's URL, checked without echoing it (nor its scheme, which is the user name in
 * `user:password@host`): it may hold credentials, and the error goes to the start-up log.
 */
function httpUrl(setting: string, raw: string): void {
  let protocol: string;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    throw new ConfigError(
      setting,
      'is not a URL; it must be an http(s) URL such as https://host:4318/v1/logs (value not shown: it may hold credentials)',
    );
  }
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new ConfigError(
      setting,
      'must be an http(s) URL, starting http:// or https:// (value not shown: it may hold credentials)',
    );
}
