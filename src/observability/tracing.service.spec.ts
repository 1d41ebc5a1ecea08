import { ConfigService } from '@nestjs/config';
import type { FastifyReply } from 'fastify';
import { CallEvents } from '../call/call-events';
import { GatewayCall } from '../call/gateway-call';
import { traceFrom } from '../call/trace-context';
import type { AllConfig } from '../config/gateway-config';
import { TracingService } from './tracing.service';

const configWith = (endpoint?: string) =>
  ({ get: () => ({ otel: { endpoint, serviceName: 'test' } }) }) as unknown as ConfigService<
    AllConfig,
    true
  >;

const callOf = () =>
  new GatewayCall(
    'r1',
    'POST',
    '/v1/chat/completions',
    traceFrom('00-5bf92f3577b34da6a3ce929d0e0e4736-10f067aa0ba902b7-01', undefined),
    {} as FastifyReply,
    undefined,
    undefined,
  );

describe('TracingService', () => {
  it('is off and creates no span without an endpoint', () => {
    const events = new CallEvents();
    const tracing = new TracingService(configWith(undefined), events);
    const call = callOf();
    const before = { ...call.trace };
    expect(tracing.enabled).toBe(false);
    expect(tracing.startRequest(call)).toBeUndefined();
    expect(call.trace).toEqual(before);
    expect(events.hasListeners).toBe(false);
  });

  it("continues the caller's trace, takes the span id as the gateway's own, ends it with the call", async () => {
    const events = new CallEvents();
    const tracing = new TracingService(configWith('http://127.0.0.1:9'), events);
    const call = callOf();
    const span = tracing.startRequest(call);
    expect(span?.spanContext().traceId).toBe('5bf92f3577b34da6a3ce929d0e0e4736');
    expect(call.trace.spanId).toBe(span?.spanContext().spanId);
    expect(call.trace.parentId).toBe('10f067aa0ba902b7');
    call.end(200, '/v1/chat/completions', '127.0.0.1', call.startedAt + 5);
    events.emitEnded(call);
    expect(span?.isRecording()).toBe(false);
    await tracing.onModuleDestroy().catch(() => undefined);
  });
});
