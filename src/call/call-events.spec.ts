import { CallEvents } from './call-events';
import type { EndedCall } from './ended-call';

const call = { requestId: 'r1', status: 200 } as EndedCall;

describe('CallEvents', () => {
  it('tells every listener, in order, and skips the event when nobody listens', () => {
    const events = new CallEvents();
    expect(events.hasListeners).toBe(false);
    const seen: string[] = [];
    const off = events.onEnded((c) => seen.push(`a:${c.requestId}`));
    events.onEnded((c) => seen.push(`b:${c.status}`));
    events.emitEnded(call);
    off();
    events.emitEnded(call);
    expect(seen).toEqual(['a:r1', 'b:200', 'b:200']);
  });

  it('keeps telling the others when one listener throws', () => {
    const events = new CallEvents();
    const seen: string[] = [];
    events.onEnded(() => {
      throw new Error('broken sink');
    });
    events.onEnded((c) => seen.push(c.requestId));
    expect(() => events.emitEnded(call)).not.toThrow();
    expect(seen).toEqual(['r1']);
  });
});
