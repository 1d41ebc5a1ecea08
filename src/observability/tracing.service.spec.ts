import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../config/gateway-config';
import { RequestContext } from './request-context';
import { traceFrom } from './trace-context';
import { TracingService } from './tracing.service';

const configWith = (endpoint?: string) =>
  ({ get: () => ({ otel: { endpoint, serviceName: 'test' } }) }) as unknown as ConfigService<
    AllConfig,
    true
  >;

describe('TracingService', () => {
  it('is off and creates no span without an endpoint', () => {
    const tracing = new TracingService(configWith(undefined));
    const context = new RequestContext(
      traceFrom('00-5bf92f3577b34da6a3ce929d0e0e4736-10f067aa0ba902b7-01', undefined),
    );
    const before = { ...context.trace };
    expect(tracing.enabled).toBe(false);
    expect(tracing.startRequest(context, 'POST')).toBeUndefined();
    expect(context.trace).toEqual(before);
  });

  it("continues the caller's trace and takes the span id as the gateway's own", async () => {
    const tracing = new TracingService(configWith('http://127.0.0.1:9'));
    const context = new RequestContext(
      traceFrom('00-5bf92f3577b34da6a3ce929d0e0e4736-10f067aa0ba902b7-01', undefined),
    );
    const span = tracing.startRequest(context, 'POST');
    expect(span?.spanContext().traceId).toBe('5bf92f3577b34da6a3ce929d0e0e4736');
    expect(context.trace.spanId).toBe(span?.spanContext().spanId);
    expect(context.trace.parentId).toBe('10f067aa0ba902b7');
    span?.end();
    await tracing.onModuleDestroy().catch(() => undefined);
  });
});
