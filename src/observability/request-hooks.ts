import type { FastifyInstance } from 'fastify';
import { performance } from 'node:perf_hooks';
import type { MetricsService } from '../metrics/metrics.service';
import { AccessLog, logAccess } from '../logging/access-log';
import { RequestContext } from './request-context';
import type { TracingService } from './tracing.service';
import type { Span } from '@opentelemetry/api';
import { traceFrom } from './trace-context';

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
): void {
  fastify.decorateRequest('gateway', undefined);
  const spans = new WeakMap<object, Span | undefined>();

  fastify.addHook('onRequest', (request, reply, done) => {
    const traceparent = headerValue(request.headers.traceparent);
    const context = new RequestContext(
      traceFrom(traceparent, headerValue(request.headers.tracestate)),
    );
    request.gateway = context;
    if (tracing.enabled && !UNCOUNTED.test(request.url))
      spans.set(request, tracing.startRequest(context, request.method));
    reply.header(
      'traceparent',
      traceparent && context.trace.parentId
        ? traceparent
        : `00-${context.trace.traceId}-${context.trace.spanId}-${context.trace.flags}`,
    );
    if (context.trace.tracestate) reply.header('tracestate', context.trace.tracestate);
    if (!UNCOUNTED.test(request.url)) {
      metrics.inFlight.inc();
      reply.raw.once('close', () => metrics.inFlight.dec());
    }
    done();
  });

  fastify.addHook('onSend', (request, reply, payload, done) => {
    const context = request.gateway;
    if (context) reply.header(OVERHEAD_HEADER, context.overheadMs().toFixed(3));
    done(null, payload);
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const context = request.gateway;
    if (context && !UNCOUNTED.test(request.url)) {
      const route = request.routeOptions.url ?? 'unmatched';
      const endedAt = performance.now();
      metrics.record(route, reply.statusCode, context, endedAt);
      logAccess(accessLog, request, reply, context, endedAt - context.startedAt);
      const span = spans.get(request);
      if (span)
        tracing.endRequest(span, {
          method: request.method,
          route,
          status: reply.statusCode,
          context,
        });
    }
    done();
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
