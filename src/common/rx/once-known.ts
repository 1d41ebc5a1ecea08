import { Observable, Subject, type OperatorFunction, type Subscription } from 'rxjs';

/**
 * An operator chosen at the source's first notification rather than at subscription: for a
 * conversion that depends on what the handler learns while it runs (whether the call streams is
 * the validated body's, known once the handler has prepared it; an interceptor subscribes before
 * that). Every notification, the first included, goes through the chosen operator.
 */
export function onceKnown<T, R>(choose: () => OperatorFunction<T, R>): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let chosen: Subject<T> | undefined;
      let piped: Subscription | undefined;
      const start = (): Subject<T> => {
        if (!chosen) {
          chosen = new Subject<T>();
          piped = chosen.pipe(choose()).subscribe(subscriber);
        }
        return chosen;
      };
      const upstream = source.subscribe({
        next: (value) => start().next(value),
        error: (error: unknown) => start().error(error),
        complete: () => start().complete(),
      });
      return () => {
        upstream.unsubscribe();
        piped?.unsubscribe();
      };
    });
}
