import { LOG_FIELDS, type LogRecord } from '../log-record';
import type { RequestLogRow } from './schema';

/**
 * A record as a row of `request_logs`, its text without U+0000 (see `noNul`). Written out field
 * by field: a rest-spread of 35 keys makes a dictionary-mode object, ten times slower, and this
 * runs once per call.
 */
export function toRow(r: LogRecord): RequestLogRow {
  return {
    id: noNul(r.id),
    schema_version: r.schema_version,
    time_ms: Date.parse(r.time),
    request_id: noNul(r.request_id),
    trace_id: noNul(r.trace_id),
    method: noNul(r.method),
    path: noNul(r.path),
    route: noNul(r.route),
    api_family: noNul(r.api_family),
    virtual_key_id: noNul(r.virtual_key_id),
    team_id: noNul(r.team_id),
    model_asked: noNul(r.model_asked),
    model: noNul(r.model),
    model_route: noNul(r.model_route),
    key_id: noNul(r.key_id),
    status: r.status,
    error_code: noNul(r.error_code),
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
    client_address: noNul(r.client_address),
    user_agent: noNul(r.user_agent),
    request_body: noNul(r.request_body),
    response_body: noNul(r.response_body),
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
    noNul(r.id),
    r.schema_version,
    Date.parse(r.time),
    noNul(r.request_id),
    noNul(r.trace_id),
    noNul(r.method),
    noNul(r.path),
    noNul(r.route),
    noNul(r.api_family),
    noNul(r.virtual_key_id) ?? null,
    noNul(r.team_id) ?? null,
    noNul(r.model_asked) ?? null,
    noNul(r.model) ?? null,
    noNul(r.model_route) ?? null,
    noNul(r.key_id) ?? null,
    r.status,
    noNul(r.error_code) ?? null,
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
    noNul(r.client_address) ?? null,
    noNul(r.user_agent) ?? null,
    noNul(r.request_body) ?? null,
    noNul(r.response_body) ?? null,
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

/**
 * The text with each U+0000 made U+FFFD. A NUL the client sent (in the model it asked for, in a
 * body) reaches the record as it came; Postgres refuses it in text (22021: the batch failed, was
 * retried for ever and every later record dropped) and SQLite stores it but stops reading there
 * (length, LIKE), so neither store gets one. The check first: almost no text has a NUL.
 */
export function noNul<T extends string | null | undefined>(text: T): T {
  return typeof text === 'string' && text.includes('\u0000')
    ? (text.replaceAll('\u0000', '\uFFFD') as T)
    : text;
}
