import { RecentEvents } from './recent-events';

describe('RecentEvents', () => {
  it('keeps the last N, newest first, and counts every push', () => {
    const ring = new RecentEvents<number>(3);
    expect(ring.list()).toEqual([]);
    ring.push(1);
    ring.push(2);
    expect(ring.list()).toEqual([2, 1]);
    for (const n of [3, 4, 5]) ring.push(n);
    expect(ring.list()).toEqual([5, 4, 3]);
    expect(ring.seen).toBe(5);
  });

  it('refuses a capacity below one', () => {
    expect(() => new RecentEvents(0)).toThrow('capacity');
  });
});
