import { BatchQueue, type BatchQueueOptions } from './batch-queue';

function queue(overrides: Partial<BatchQueueOptions<number>> = {}) {
  const written: number[][] = [];
  const q = new BatchQueue<number>({
    capacity: 5,
    batchSize: 2,
    flushIntervalMs: 10,
    maxAttempts: Number.POSITIVE_INFINITY,
    retryBaseDelayMs: 5,
    retryMaxDelayMs: 20,
    write: (batch) => {
      written.push([...batch]);
      return Promise.resolve();
    },
    ...overrides,
  });
  return { q, written };
}

const tick = (ms = 200) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BatchQueue', () => {
  it('writes full batches at once and a partial one after the interval', async () => {
    const { q, written } = queue();
    [1, 2, 3].forEach((n) => q.push(n));
    await tick();
    expect(written).toEqual([[1, 2], [3]]);
    expect(q.length).toBe(0);
  });

  it('refuses items beyond capacity, so the caller counts them', () => {
    const { q } = queue({ write: () => new Promise(() => undefined) });
    const taken = [1, 2, 3, 4, 5, 6, 7].map((n) => q.push(n));
    expect(taken).toEqual([true, true, true, true, true, false, false]);
    expect(q.full).toBe(true);
  });

  it('says since when its writes fail, until one succeeds', async () => {
    let failures = 2;
    const { q } = queue({
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 100,
      write: () => (failures-- > 0 ? Promise.reject(new Error('store down')) : Promise.resolve()),
    });
    expect(q.failing).toBeUndefined();
    const before = Date.now();
    q.push(1);
    await tick(50);
    expect(q.failing).toEqual({ sinceMs: expect.any(Number), error: new Error('store down') });
    const since = q.failing?.sinceMs ?? 0;
    expect(since).toBeGreaterThanOrEqual(before);
    await tick(120);
    // The second failure keeps the first one's time.
    expect(q.failing?.sinceMs).toBe(since);
    await tick(200);
    expect(q.failing).toBeUndefined();
    expect(q.length).toBe(0);
  });

  it('keeps a failed batch queued and retries it with backoff', async () => {
    let failures = 2;
    const errors: number[] = [];
    const { q, written } = queue({
      write: (batch) => {
        if (failures-- > 0) return Promise.reject(new Error('store down'));
        written.push([...batch]);
        return Promise.resolve();
      },
      onError: (_e, attempt) => errors.push(attempt),
    });
    q.push(1);
    q.push(2);
    await tick(400);
    expect(errors).toEqual([1, 2]);
    expect(written).toEqual([[1, 2]]);
  });

  it('gives a batch up after maxAttempts and says how many items went', async () => {
    const given: number[] = [];
    const { q } = queue({
      maxAttempts: 2,
      write: () => Promise.reject(new Error('refused')),
      onGiveUp: (count) => given.push(count),
    });
    q.push(1);
    q.push(2);
    await tick(400);
    expect(given).toEqual([2]);
    expect(q.length).toBe(0);
  });

  it('wakes whoever waits for room once a batch is written', async () => {
    let release: () => void = () => undefined;
    const { q } = queue({
      capacity: 2,
      write: () => new Promise<void>((resolve) => (release = resolve)),
    });
    q.push(1);
    q.push(2);
    let roomy = false;
    void q.whenRoom().then(() => (roomy = true));
    await tick();
    expect(roomy).toBe(false);
    release();
    await tick();
    expect(roomy).toBe(true);
  });

  it('drains what is left before a deadline and reports what it could not write', async () => {
    const { q, written } = queue({ flushIntervalMs: 60_000, batchSize: 10 });
    [1, 2, 3].forEach((n) => q.push(n));
    expect(await q.drain(Date.now() + 1000)).toBe(0);
    expect(written).toEqual([[1, 2, 3]]);
    const dead = queue({ write: () => Promise.reject(new Error('gone')) }).q;
    dead.push(1);
    expect(await dead.drain(Date.now() + 150)).toBe(1);
  });

  describe('an item the sink refuses for good', () => {
    class Refused extends Error {}
    /**
     * A sink that refuses, whole, any batch holding one of `bad` (as a database transaction does),
     * and fails, as a store that is down, a batch for which `down` says so.
     */
    function refusing(
      bad: number[],
      overrides: Partial<BatchQueueOptions<number>> = {},
      down: (batch: readonly number[]) => boolean = () => false,
    ) {
      const written: number[][] = [];
      const refused: number[] = [];
      const errors: number[] = [];
      const q = new BatchQueue<number>({
        capacity: 100,
        batchSize: 8,
        flushIntervalMs: 10,
        maxAttempts: Number.POSITIVE_INFINITY,
        retryBaseDelayMs: 5,
        retryMaxDelayMs: 20,
        write: (batch) => {
          if (down(batch)) return Promise.reject(new Error('connection reset'));
          if (batch.some((n) => bad.includes(n)))
            return Promise.reject(new Refused(`refused ${batch.join(',')}`));
          written.push([...batch]);
          return Promise.resolve();
        },
        refuses: (error) => error instanceof Refused,
        onRefused: (item) => refused.push(item),
        onError: (_e, attempt) => errors.push(attempt),
        ...overrides,
      });
      return { q, written, refused, errors };
    }

    it('is dropped alone: the rest of its batch and every later item are written', async () => {
      const { q, written, refused, errors } = refusing([5, 6, 13]);
      for (let n = 1; n <= 20; n++) q.push(n);
      await tick(300);
      expect(written.flat()).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1).filter((n) => ![5, 6, 13].includes(n)),
      );
      expect(refused).toEqual([5, 6, 13]);
      // A refusal is not the sink failing: no error, no backoff, the sink is not "failing".
      expect(errors).toEqual([]);
      expect(q.failing).toBeUndefined();
      expect(q.length).toBe(0);
    });

    it('halves the batch down to the refused item, in order, each good part written once', async () => {
      const { q, written } = refusing([3]);
      for (let n = 1; n <= 8; n++) q.push(n);
      await tick();
      expect(written).toEqual([[1, 2], [4], [5, 6, 7, 8]]);
    });

    it('leaves what a failure cut short queued, and retries it with backoff', async () => {
      let downOnce = true;
      const { q, written, refused, errors } = refusing([3], { batchSize: 4 }, (batch) => {
        const down = downOnce && batch[0] === 3;
        if (down) downOnce = false;
        return down;
      });
      [1, 2, 3, 4].forEach((n) => q.push(n));
      await tick();
      // [1,2,3,4] refused: [1,2] written, [3,4] failed (down): retried, refused, [3] dropped.
      expect(errors).toEqual([1]);
      expect(written).toEqual([[1, 2], [4]]);
      expect(refused).toEqual([3]);
      expect(q.length).toBe(0);
    });

    it('gives up, after maxAttempts, only what the refusals left of the batch', async () => {
      const given: number[] = [];
      const { q, written, refused } = refusing(
        [1],
        { batchSize: 4, maxAttempts: 1, onGiveUp: (count) => given.push(count) },
        (batch) => batch.length === 1 && batch[0] === 2,
      );
      [1, 2, 3, 4, 5].forEach((n) => q.push(n));
      await tick();
      // [1,2,3,4] refused, [1,2] refused, [1] dropped, [2] failed: 2, 3 and 4 given up; 5 written.
      expect(refused).toEqual([1]);
      expect(given).toEqual([3]);
      expect(written).toEqual([[5]]);
      expect(q.length).toBe(0);
    });

    it('makes room for a waiting admission as each part leaves, not at the end', async () => {
      let room = 0;
      let writes = 0;
      const { q } = refusing([1], {
        capacity: 4,
        batchSize: 4,
        // Counts the writes made when the first waiter got room.
        write: (batch) => {
          writes++;
          return batch.includes(1)
            ? Promise.reject(new Refused('refused'))
            : new Promise<void>((resolve) => setTimeout(resolve, 5));
        },
      });
      [1, 2, 3, 4].forEach((n) => q.push(n));
      void q.whenRoom().then(() => (room = writes));
      await tick();
      // [1,2,3,4] refused, [1,2] refused, [1] dropped: room after the third write, of five.
      expect(room).toBe(3);
      expect(writes).toBe(5);
    });

    it('stops halving once a drain is past its deadline, the rest left queued', async () => {
      let writes = 0;
      const { q, refused } = refusing([], {
        batchSize: 8,
        // Every write is refused, and slowly: the deadline passes after the first few.
        write: () => {
          writes++;
          return new Promise<void>((_, reject) =>
            setTimeout(() => reject(new Refused('refused')), 20),
          );
        },
      });
      for (let n = 1; n <= 8; n++) q.push(n);
      const left = await q.drain(Date.now() + 50);
      await tick(100);
      // Halving 8 refused items takes 15 writes; it stopped after the deadline's.
      expect(writes).toBeLessThan(6);
      expect(left + refused.length).toBe(8);
      expect(left).toBeGreaterThan(0);
    });
  });
});
