import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Observable } from 'rxjs';
import { untilClientLeaves } from './until-client-leaves';

function fakeResponse(): ServerResponse & EventEmitter {
  return Object.assign(new EventEmitter(), { writableFinished: false }) as never;
}

describe('untilClientLeaves', () => {
  it('unsubscribes the source when the client leaves first', () => {
    const response = fakeResponse();
    let torndown = false;
    let completed = false;
    const source = new Observable<number>(() => () => (torndown = true));
    source.pipe(untilClientLeaves(response)).subscribe({ complete: () => (completed = true) });
    response.emit('close');
    expect(torndown).toBe(true);
    expect(completed).toBe(true);
    expect(response.listenerCount('close')).toBe(0);
  });

  it('passes values through and leaves no listener once done', () => {
    const response = fakeResponse();
    const seen: number[] = [];
    new Observable<number>((subscriber) => {
      subscriber.next(1);
      subscriber.complete();
    })
      .pipe(untilClientLeaves(response))
      .subscribe((value) => seen.push(value));
    expect(seen).toEqual([1]);
    expect(response.listenerCount('close')).toBe(0);
  });

  it('ignores the close that follows a finished response', () => {
    const response = fakeResponse();
    let completed = false;
    new Observable<number>(() => undefined)
      .pipe(untilClientLeaves(response))
      .subscribe({ complete: () => (completed = true) });
    (response as { writableFinished: boolean }).writableFinished = true;
    response.emit('close');
    expect(completed).toBe(false);
  });
});
