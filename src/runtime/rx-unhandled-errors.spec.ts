import { Observable, config } from 'rxjs';
import { logUnhandledRxErrors } from './rx-unhandled-errors';

describe('logUnhandledRxErrors', () => {
  afterEach(() => {
    config.onUnhandledError = null;
  });

  it("logs an error thrown in a subscriber's own next instead of rethrowing it", async () => {
    const lines: string[] = [];
    logUnhandledRxErrors((line) => lines.push(line));
    new Observable<number>((subscriber) => subscriber.next(1)).subscribe({
      next() {
        throw new TypeError("Cannot read properties of null (reading 'model')");
      },
    });
    // RxJS reports it from a timer.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/escaped an RxJS subscriber.*reading 'model'/s);
  });
});
