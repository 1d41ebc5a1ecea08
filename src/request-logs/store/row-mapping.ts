import { LOG_FIELDS, type LogRecord } from '../log-record';
import type { RequestLogRow } from './schema';

/**
 * A record as a row of `request_logs`. Its text holds no U+0000: toLogRecord replaced each, once
 * for every consumer (see `noNul`), and a second scan here cost about 0.4 µs a record. A record
 * built elsewhere that holds one is refused by Postgres on its own (22021: dropped and counted,
 * the batch written) and stored by SQLite. Written out field by field: a rest-spread of 35 keys
 * makes a dictionary-mode object, ten times slower, and this runs once per call.
 */
export function toRow(r: LogRecord): RequestLogRow {
  return {
    id: r.id,
    schema_version: r.schema_version,
    time_ms: Date.parse(r.time),
    request_id: r.request_id,
    trace_id: r.trace_id,
    method: r.method,
    path: r.path,
    route: r.route,
    api_family: r.api_family,
    virtual_key_id: r.virtual_key_id,
    team_id: r.team_id,
    model_asked: r.model_asked,
    model: r.model,
    model_route: r.model_route,
    key_id: r.key_id,
    status: r.status,
    error_code: r.error_code,
    attempts: r.attempts,
    retries: r.retries,
    fallbacks: r.fallbacks,
    stream: r.stream ? 1 : 0,
    latency_ms: r.latency_ms,
    time_to_first_token_ms: r.time_to_first_token_ms,
    prompt_tokens: r.prompt_tokens,
    cached_tokens: r.cached_tokens,
    completion_tokens: r.completion_tokens,
    reasoning_tokens: r.reasoning_tokens,
    total_tokens: r.total_tokens,
    cost_usd: r.cost_usd,
    guardrails: r.guardrails ? JSON.stringify(r.guardrails) : null,
    client_address: r.client_address,
    user_agent: r.user_agent,
    request_body: r.request_body,
    response_body: r.response_body,
  };
}

/**
 * The stored columns in the order `toRowValues` gives them (the SQLite writer's INSERT): the
 * record's fields, time as `time_ms`, without `fallback_used` (it is `fallbacks > 0`).
 */
export const ROW_COLUMNS: readonly (keyof RequestLogRow)[] = LOG_FIELDS.flatMap(
  (field): (keyof RequestLogRow)[] =>
    field === 'fallback_used' ? [] : field === 'time' ? ['time_ms'] : [field],
);

/**
 * `toRow` as the values SQLite binds, in `ROW_COLUMNS` order (a missing value is NULL): the writer
 * thread binds these per record, without a row object or a lookup per column.
 */
export function toRowValues(r: LogRecord): unknown[] {
  return [
    r.id,
    r.schema_version,
    Date.parse(r.time),
    r.request_id,
    r.trace_id,
    r.method,
    r.path,
    r.route,
    r.api_family,
    r.virtual_key_id ?? null,
    r.team_id ?? null,
    r.model_asked ?? null,
    r.model ?? null,
    r.model_route ?? null,
    r.key_id ?? null,
    r.status,
    r.error_code ?? null,
    r.attempts,
    r.retries,
    r.fallbacks,
    r.stream ? 1 : 0,
    r.latency_ms,
    r.time_to_first_token_ms ?? null,
    r.prompt_tokens ?? null,
    r.cached_tokens ?? null,
    r.completion_tokens ?? null,
    r.reasoning_tokens ?? null,
    r.total_tokens ?? null,
    r.cost_usd ?? null,
    r.guardrails ? JSON.stringify(r.guardrails) : null,
    r.client_address ?? null,
    r.user_agent ?? null,
    r.request_body ?? null,
    r.response_body ?? null,
  ];
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
