import { createParser } from 'eventsource-parser';
import { authHeaders } from './client';

export interface StreamHandlers {
  onEvent(event: string, data: string): void;
  onOpen?(): void;
  onError?(message: string): void;
}

/**
 * Server-sent events read with fetch, since EventSource cannot send the Authorization header an
 * admin key needs. Reconnects after a drop (with a growing pause) until the returned stop is called.
 */
export function openEventStream(path: string, handlers: StreamHandlers): () => void {
  const controller = new AbortController();
  let retryMs = 1000;
  const run = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(path, {
          headers: { ...authHeaders(), accept: 'text/event-stream' },
          credentials: 'same-origin',
          signal: controller.signal,
        });
        if (!response.ok || !response.body) {
          handlers.onError?.(`The live tail was refused (${response.status}).`);
          if (response.status === 401 || response.status === 403 || response.status === 404) return;
        } else {
          retryMs = 1000;
          handlers.onOpen?.();
          const parser = createParser({
            onEvent: (message) => handlers.onEvent(message.event ?? 'message', message.data),
          });
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            parser.feed(value);
          }
          handlers.onError?.('The live tail closed; reconnecting.');
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        handlers.onError?.(`The live tail dropped (${(error as Error).message}); reconnecting.`);
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(retryMs * 2, 15_000);
    }
  };
  void run();
  return () => controller.abort();
}
