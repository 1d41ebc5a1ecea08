import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../observability/request-context';

/** The raw request carries the gateway's context too, for the access log (pino-http sees raw). */
export const RAW_CONTEXT = Symbol('gateway-request-context');

type WithContext = IncomingMessage & { [RAW_CONTEXT]?: RequestContext };

export function attachToRaw(raw: IncomingMessage, context: RequestContext): void {
  (raw as WithContext)[RAW_CONTEXT] = context;
}

/** What one access log line says beyond method, url, status and time. */
export function accessLogFields(raw: IncomingMessage): Record<string, unknown> {
  const context = (raw as WithContext)[RAW_CONTEXT];
  if (!context) return {};
  const fields: Record<string, unknown> = {
    traceId: context.trace.traceId,
    overheadMs: Number(context.overheadMs(context.firstByteAt).toFixed(3)),
  };
  if (context.model) fields.model = context.model;
  if (context.keyId) fields.keyId = context.keyId;
  if (context.attempts) fields.attempts = context.attempts;
  if (context.stream) fields.stream = true;
  if (context.usage) {
    fields.promptTokens = context.usage.prompt_tokens;
    fields.completionTokens = context.usage.completion_tokens;
  }
  return fields;
}
