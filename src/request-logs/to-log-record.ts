import type { EndedCall, GuardrailOutcome } from '../call/ended-call';
import { isoTime } from '../common/iso-time';
import type { LogsBodies } from '../config/request-logs-config';
import { LOG_SCHEMA_VERSION, type GuardrailRecord, type LogRecord } from './log-record';
import { noNul } from './no-nul';
import { newRecordId } from './record-id';

export interface RecordOptions {
  bodies: LogsBodies;
  bodyMaxBytes: number;
  clientAddress: boolean;
  /** What a call cost when the event does not say (governance prices), or undefined. */
  costOf?: (call: EndedCall) => number | undefined;
}

/**
 * The log record of one ended call. Pure apart from the record id it draws. Its text holds no
 * U+0000 (each made U+FFFD, see `noNul`; the API family and error code are the gateway's own
 * codes), so the store, each export and the live tail get the same record.
 */
export function toLogRecord(
  call: EndedCall,
  options: RecordOptions,
  id: string = newRecordId(),
): LogRecord {
  const usage = call.usage;
  return {
    id,
    schema_version: LOG_SCHEMA_VERSION,
    time: isoTime(call.startedAtMs),
    request_id: noNul(call.requestId),
    trace_id: noNul(call.traceId),
    method: noNul(call.method),
    path: noNul(call.path),
    route: noNul(call.httpRoute),
    api_family: call.apiFamily,
    virtual_key_id: noNul(call.virtualKeyId) ?? null,
    team_id: noNul(call.teamId) ?? null,
    model_asked: noNul(call.modelAsked) ?? null,
    model: noNul(call.model) ?? null,
    model_route: call.modelRoute ? noNul(`${call.modelRoute.id}:${call.modelRoute.target}`) : null,
    key_id: noNul(call.keyId) ?? null,
    status: call.status,
    error_code: call.errorCode ?? null,
    attempts: call.attempts,
    retries: call.retries,
    fallbacks: call.fallbacks,
    fallback_used: call.fallbacks > 0,
    stream: call.stream,
    latency_ms: round3(call.durationMs),
    time_to_first_token_ms: call.firstByteMs === undefined ? null : round3(call.firstByteMs),
    prompt_tokens: usage ? usage.prompt_tokens : null,
    cached_tokens: usage ? (usage.prompt_tokens_details?.cached_tokens ?? 0) : null,
    completion_tokens: usage ? usage.completion_tokens : null,
    reasoning_tokens: usage ? (usage.completion_tokens_details?.reasoning_tokens ?? 0) : null,
    total_tokens: usage ? usage.total_tokens : null,
    cost_usd: call.costUsd ?? options.costOf?.(call) ?? null,
    guardrails: call.guardrails?.length ? call.guardrails.map(guardrailRecord) : null,
    client_address: options.clientAddress ? (noNul(call.clientAddress) ?? null) : null,
    user_agent: noNul(call.userAgent) ?? null,
    request_body: bodyText(call.requestBody, options),
    response_body: bodyText(call.responseBody, options),
  };
}

/**
 * A body as stored: nothing when bodies are off; `redacted` keeps what guardrail redaction left
 * (the event carries bodies after redaction) cut at the byte limit; `full` keeps it whole.
 */
export function bodyText(body: unknown, options: RecordOptions): string | null {
  if (options.bodies === 'off' || body === undefined || body === null) return null;
  const text =
    typeof body === 'string'
      ? body
      : Buffer.isBuffer(body)
        ? body.toString('utf8')
        : JSON.stringify(body);
  // Before the cut: U+FFFD is three bytes in UTF-8, a NUL one, and the cut counts bytes.
  if (options.bodies === 'full') return noNul(text);
  return truncateUtf8(noNul(text), options.bodyMaxBytes);
}

function guardrailRecord(outcome: GuardrailOutcome): GuardrailRecord {
  const record: GuardrailRecord = { ...outcome, policy: noNul(outcome.policy) };
  if (outcome.category !== undefined) record.category = noNul(outcome.category);
  return record;
}

/** Cuts text to at most `maxBytes` of UTF-8 without splitting a character, marking the cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const marker = '…[truncated]';
  const bytes = Buffer.from(text);
  let end = Math.max(0, maxBytes - Buffer.byteLength(marker));
  // Back to the start of the character the cut falls in (a continuation byte is 10xxxxxx). Not by
  // dropping the U+FFFD a split character decodes to: text's own U+FFFD (a NUL) would go too.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end) + marker;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
