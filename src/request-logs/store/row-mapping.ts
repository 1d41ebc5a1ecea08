import type { LogRecord } from '../log-record';
import type { RequestLogRow } from './schema';

/** A record as a row of `request_logs`. */
export function toRow(record: LogRecord): RequestLogRow {
  const { time, fallback_used: _fallbackUsed, stream, guardrails, ...rest } = record;
  return {
    ...rest,
    time_ms: Date.parse(time),
    stream: stream ? 1 : 0,
    guardrails: guardrails ? JSON.stringify(guardrails) : null,
  };
}

/** A row read back (Postgres hands bigints and numerics over as strings) as the record. */
export function fromRow(row: RequestLogRow): LogRecord {
  return {
    id: row.id,
    schema_version: Number(row.schema_version),
    time: new Date(Number(row.time_ms)).toISOString(),
    request_id: row.request_id,
    trace_id: row.trace_id,
    method: row.method,
    path: row.path,
    route: row.route,
    api_family: row.api_family,
    virtual_key_id: row.virtual_key_id,
    team_id: row.team_id,
    model_asked: row.model_asked,
    model: row.model,
    model_route: row.model_route,
    key_id: row.key_id,
    status: Number(row.status),
    error_code: row.error_code,
    attempts: Number(row.attempts),
    retries: Number(row.retries),
    fallbacks: Number(row.fallbacks),
    fallback_used: Number(row.fallbacks) > 0,
    stream: Number(row.stream) === 1,
    latency_ms: Number(row.latency_ms),
    time_to_first_token_ms: numberOrNull(row.time_to_first_token_ms),
    prompt_tokens: numberOrNull(row.prompt_tokens),
    cached_tokens: numberOrNull(row.cached_tokens),
    completion_tokens: numberOrNull(row.completion_tokens),
    reasoning_tokens: numberOrNull(row.reasoning_tokens),
    total_tokens: numberOrNull(row.total_tokens),
    cost_usd: numberOrNull(row.cost_usd),
    guardrails: row.guardrails ? (JSON.parse(row.guardrails) as LogRecord['guardrails']) : null,
    client_address: row.client_address,
    user_agent: row.user_agent,
    request_body: row.request_body,
    response_body: row.response_body,
  };
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
