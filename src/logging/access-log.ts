import type { FastifyReply, FastifyRequest } from 'fastify';
import pino, { Logger } from 'pino';
import type { LogLevel } from '../config/gateway-config';
import type { RequestContext } from '../observability/request-context';
import { REDACTED_PATHS } from './redaction';
import { stdout } from './stdout';

export type AccessLog = Logger;

/** The access log: one JSON line per request, from a Fastify hook (no per-request child logger). */
export function createAccessLog(level: LogLevel): AccessLog {
  return pino(
    {
      level,
      base: { service: 'groq-gateway' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    stdout,
  );
}

export function logAccess(
  log: AccessLog,
  request: FastifyRequest,
  reply: FastifyReply,
  context: RequestContext,
  responseTimeMs: number,
): void {
  if (!log.isLevelEnabled('info')) return;
  const status = reply.statusCode;
  const line = {
    req: { id: request.id, method: request.method, url: request.url },
    res: { statusCode: status },
    responseTime: Math.round(responseTimeMs),
    ...accessLogFields(context),
  };
  if (status >= 500) log.error(line, 'request failed');
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
