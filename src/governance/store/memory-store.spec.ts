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
  describe('team budgets (issue 20)', () => {
    const team = (teamId = 'search') => ({
      teamId,
      limitNanoUsd: 10_000,
      period: '2026-11',
      endsAtMs: now + 86_400_000,
    });
    const reserve = (id: string) => ({
      id,
      promptTokens: 10,
      explicitOutputTokens: 20,
      outputCap: 1000,
      inputNanoPerToken: 100,
      outputNanoPerToken: 200,
      leaseMs: 60_000,
    });
    // Each call's worst case: 10 x 100 + 20 x 200 = 5,000 nano-USD.

    it('holds the sum of two keys of one team within its budget, reservations included', async () => {
      const first = await store.admit({ keyId: 'a', reserve: reserve('r1'), teamBudget: team() });
      const second = await store.admit({ keyId: 'b', reserve: reserve('r2'), teamBudget: team() });
      const third = await store.admit({ keyId: 'a', reserve: reserve('r3'), teamBudget: team() });
      expect([first.admitted, second.admitted, third.admitted]).toEqual([true, true, false]);
      expect(second.teamReservedNanoUsd).toBe(10_000);
      expect(third).toMatchObject({ reason: 'team-budget', retryAfterMs: 1_000 });
      // Another team is not touched.
      expect(
        (await store.admit({ keyId: 'c', reserve: reserve('r4'), teamBudget: team('ads') }))
          .admitted,
      ).toBe(true);
      // Settling for less frees the difference for the team.
      const usage = { teamId: 'search', period: '2026-11', endsAtMs: now + 86_400_000 };
      await store.record({
        keyId: 'a',
        reservationId: 'r1',
        tokens: 15,
        costNanoUsd: 2_000,
        team: usage,
      });
      expect(await store.teamUsage('search', '2026-11')).toEqual({
        spentNanoUsd: 2_000,
        reservations: 1,
        reservedNanoUsd: 5_000,
      });
      const fourth = await store.admit({ keyId: 'b', reserve: reserve('r5'), teamBudget: team() });
      expect(fourth.admitted).toBe(false);
      await store.record({
        keyId: 'b',
        reservationId: 'r2',
        tokens: 0,
        costNanoUsd: 0,
        team: usage,
      });
      expect(
        (await store.admit({ keyId: 'b', reserve: reserve('r6'), teamBudget: team() })).admitted,
      ).toBe(true);
    });

    it('checks the key budget and the team budget both, and names which refused', async () => {
      const keyBudget = { limitNanoUsd: 6_000, period: '2026-11', endsAtMs: now + 1_000 };
      expect(
        (
          await store.admit({
            keyId: 'a',
            budget: keyBudget,
            reserve: reserve('r1'),
            teamBudget: team(),
          })
        ).admitted,
      ).toBe(true);
      const byKey = await store.admit({
        keyId: 'a',
        budget: keyBudget,
        reserve: reserve('r2'),
        teamBudget: team(),
      });
      expect(byKey).toMatchObject({ admitted: false, reason: 'budget' });
      const tooDear = await store.admit({
        keyId: 'b',
        reserve: { ...reserve('r3'), explicitOutputTokens: 100 },
        teamBudget: team(),
      });
      expect(tooDear).toMatchObject({ admitted: false, reason: 'team-budget-never' });
    });

    it('refuses a spent team until its period ends', async () => {
      const usage = { teamId: 'search', period: '2026-11', endsAtMs: now + 86_400_000 };
      await store.record({ keyId: 'a', tokens: 1, costNanoUsd: 10_000, team: usage });
      const refused = await store.admit({ keyId: 'b', teamBudget: team() });
      expect(refused).toMatchObject({
        admitted: false,
        reason: 'team-budget',
        retryAfterMs: 86_400_000,
      });
    });
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
