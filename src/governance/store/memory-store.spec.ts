import { MemoryGovernanceStore, tokensRetryAfter } from './memory-store';
import { WINDOW_MS } from './governance-store';

describe('MemoryGovernanceStore', () => {
  let now: number;
  let store: MemoryGovernanceStore;
  beforeEach(() => {
    now = Date.UTC(2026, 10, 24, 12, 0, 0);
    store = new MemoryGovernanceStore(() => now);
  });

  it('admits requestsPerMinute in any sliding minute, then says when the oldest leaves', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await store.admit({ keyId: 'k', requestsPerMinute: 3 })).admitted).toBe(true);
      now += 10_000;
    }
    const refused = await store.admit({ keyId: 'k', requestsPerMinute: 3 });
    expect(refused).toMatchObject({ admitted: false, reason: 'requests', retryAfterMs: 30_000 });
    now += 30_000;
    expect((await store.admit({ keyId: 'k', requestsPerMinute: 3 })).admitted).toBe(true);
  });

  it('counts keys apart', async () => {
    await store.admit({ keyId: 'a', requestsPerMinute: 1 });
    expect((await store.admit({ keyId: 'b', requestsPerMinute: 1 })).admitted).toBe(true);
    expect((await store.admit({ keyId: 'a', requestsPerMinute: 1 })).admitted).toBe(false);
  });

  it('refuses past tokensPerMinute once usage is recorded, and forgets it after a minute', async () => {
    expect((await store.admit({ keyId: 'k', tokensPerMinute: 100 })).admitted).toBe(true);
    await store.record({ keyId: 'k', tokens: 120, costNanoUsd: 0 });
    const refused = await store.admit({ keyId: 'k', tokensPerMinute: 100 });
    expect(refused).toMatchObject({ admitted: false, reason: 'tokens', tokensInWindow: 120 });
    expect(refused.retryAfterMs).toBe(WINDOW_MS + 1000);
    now += WINDOW_MS + 1000;
    expect((await store.admit({ keyId: 'k', tokensPerMinute: 100 })).admitted).toBe(true);
  });

  it('refuses once the period budget is spent, until the period ends', async () => {
    const budget = { limitNanoUsd: 1_000, period: '2026-11-24', endsAtMs: now + 3_600_000 };
    await store.record({
      keyId: 'k',
      tokens: 10,
      costNanoUsd: 1_000,
      budgetPeriod: { period: budget.period, endsAtMs: budget.endsAtMs },
    });
    expect(await store.admit({ keyId: 'k', budget })).toMatchObject({
      admitted: false,
      reason: 'budget',
      retryAfterMs: 3_600_000,
      spentNanoUsd: 1_000,
    });
    // A new period starts from nothing.
    expect(
      (await store.admit({ keyId: 'k', budget: { ...budget, period: '2026-11-25' } })).admitted,
    ).toBe(true);
  });

  it('does not count a refused request', async () => {
    await store.admit({ keyId: 'k', requestsPerMinute: 1 });
    await store.admit({ keyId: 'k', requestsPerMinute: 1 });
    expect((await store.usage('k')).requestsInWindow).toBe(1);
  });

  it('keeps admin-made keys and moves its version on every save', async () => {
    const before = await store.keysVersion();
    await store.saveKey({
      id: 'x',
      keySha256: 'a'.repeat(64),
      source: 'admin',
      createdAt: '',
      models: [],
    });
    expect(await store.keysVersion()).toBe(before + 1);
    expect((await store.loadKeys()).map((k) => k.id)).toEqual(['x']);
  });
});

describe('tokensRetryAfter', () => {
  it('waits until enough of the oldest buckets leave the window', () => {
    const now = 100_000;
    // 50 tokens at second 60, 60 at second 90: under a limit of 100 once second 60 leaves.
    expect(
      tokensRetryAfter(
        [
          [60, 50],
          [90, 60],
        ],
        110,
        100,
        now,
      ),
    ).toBe(61_000 + WINDOW_MS - now);
  });
});
