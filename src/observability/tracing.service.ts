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
import { CallEvents } from '../call/call-events';
import type { EndedCall } from '../call/ended-call';
import type { GatewayCall } from '../call/gateway-call';
import type { AllConfig } from '../config/gateway-config';

/**
 * OpenTelemetry tracing, exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set: one
 * server span per request, continuing the caller's W3C trace, its span id becoming the parent of
 * the upstream call. Without the endpoint nothing is created: no provider, no span, no cost.
 */
@Injectable()
export class TracingService implements OnModuleDestroy {
  private readonly provider?: BasicTracerProvider;
  private readonly tracer?: Tracer;
  /** The span of each call under way, ended by the call's `ended` event. */
  private readonly spans = new WeakMap<EndedCall, Span>();

  constructor(config: ConfigService<AllConfig, true>, events: CallEvents) {
    const { endpoint, serviceName } = config.get('gateway', { infer: true }).otel;
    if (!endpoint) return;
    events.onEnded((call) => {
      const span = this.spans.get(call);
      if (span) this.endRequest(span, call);
    });
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

  /** Starts the call's span and makes the call's trace context follow it. */
  startRequest(call: GatewayCall): Span | undefined {
    if (!this.tracer) return undefined;
    const { trace: traceContext } = call;
    const parent = traceContext.parentId
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: traceContext.traceId,
          spanId: traceContext.parentId,
          traceFlags: Number.parseInt(traceContext.flags, 16),
          isRemote: true,
        })
      : otelContext.active();
    const span = this.tracer.startSpan(call.method, { kind: SpanKind.SERVER }, parent);
    traceContext.traceId = span.spanContext().traceId;
    traceContext.spanId = span.spanContext().spanId;
    this.spans.set(call, span);
    return span;
  }

  /** Ends a call's span with the OpenTelemetry HTTP and GenAI attributes of how it went. */
  endRequest(span: Span, call: EndedCall): void {
    span.updateName(`${call.method} ${call.httpRoute}`);
    span.setAttributes({
      'http.request.method': call.method,
      'http.route': call.httpRoute,
      'http.response.status_code': call.status,
      ...(call.model && { 'gen_ai.system': 'groq', 'gen_ai.request.model': call.model }),
      ...(call.usage && {
        'gen_ai.usage.input_tokens': call.usage.prompt_tokens,
        'gen_ai.usage.output_tokens': call.usage.completion_tokens,
      }),
      ...(call.keyId && { 'gateway.key_id': call.keyId }),
      'gateway.attempts': call.attempts,
      'gateway.stream': call.stream,
      'gateway.overhead_ms': call.overheadMs,
    });
    if (call.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  async onModuleDestroy(): Promise<void> {
    await this.provider?.shutdown();
  }
}
