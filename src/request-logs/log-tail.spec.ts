import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../config/gateway-config';
import type { LifecycleService } from '../lifecycle/lifecycle.service';
import { LogTail } from './log-tail';

function tailOf(tailMaxPerCaller: number) {
  return new LogTail(
    { get: () => ({ requestLogs: { tailMaxPerCaller } }) } as unknown as ConfigService<
      AllConfig,
      true
    >,
    { onClosing: () => undefined } as unknown as LifecycleService,
  );
}

/** A socket's response as the tail uses it: written to, closed by the client. */
function response() {
  return Object.assign(new EventEmitter(), {
    writableLength: 0,
    write: () => true,
    end: () => undefined,
  }) as unknown as ServerResponse;
}

describe('the live tail', () => {
  it('lets one caller hold LOGS_TAIL_MAX_PER_CALLER tails, so others still open theirs', () => {
    const tail = tailOf(2);
    const dave = [response(), response()];
    for (const r of dave) {
      expect(tail.refusal('dave')).toBeUndefined();
      tail.open(r, {}, 'dave');
    }
    expect(tail.refusal('dave')).toBe('caller');
    expect(tail.refusal('admin-key')).toBeUndefined();
    // A tail that ends frees its caller's slot, once however often its socket says so.
    dave[0].emit('close');
    dave[0].emit('close');
    expect(tail.refusal('dave')).toBeUndefined();
    tail.open(response(), {}, 'dave');
    expect(tail.refusal('dave')).toBe('caller');
    expect(tail.size).toBe(2);
  });

  it('counts no tail whose client left before it opened (its close has fired already)', () => {
    const tail = tailOf(1);
    const gone = Object.assign(response(), { destroyed: true });
    tail.open(gone, {}, 'dave');
    expect(tail.refusal('dave')).toBeUndefined();
  });

  it('keeps the cap of the replica, 100 tails whoever holds them', () => {
    const tail = tailOf(100);
    for (let i = 0; i < 100; i++) tail.open(response(), {}, `caller-${i % 30}`);
    expect(tail.refusal('someone-new')).toBe('replica');
    tail.endAll();
    expect(tail.refusal('caller-0')).toBeUndefined();
  });
});
