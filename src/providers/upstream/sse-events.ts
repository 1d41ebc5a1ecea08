import { createParser, EventSourceMessage } from 'eventsource-parser';

/**
 * Reads Server-Sent Events from a byte stream with a real SSE parser (multi-line data, comments,
 * CRLF, events split across TCP chunks) and yields them as they complete.
 */
export async function* readSseEvents(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<EventSourceMessage> {
  const ready: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => ready.push(event) });
  const decoder = new TextDecoder();
  for await (const bytes of body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    while (ready.length > 0) yield ready.shift() as EventSourceMessage;
  }
  parser.feed(decoder.decode());
  while (ready.length > 0) yield ready.shift() as EventSourceMessage;
}
