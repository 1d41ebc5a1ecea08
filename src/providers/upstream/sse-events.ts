import { createParser, EventSourceMessage } from 'eventsource-parser';
import type { Readable } from 'node:stream';

/**
 * Reads Server-Sent Events from a byte stream with a real SSE parser (multi-line data, comments,
 * CRLF, events split across TCP chunks) and hands each to `onEvent` as it completes. Resolves when
 * the body ends, rejects when it fails; an `onEvent` that throws stops the reading there (the body
 * is destroyed, quietly) and rejects with what it threw.
 *
 * Listener-driven, not `for await`: leaving an async iteration early destroys the body with an
 * AbortError (a stack trace built per stream, about a tenth of a stream's CPU when measured), and
 * each chunk through an async iterator costs promise turns that this path does not need.
 */
export function consumeSseEvents(
  body: Readable,
  onEvent: (event: EventSourceMessage) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const parser = createParser({
      onEvent(event) {
        if (failed) return;
        try {
          onEvent(event);
        } catch (error) {
          failed = true;
          body.off('data', onData);
          body.destroy();
          reject(error);
        }
      },
    });
    const decoder = new TextDecoder();
    const onData = (bytes: Uint8Array) => parser.feed(decoder.decode(bytes, { stream: true }));
    body.on('data', onData);
    body.once('end', () => {
      if (failed) return;
      parser.feed(decoder.decode());
      if (!failed) resolve();
    });
    body.once('error', (error) => {
      if (failed) return;
      failed = true;
      reject(error);
    });
  });
}
