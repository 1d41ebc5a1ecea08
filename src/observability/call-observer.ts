import type { FastifyReply, FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import type { CallObserver } from '../providers/chat-completions.service';
import { traceHeaders } from './trace-context';

/**
 * Connects one request to its upstream call: response headers for who served it, and the timing,
 * attempts and tokens the metrics and the access log read at the end.
 */
export function observeCall(request: FastifyRequest, reply: FastifyReply): CallObserver {
  const context = request.gateway;
  return {
    upstreamHeaders: context ? traceHeaders(context.trace) : {},
    onUpstreamStart() {
      if (context && context.upstreamStartedAt === undefined)
        context.upstreamStartedAt = performance.now();
    },
    onUpstreamAnswer() {
      if (context && context.upstreamAnsweredAt === undefined)
        context.upstreamAnsweredAt = performance.now();
    },
    onServed(servedBy) {
      if (context) {
        context.model = servedBy.model;
        context.keyId = servedBy.keyId;
        context.attempts = servedBy.attempts;
      }
      if (reply.raw.headersSent) return;
      reply.header('x-gateway-model', servedBy.model);
      reply.header('x-gateway-key-id', servedBy.keyId);
      reply.header('x-gateway-attempts', String(servedBy.attempts));
    },
    onRetry() {
      if (context) context.retries++;
    },
    onFallback() {
      if (context) context.fallbacks++;
    },
    onUsage(usage) {
      if (context) context.usage = usage;
    },
  };
}
