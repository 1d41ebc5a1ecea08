import type { FastifyRequest } from 'fastify';
import { pathOf } from '../common/http/path-of';
import type { RequestContext } from '../observability/request-context';
import type { ApiFamily, EndedCall } from './ended-call';

/** The wire format a path belongs to, from its prefix. */
export function apiFamilyOf(path: string): ApiFamily {
  if (path.startsWith('/anthropic/')) return 'anthropic';
  if (path.startsWith('/admin/')) return 'admin';
  if (path.startsWith('/auth/')) return 'auth';
  if (path === '/ui' || path.startsWith('/ui/')) return 'ui';
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/responses')) return 'responses';
  if (path.endsWith('/completions')) return 'completions';
  if (/\/models(\/|$)/.test(path)) return 'models';
  return 'other';
}

/** The ended-call event for one request, from what the request learnt as it went. */
export function toEndedCall(
  request: FastifyRequest,
  status: number,
  context: RequestContext,
  httpRoute: string,
  endedAt: number,
): EndedCall {
  const path = pathOf(request.url);
  const body = request.body as { model?: unknown } | null | undefined;
  const userAgent = request.headers['user-agent'];
  return {
    requestId: request.id,
    traceId: context.trace.traceId,
    method: request.method,
    path,
    httpRoute,
    apiFamily: apiFamilyOf(path),
    status,
    errorCode: context.errorCode,
    startedAtMs: context.startedAtMs,
    durationMs: endedAt - context.startedAt,
    firstByteMs:
      context.firstByteAt === undefined ? undefined : context.firstByteAt - context.startedAt,
    stream: context.stream,
    modelAsked: body && typeof body.model === 'string' ? body.model : undefined,
    model: context.model,
    keyId: context.keyId,
    virtualKeyId: context.virtualKeyId,
    attempts: context.attempts,
    retries: context.retries,
    fallbacks: context.fallbacks,
    usage: context.usage,
    clientAddress: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : undefined,
  };
}
