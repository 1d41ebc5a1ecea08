import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface TailReader {
  status: number;
  contentType: string;
  /** The next event not yet taken (waits for it, up to `timeoutMs`). */
  next(timeoutMs?: number): Promise<EventSourceMessage>;
  received(): EventSourceMessage[];
  close(): void;
}

/** Opens a server-sent event stream with fetch and reads its events as they come. */
export async function readTail(baseUrl: string, path: string, key: string): Promise<TailReader> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const events: EventSourceMessage[] = [];
  let taken = 0;
  const parser = createParser({ onEvent: (event) => events.push(event) });
  if (response.ok && response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
          parser.feed(decoder.decode(chunk, { stream: true }));
      } catch {
        // Aborted by close().
      }
    })();
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    received: () => events,
    async next(timeoutMs = 10_000) {
      const start = Date.now();
      while (events.length <= taken) {
        if (Date.now() - start > timeoutMs) throw new Error(`no event within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return events[taken++];
    },
    close: () => controller.abort(),
  };
}
