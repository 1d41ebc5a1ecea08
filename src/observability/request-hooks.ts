import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import type { MetricsService } from '../metrics/metrics.service';
import { AccessLog, CLIENT_CLOSED_REQUEST, logAccess } from '../logging/access-log';
import { RequestContext } from './request-context';
import type { TracingService } from './tracing.service';
import type { Span } from '@opentelemetry/api';
import { traceFrom } from './trace-context';
import type { CallEvents } from '../call/call-events';
import { toEndedCall } from '../call/to-ended-call';

export const OVERHEAD_HEADER = 'x-gateway-overhead-duration-ms';

/** Routes whose requests are not model traffic: probes and scrapes are not counted. */
const UNCOUNTED = /^\/(health\/|metrics$|docs)/;

/**
 * Per-request observability on Fastify's hooks: a RequestContext with the trace context (the
 * caller's traceparent continued, or a new trace, echoed back), the gateway's own time as a
 * header when the response starts, and the metrics once it has ended.
 */
export function registerRequestHooks(
  fastify: FastifyInstance,
  metrics: MetricsService,
  tracing: TracingService,
  accessLog: AccessLog,
  /** Told once per counted request as it ends, finished or abandoned (governance counts usage). */
  onEnded?: (request: FastifyRequest, reply: FastifyReply) => void,
  /** The per-call `ended` event's bus; the event is built only when someone listens. */
  callEvents?: CallEvents,
): void {
  fastify.decorateRequest('gateway', undefined);
  const spans = new WeakMap<object, Span | undefined>();

  /** Metrics, the access line and the span of one request, once: finished or abandoned. */
  const finish = (request: FastifyRequest, reply: FastifyReply, status: number): void => {
    const context = request.gateway;
    if (!context || context.finished) return;
    context.finished = true;
    const route = request.routeOptions.url ?? 'unmatched';
    const endedAt = performance.now();
    metrics.record(route, status, context, endedAt);
    logAccess(accessLog, request, status, context, endedAt - context.startedAt);
    const span = spans.get(request);
    if (span) tracing.endRequest(span, { method: request.method, route, status, context });
    onEnded?.(request, reply);
    if (callEvents?.hasListeners)
      callEvents.emitEnded(toEndedCall(request, status, context, route, endedAt));
  };

  fastify.addHook('onRequest', (request, reply, done) => {
    const traceparent = headerValue(request.headers.traceparent);
    const context = new RequestContext(
      traceFrom(traceparent, headerValue(request.headers.tracestate)),
    );
    request.gateway = context;
    const counted = !UNCOUNTED.test(request.url);
    // Probes and scrapes: nothing to count at their end.
    if (!counted) context.finished = true;
    if (tracing.enabled && counted)
      spans.set(request, tracing.startRequest(context, request.method));
    reply.header(
      'traceparent',
      traceparent && context.trace.parentId
        ? traceparent
        : `00-${context.trace.traceId}-${context.trace.spanId}-${context.trace.flags}`,
    );
    if (context.trace.tracestate) reply.header('tracestate', context.trace.tracestate);
    if (counted) {
      metrics.inFlight.inc();
      reply.raw.once('close', () => {
        metrics.inFlight.dec();
        // Fastify runs onResponse only for a response that finished: a request the client left
        // (a JSON call it gave up on, a stream it closed) is accounted for here instead.
        if (!reply.raw.writableFinished) finish(request, reply, CLIENT_CLOSED_REQUEST);
      });
    }
    done();
  });

  fastify.addHook('onSend', (request, reply, payload, done) => {
    const context = request.gateway;
    if (context) reply.header(OVERHEAD_HEADER, context.overheadMs().toFixed(3));
    done(null, payload);
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    finish(request, reply, reply.statusCode);
    done();
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
