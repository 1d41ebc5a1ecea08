import { pathOf } from '../common/http/path-of';
import type { FastifyRequest } from 'fastify';
import pino, { Logger } from 'pino';
import type { LogLevel } from '../config/gateway-config';
import type { RequestContext } from '../observability/request-context';
import { stdout } from './stdout';

export type AccessLog = Logger;

/** nginx's status for a request the client closed before the answer was complete. */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * The access log: one JSON line per request, from a Fastify hook (no per-request child logger).
 * Its lines are built from a fixed list of fields below (no headers, no body, the path without its
 * query string), so pino's redaction, which would run on every line, has nothing to find.
 */
export function createAccessLog(level: LogLevel): AccessLog {
  return pino({ level, base: { service: 'groq-gateway' } }, stdout);
}

export function logAccess(
  log: AccessLog,
  request: FastifyRequest,
  status: number,
  context: RequestContext,
  responseTimeMs: number,
): void {
  if (!log.isLevelEnabled('info')) return;
  const line = {
    // The query string is left out: some clients put a key there (`?api_key=`).
    req: { id: request.id, method: request.method, url: pathOf(request.url) },
    res: { statusCode: status },
    responseTime: Math.round(responseTimeMs),
    ...accessLogFields(context),
  };
  if (status >= 500) log.error(line, 'request failed');
  else if (status === CLIENT_CLOSED_REQUEST) log.info(line, 'client closed request');
  else log.info(line, 'request completed');
}

/** What one access log line says beyond method, url, status and time. */
export function accessLogFields(context: RequestContext): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    traceId: context.trace.traceId,
    overheadMs: Number(context.overheadMs(context.firstByteAt).toFixed(3)),
  };
  if (context.model) fields.model = context.model;
  if (context.keyId) fields.keyId = context.keyId;
  if (context.virtualKeyId) fields.virtualKeyId = context.virtualKeyId;
  if (context.attempts) fields.attempts = context.attempts;
  if (context.stream) fields.stream = true;
  if (context.usage) {
    fields.promptTokens = context.usage.prompt_tokens;
    fields.completionTokens = context.usage.completion_tokens;
  }
  return fields;
}
