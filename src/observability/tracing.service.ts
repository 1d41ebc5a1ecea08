import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  context as otelContext,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
  Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { AllConfig } from '../config/gateway-config';
import type { RequestContext } from './request-context';

/** The attributes a request span ends with (OpenTelemetry HTTP and GenAI conventions). */
export interface RequestSpanEnd {
  method: string;
  route: string;
  status: number;
  context: RequestContext;
}

/**
 * OpenTelemetry tracing, exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set: one
 * server span per request, continuing the caller's W3C trace, its span id becoming the parent of
 * the upstream call. Without the endpoint nothing is created: no provider, no span, no cost.
 */
@Injectable()
export class TracingService implements OnModuleDestroy {
  private readonly provider?: BasicTracerProvider;
  private readonly tracer?: Tracer;

  constructor(config: ConfigService<AllConfig, true>) {
    const { endpoint, serviceName } = config.get('gateway', { infer: true }).otel;
    if (!endpoint) return;
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })),
      ],
    });
    this.tracer = this.provider.getTracer('groq-gateway');
  }

  get enabled(): boolean {
    return this.tracer !== undefined;
  }

  /** Starts the request's span and makes the request's trace context follow it. */
  startRequest(context: RequestContext, name: string): Span | undefined {
    if (!this.tracer) return undefined;
    const { trace: traceContext } = context;
    const parent = traceContext.parentId
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: traceContext.traceId,
          spanId: traceContext.parentId,
          traceFlags: Number.parseInt(traceContext.flags, 16),
          isRemote: true,
        })
      : otelContext.active();
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER }, parent);
    traceContext.traceId = span.spanContext().traceId;
    traceContext.spanId = span.spanContext().spanId;
    return span;
  }

  endRequest(span: Span, end: RequestSpanEnd): void {
    const { context } = end;
    span.updateName(`${end.method} ${end.route}`);
    span.setAttributes({
      'http.request.method': end.method,
      'http.route': end.route,
      'http.response.status_code': end.status,
      ...(context.model && { 'gen_ai.system': 'groq', 'gen_ai.request.model': context.model }),
      ...(context.usage && {
        'gen_ai.usage.input_tokens': context.usage.prompt_tokens,
        'gen_ai.usage.output_tokens': context.usage.completion_tokens,
      }),
      ...(context.keyId && { 'gateway.key_id': context.keyId }),
      'gateway.attempts': context.attempts,
      'gateway.stream': context.stream,
      'gateway.overhead_ms': context.overheadMs(context.firstByteAt),
    });
    if (end.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  async onModuleDestroy(): Promise<void> {
    await this.provider?.shutdown();
  }
}
