/** The version of the record's shape; stored with each record and stated by every export. */
export const LOG_SCHEMA_VERSION = 1;

/**
 * One request log record: one per counted call, built from its `ended` event. The same flat
 * shape is stored, answered by the query API and exported (NDJSON lines, CSV columns, OTLP
 * attributes), so `id` deduplicates across every sink.
 */
export interface LogRecord {
  /** Unique per record (a UUID); exports are at least once, so consumers deduplicate by it. */
  id: string;
  schema_version: number;
  /** When the call started, ISO 8601 UTC. */
  time: string;
  request_id: string;
  trace_id: string;
  method: string;
  path: string;
  route: string;
  api_family: string;
  virtual_key_id: string | null;
  team_id: string | null;
  model_asked: string | null;
  model: string | null;
  model_route: string | null;
  key_id: string | null;
  status: number;
  error_code: string | null;
  attempts: number;
  retries: number;
  fallbacks: number;
  fallback_used: boolean;
  stream: boolean;
  latency_ms: number;
  time_to_first_token_ms: number | null;
  prompt_tokens: number | null;
  cached_tokens: number | null;
  completion_tokens: number | null;
  reasoning_tokens: number | null;
  total_tokens: number | null;
  cost_usd: number | null;
  /** JSON list of guardrail outcomes, as the `ended` event gave them. */
  guardrails: GuardrailRecord[] | null;
  client_address: string | null;
  user_agent: string | null;
  request_body: string | null;
  response_body: string | null;
}

export interface GuardrailRecord {
  policy: string;
  stage: string;
  outcome: string;
  category?: string;
}

/** Column order of the CSV export and of the NDJSON keys. */
export const LOG_FIELDS: readonly (keyof LogRecord)[] = [
  'id',
  'schema_version',
  'time',
  'request_id',
  'trace_id',
  'method',
  'path',
  'route',
  'api_family',
  'virtual_key_id',
  'team_id',
  'model_asked',
  'model',
  'model_route',
  'key_id',
  'status',
  'error_code',
  'attempts',
  'retries',
  'fallbacks',
  'fallback_used',
  'stream',
  'latency_ms',
  'time_to_first_token_ms',
  'prompt_tokens',
  'cached_tokens',
  'completion_tokens',
  'reasoning_tokens',
  'total_tokens',
  'cost_usd',
  'guardrails',
  'client_address',
  'user_agent',
  'request_body',
  'response_body',
];
