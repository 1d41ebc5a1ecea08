import { RecentRing } from './recent-ring';

describe('RecentRing', () => {
  it('keeps the last N, newest first, and counts every push', () => {
    const ring = new RecentRing<number>(3);
    expect(ring.list()).toEqual([]);
    ring.push(1);
    ring.push(2);
    expect(ring.list()).toEqual([2, 1]);
    for (const n of [3, 4, 5]) ring.push(n);
    expect(ring.list()).toEqual([5, 4, 3]);
    expect(ring.seen).toBe(5);
    expect(ring.dropped).toBe(2);
    expect(ring.size).toBe(3);
  });

  it('reads newest first lazily, so a reader may stop early', () => {
    const ring = new RecentRing<number>(4);
    for (const n of [1, 2, 3, 4, 5, 6]) ring.push(n);
    const firstTwo: number[] = [];
    for (const n of ring.newestFirst()) {
      firstTwo.push(n);
      if (firstTwo.length === 2) break;
    }
    expect(firstTwo).toEqual([6, 5]);
    expect(ring.list()).toEqual([6, 5, 4, 3]);
  });

  it('refuses a capacity below one', () => {
    expect(() => new RecentRing(0)).toThrow('capacity');
  });
});
