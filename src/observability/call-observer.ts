import type { FastifyReply, FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import type { CallObserver } from '../providers/chat-completions.service';
import type { ServedBy } from '../providers/reliability/attempts';
import type { ChatUsage } from '../providers/chat-types';
import type { RequestContext } from './request-context';
import { traceHeaders } from './trace-context';

/**
 * Connects one request to its upstream call: response headers for who served it, and the timing,
 * attempts and tokens the metrics and the access log read at the end.
 */
export function observeCall(request: FastifyRequest, reply: FastifyReply): CallObserver {
  return new RequestCallObserver(request.gateway, reply);
}

/** A class rather than an object of closures: one allocation per request, methods shared. */
class RequestCallObserver implements CallObserver {
  readonly upstreamHeaders: Record<string, string>;

  constructor(
    private readonly context: RequestContext | undefined,
    private readonly reply: FastifyReply,
  ) {
    this.upstreamHeaders = context ? traceHeaders(context.trace) : {};
  }

  onUpstreamStart(): void {
    if (this.context && this.context.upstreamStartedAt === undefined)
      this.context.upstreamStartedAt = performance.now();
  }

  onUpstreamAnswer(): void {
    if (this.context && this.context.upstreamAnsweredAt === undefined)
      this.context.upstreamAnsweredAt = performance.now();
  }

  onServed(servedBy: ServedBy): void {
    if (this.context) {
      this.context.model = servedBy.model;
      this.context.keyId = servedBy.keyId;
      this.context.attempts = servedBy.attempts;
    }
    if (this.reply.raw.headersSent) return;
    this.reply.header('x-gateway-model', servedBy.model);
    this.reply.header('x-gateway-key-id', servedBy.keyId);
    this.reply.header('x-gateway-attempts', String(servedBy.attempts));
  }

  onRetry(): void {
    if (this.context) this.context.retries++;
  }

  onFallback(): void {
    if (this.context) this.context.fallbacks++;
  }

  onUsage(usage: ChatUsage): void {
    if (this.context) this.context.usage = usage;
  }
}
