import { map, of, Subject, throwError, toArray } from 'rxjs';
import { lastValueFrom } from 'rxjs';
import { onceKnown } from './once-known';

describe('onceKnown', () => {
  it('chooses the operator at the first value, from what is known by then', async () => {
    let stream = false;
    const source = new Subject<number>();
    const out = lastValueFrom(
      source.pipe(
        onceKnown(() =>
          stream ? map((n: number) => `chunk ${n}`) : map((n: number) => `json ${n}`),
        ),
        toArray(),
      ),
    );
    // Learnt after subscription (the handler ran), before the first value.
    stream = true;
    source.next(1);
    source.next(2);
    source.complete();
    await expect(out).resolves.toEqual(['chunk 1', 'chunk 2']);
  });

  it('passes an error that comes first through the chosen operator', async () => {
    const chose = jest.fn(() => map((n: number) => n * 2));
    await expect(
      lastValueFrom(throwError(() => new Error('429')).pipe(onceKnown(chose))),
    ).rejects.toThrow('429');
    expect(chose).toHaveBeenCalledTimes(1);
  });

  it('chooses once, and unsubscribes the source with its subscriber', async () => {
    const chose = jest.fn(() => map((n: number) => n + 1));
    await expect(lastValueFrom(of(1, 2, 3).pipe(onceKnown(chose), toArray()))).resolves.toEqual([
      2, 3, 4,
    ]);
    expect(chose).toHaveBeenCalledTimes(1);
    const source = new Subject<number>();
    const subscription = source.pipe(onceKnown(chose)).subscribe();
    subscription.unsubscribe();
    expect(source.observed).toBe(false);
  });
});
