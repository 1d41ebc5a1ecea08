import { readSseEvents } from './sse-events';

async function collect(parts: string[]) {
  async function* body() {
    for (const part of parts) yield new TextEncoder().encode(part);
  }
  const events = [];
  for await (const event of readSseEvents(body())) events.push(event);
  return events;
}

describe('readSseEvents', () => {
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
    async function* body() {
      yield bytes.slice(0, 8);
      yield bytes.slice(8);
    }
    const events = [];
    for await (const event of readSseEvents(body())) events.push(event);
    expect(events[0].data).toBe('héllo');
  });
});
