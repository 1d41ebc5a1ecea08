/** Request logs (issue 17): where records are kept, what they hold, and where they are exported. */
export type LogsStoreKind = 'sqlite' | 'postgres' | 'off';
export type LogsBodies = 'off' | 'redacted' | 'full';
export type LogsOverflow = 'drop' | 'block';

interface ExportQueueConfig {
  /** A name for metrics and logs; defaults to the type (and its index when there are several). */
  name: string;
  /** Records waiting to be exported; beyond it records are dropped and counted. */
  queueSize: number;
  batchSize: number;
  flushIntervalMs: number;
  /** Attempts per batch, the first included, before the batch is given up and counted. */
  maxAttempts: number;
  retryBaseDelayMs: number;
}

export interface S3ExportConfig extends ExportQueueConfig {
  type: 's3';
  bucket: string;
  prefix: string;
  /** Any S3-compatible endpoint (MinIO, R2, GCS interop); AWS's own when undefined. */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** One PutObject may take this long; then it fails and is retried (a hung connection never stalls the export). */
  timeoutMs: number;
}

export interface OtlpExportConfig extends ExportQueueConfig {
  type: 'otlp';
  /** The collector's OTLP/HTTP logs URL, e.g. http://otel-collector:4318/v1/logs. */
  url: string;
  /** Resolved at start-up from their references (`{env}` / `{file}`) or plain values. */
  headers: Record<string, string>;
  timeoutMs: number;
}

export interface HttpExportConfig extends ExportQueueConfig {
  type: 'http';
  url: string;
  /** The HMAC-SHA256 key the receiver verifies the signature header with (from `secret: {env|file}`). */
  secret: string;
  signatureHeader: string;
  /** Extra headers, such as the receiver's own auth (`authorization: {env: SIEM_TOKEN}`), resolved at start-up. */
  headers: Record<string, string>;
  timeoutMs: number;
}

export type ExportConfig = S3ExportConfig | OtlpExportConfig | HttpExportConfig;

/** Live tails open on one replica at most, whoever opened them, so open tabs cannot tie it up. */
export const MAX_TAILS = 100;

export interface RequestLogsConfig {
  store: LogsStoreKind;
  /** SQLite: DATA_DIR/requests.sqlite. */
  dataDir: string;
  /** Postgres: the connection string (LOGS_POSTGRES_URL or _FILE). */
  postgresUrl?: string;
  retentionDays: number;
  /** Retention overrides by virtual key id and by team id (a key's wins over its team's). */
  retentionByVirtualKey: Record<string, number>;
  retentionByTeam: Record<string, number>;
  retentionIntervalMs: number;
  bodies: LogsBodies;
  bodyMaxBytes: number;
  clientAddress: boolean;
  onOverflow: LogsOverflow;
  queueSize: number;
  batchSize: number;
  flushIntervalMs: number;
  /** A statement of the query API (a page, a stats query, an export's page) runs at most this long. */
  queryTimeoutMs: number;
  /** Live tails (`GET /admin/logs/tail`) one caller may hold open on this replica at once. */
  tailMaxPerCaller: number;
  /** Names this replica in exported object keys. */
  replicaId: string;
  exports: ExportConfig[];
}
