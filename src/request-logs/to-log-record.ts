import type { EndedCall } from '../call/ended-call';
import { isoTime } from '../common/iso-time';
import type { LogsBodies } from '../config/request-logs-config';
import { LOG_SCHEMA_VERSION, type LogRecord } from './log-record';
import { newRecordId } from './record-id';

export interface RecordOptions {
  bodies: LogsBodies;
  bodyMaxBytes: number;
  clientAddress: boolean;
  /** What a call cost when the event does not say (governance prices), or undefined. */
  costOf?: (call: EndedCall) => number | undefined;
}

/** The log record of one ended call. Pure apart from the record id it draws. */
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
    request_id: call.requestId,
    trace_id: call.traceId,
    method: call.method,
    path: call.path,
    route: call.httpRoute,
    api_family: call.apiFamily,
    virtual_key_id: call.virtualKeyId ?? null,
    team_id: call.teamId ?? null,
    model_asked: call.modelAsked ?? null,
    model: call.model ?? null,
    model_route: call.modelRoute ? `${call.modelRoute.id}:${call.modelRoute.target}` : null,
    key_id: call.keyId ?? null,
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
    guardrails: call.guardrails?.length ? call.guardrails.map((g) => ({ ...g })) : null,
    client_address: options.clientAddress ? (call.clientAddress ?? null) : null,
    user_agent: call.userAgent ?? null,
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
  if (options.bodies === 'full') return text;
  return truncateUtf8(text, options.bodyMaxBytes);
}

/** Cuts text to at most `maxBytes` of UTF-8 without splitting a character, marking the cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const marker = '…[truncated]';
  const room = Math.max(0, maxBytes - Buffer.byteLength(marker));
  const bytes = Buffer.from(text).subarray(0, room);
  // A cut inside a multi-byte character decodes to U+FFFD at the end: drop it.
  return bytes.toString('utf8').replace(/\uFFFD+$/, '') + marker;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
