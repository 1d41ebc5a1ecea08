import type { Counts } from '../rules/window-counts';
import { CountBatches } from './count-batches';

describe('CountBatches', () => {
  it('retries a batch not added as it was, under its id, and puts later counts in a batch of their own', () => {
    let ids = 0;
    const batches = new CountBatches(() => `b${++ids}`);
    const pending = new Map<number, Counts>([[100, { req: 2 }]]);
    const first = batches.take(pending, 0);
    expect(first).toEqual([{ id: 'b1', counts: new Map([[100, { req: 2 }]]) }]);
    expect(pending.size).toBe(0);

    // The add failed (a timeout): the next flush sends b1 again, unchanged, then the new counts.
    pending.set(100, { req: 1 });
    const second = batches.take(pending, 0);
    expect(second).toEqual([
      { id: 'b1', counts: new Map([[100, { req: 2 }]]) },
      { id: 'b2', counts: new Map([[100, { req: 1 }]]) },
    ]);
    batches.added(second[0]);
    batches.added(second[1]);
    expect(batches.take(pending, 0)).toEqual([]);
  });

  it('forgets seconds no window can read any more, and a batch left with none', () => {
    const batches = new CountBatches(() => 'b');
    batches.take(
      new Map([
        [10, { req: 1 }],
        [50, { req: 1 }],
      ]),
      0,
    );
    expect(batches.take(new Map(), 10)).toEqual([{ id: 'b', counts: new Map([[50, { req: 1 }]]) }]);
    expect(batches.take(new Map(), 50)).toEqual([]);
  });
});
