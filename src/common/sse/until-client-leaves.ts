import type { ServerResponse } from 'node:http';
import { MonoTypeOperatorFunction, Observable } from 'rxjs';

/**
 * Completes (and so unsubscribes the source, aborting its upstream call) when the client's
 * connection closes before the response has been sent. What `takeUntil(fromEvent(...))` does,
 * with one listener and one subscription instead of four: it runs on every request.
 */
export function untilClientLeaves<T>(response: ServerResponse): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const onClose = () => {
        if (!response.writableFinished) subscriber.complete();
      };
      response.once('close', onClose);
      const inner = source.subscribe(subscriber);
      return () => {
        response.off('close', onClose);
        inner.unsubscribe();
      };
    });
}
