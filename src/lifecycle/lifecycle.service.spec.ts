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
