import { Readable } from 'node:stream';
import type { EventSourceMessage } from 'eventsource-parser';
import { consumeSseEvents } from './sse-events';

async function collect(parts: Array<string | Uint8Array>): Promise<EventSourceMessage[]> {
  const events: EventSourceMessage[] = [];
  await consumeSseEvents(
    Readable.from(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part))),
    (event) => events.push(event),
  );
  return events;
}

describe('consumeSseEvents', () => {
  it('reads events split across chunks, with CRLF and comments', async () => {
    const events = await collect(['data: {"a"', ':1}\r\n\r\n: keep-alive\n\nda', 'ta: [DONE]\n\n']);
    expect(events.map((e) => e.data)).toEqual(['{"a":1}', '[DONE]']);
  });

  it('reads named events', async () => {
    const [event] = await collect(['event: error\ndata: {"error":{}}\n\n']);
    expect(event.event).toBe('error');
  });

  it('decodes multi-byte characters split between chunks', async () => {
    const bytes = new TextEncoder().encode('data: héllo\n\n');
    const events = await collect([bytes.slice(0, 8), bytes.slice(8)]);
    expect(events[0].data).toBe('héllo');
  });

  it('stops at an event its handler refuses: rejects with that error, destroys the body', async () => {
    const body = Readable.from([Buffer.from('data: 1\n\ndata: 2\n\n'), Buffer.from('data: 3\n\n')]);
    const seen: string[] = [];
    await expect(
      consumeSseEvents(body, (event) => {
        seen.push(event.data);
        if (event.data === '1') throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(seen).toEqual(['1']);
    expect(body.destroyed).toBe(true);
  });

  it("rejects with the body's own failure", async () => {
    const body = new Readable({ read() {} });
    const reading = consumeSseEvents(body, () => undefined);
    body.push('data: 1\n\n');
    body.destroy(new Error('socket hang up'));
    await expect(reading).rejects.toThrow('socket hang up');
  });
});
