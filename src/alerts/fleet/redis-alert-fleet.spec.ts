import { startRedisServer, type RedisServer } from '../../../test/e2e/support/redis-server';
import type { Counts } from '../rules/window-counts';
import { CountBatches } from './count-batches';
import { RedisAlertFleet } from './redis-alert-fleet';

// Against a real redis-server (installed by .ci/run, as for the e2e specs).
describe('RedisAlertFleet counts', () => {
  let redis: RedisServer;
  let fleet: RedisAlertFleet;
  const nowSec = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  beforeEach(async () => {
    fleet = new RedisAlertFleet(redis.url, 'replica-a', 3_000, 60);
    while (!fleet.connected) await new Promise((resolve) => setTimeout(resolve, 10));
  });
  afterEach(() => fleet.close());
  afterAll(() => redis?.stop());

  const requests = async () => (await fleet.windows(nowSec + 1, [10])).get(10)?.req;

  it('applies a batch once, however often it is added', async () => {
    const batch = new Map<number, Counts>([[nowSec, { req: 3, err: 1 }]]);
    await fleet.add(batch, 'batch-once');
    await fleet.add(batch, 'batch-once');
    await fleet.add(new Map([[nowSec - 1, { req: 2 }]]), 'batch-other');
    expect((await fleet.windows(nowSec + 1, [10])).get(10)).toEqual({ req: 5, err: 1 });
  });

  it('a hung Redis: adds that timed out and were retried count once when it resumes', async () => {
    const before = (await requests()) ?? 0;
    const batches = new CountBatches();
    const pending = new Map<number, Counts>();
    const flush = async () => {
      for (const batch of batches.take(pending, nowSec - 60)) {
        await fleet.add(batch.counts, batch.id);
        batches.added(batch);
      }
    };
    redis.signal('SIGSTOP');
    try {
      // Three calls, each flush timing out (1 s) while its script waits on the socket.
      for (let call = 0; call < 3; call++) {
        pending.set(nowSec, { req: 1 });
        await expect(flush()).rejects.toThrow();
      }
    } finally {
      redis.signal('SIGCONT');
    }
    await flush();
    await flush();
    expect((await requests()) ?? 0).toBe(before + 3);
  });
});
