import type { ConfigService } from '@nestjs/config';
import type { Server } from 'node:http';
import type { AllConfig } from '../config/gateway-config';
import { LifecycleService } from './lifecycle.service';

function lifecycle(graceMs: number): LifecycleService {
  const config = {
    get: () => ({ shutdown: { drainDelayMs: 0, graceMs } }),
  } as unknown as ConfigService<AllConfig, true>;
  return new LifecycleService(config);
}

/** A server whose connections close their requests when told to. */
function fakeServer(onCloseAll: () => void) {
  const calls: string[] = [];
  const server = {
    close: () => calls.push('close'),
    closeIdleConnections: () => calls.push('closeIdle'),
    closeAllConnections: () => {
      calls.push('closeAll');
      onCloseAll();
    },
  } as unknown as Server;
  return { server, calls };
}

describe('LifecycleService.drain', () => {
  it('answers what is still open when the grace ends, through the grace-over hooks', async () => {
    const service = lifecycle(20);
    service.track('/v1/chat/completions');
    const { server, calls } = fakeServer(() => undefined);
    // The hook answers the request (SseWriter.endAll): it ends.
    service.onGraceOver(() => setTimeout(() => service.untrack(), 5));
    await service.drain(server);
    expect(service.inFlightRequests).toBe(0);
    expect(calls).not.toContain('closeAll');
  });

  it('closes the connections of requests nothing could answer, so they still end', async () => {
    const service = lifecycle(20);
    service.track('/admin/keys');
    const { server, calls } = fakeServer(() => setImmediate(() => service.untrack()));
    const started = Date.now();
    await service.drain(server);
    expect(calls).toContain('closeAll');
    expect(service.inFlightRequests).toBe(0);
    // The grace, one flush second, and no more: the closed requests end at once.
    expect(Date.now() - started).toBeLessThan(1_800);
  });
});

describe('LifecycleService.refusalWhileClosing', () => {
  const reply = () => {
    const headers: Record<string, string> = {};
    return {
      headers,
      reply: {
        header: (name: string, value: string) => (headers[name] = value),
      } as unknown as Parameters<LifecycleService['refusalWhileClosing']>[0],
    };
  };

  it('lets requests through while serving, and closes connections while draining', async () => {
    const service = lifecycle(1000);
    const serving = reply();
    expect(service.refusalWhileClosing(serving.reply)).toBeUndefined();
    expect(serving.headers).toEqual({});

    service.track('/v1/chat/completions');
    const { server } = fakeServer(() => undefined);
    let closing = false;
    service.onClosing(() => (closing = true));
    const drained = service.drain(server);
    const draining = reply();
    expect(service.refusalWhileClosing(draining.reply)).toBeUndefined();
    expect(draining.headers).toEqual({ connection: 'close' });

    // Once the listener has closed: a 503 for the exception filter to write in the request's
    // own envelope (Anthropic's under /anthropic), closing the connection after it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(closing).toBe(true);
    const refusal = service.refusalWhileClosing(reply().reply);
    expect(refusal).toMatchObject({
      status: 503,
      code: 'shutting_down',
      headers: { 'retry-after': '1', connection: 'close' },
    });
    service.untrack();
    await drained;
  });
});
