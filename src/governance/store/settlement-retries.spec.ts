import type { UsageRecord } from './governance-store';
import { MemoryGovernanceStore } from './memory-store';
import type { ReserveRequest } from './reservation';
import { SETTLEMENT_RETRY_DELAYS_MS, SettlementRetries } from './settlement-retries';
import { StoreBreakerOpenError } from './store-breaker';

const LEASE_MS = 60_000;
const BUDGET = { limitNanoUsd: 1_000_000, period: 'd', endsAtMs: Date.UTC(2026, 11, 2) };

function reserve(id: string): ReserveRequest {
  return {
    id,
    promptTokens: 10,
    outputCap: 90,
    inputNanoPerToken: 100,
    outputNanoPerToken: 100,
    leaseMs: LEASE_MS,
  };
}

function usageOf(reservationId: string | undefined): UsageRecord {
  return {
    keyId: 'k',
    reservationId,
    tokens: 30,
    costNanoUsd: 3_000,
    budgetPeriod: { period: BUDGET.period, endsAtMs: BUDGET.endsAtMs },
  };
}

const timeout = () => new Error('Command timed out');

describe('settlements retried while the store cannot take them', () => {
  let store: MemoryGovernanceStore;
  let sent: UsageRecord[];
  /** What each attempt does before (or instead of) reaching the store. */
  let faults: Array<'timeout' | 'breaker-open' | 'lands-answer-lost'>;
  let errors: string[];
  let answered: number;
  let retries: SettlementRetries;

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 1, 12) });
    store = new MemoryGovernanceStore();
    sent = [];
    faults = [];
    errors = [];
    answered = 0;
    retries = new SettlementRetries(
      async (usage) => {
        sent.push(usage);
        const fault = faults.shift();
        if (fault === 'breaker-open') throw new StoreBreakerOpenError();
        if (fault === 'timeout') throw timeout();
        await store.record(usage);
        if (fault === 'lands-answer-lost') throw timeout();
      },
      LEASE_MS,
      () => answered++,
      (_error, consequence) => errors.push(consequence),
    );
  });
  afterEach(() => {
    retries.stop();
    jest.useRealTimers();
  });

  const admitted = async (id: string) =>
    (await store.admit({ keyId: 'k', budget: BUDGET, reserve: reserve(id) })).reservation;

  it('a settlement that failed is tried again, backing off, until it lands: the hold is freed and the use counted', async () => {
    await admitted('call-1');
    faults = ['timeout', 'timeout', 'timeout'];
    await retries.settle(usageOf('call-1'));
    expect((await store.usage('k', 'd')).reservations).toBe(1);
    expect(retries.size).toBe(1);
    await jest.advanceTimersByTimeAsync(SETTLEMENT_RETRY_DELAYS_MS.first);
    await jest.advanceTimersByTimeAsync(SETTLEMENT_RETRY_DELAYS_MS.first * 2);
    expect(sent).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(SETTLEMENT_RETRY_DELAYS_MS.first * 4);
    expect(sent).toHaveLength(4);
    expect(answered).toBe(1);
    expect(retries.size).toBe(0);
    expect(await store.usage('k', 'd')).toMatchObject({ reservations: 0, spentNanoUsd: 3_000 });
    expect(errors[0]).toBe('settlement tried again until the store answers');
  });

  it('counts once: a retry after an attempt that landed though its answer was lost charges nothing again', async () => {
    await admitted('call-1');
    faults = ['lands-answer-lost'];
    await retries.settle(usageOf('call-1'));
    await jest.advanceTimersByTimeAsync(SETTLEMENT_RETRY_DELAYS_MS.first);
    expect(sent).toHaveLength(2);
    expect(sent[1].onlyIfHeld).toBe(true);
    expect(await store.usage('k', 'd')).toMatchObject({ reservations: 0, spentNanoUsd: 3_000 });
  });

  it('an attempt the open breaker skipped was never sent: the retry still counts unconditionally', async () => {
    faults = ['breaker-open'];
    // The hold is gone already (a Redis restarted empty): the use is still counted.
    await retries.settle(usageOf('call-1'));
    await jest.advanceTimersByTimeAsync(SETTLEMENT_RETRY_DELAYS_MS.first);
    expect(sent.map((usage) => usage.onlyIfHeld)).toEqual([undefined, false]);
    expect((await store.usage('k', 'd')).spentNanoUsd).toBe(3_000);
  });

  it('stops once the lease has passed: the hold has freed itself by then', async () => {
    await admitted('call-1');
    faults = Array.from({ length: 100 }, () => 'timeout' as const);
    await retries.settle(usageOf('call-1'));
    await jest.advanceTimersByTimeAsync(LEASE_MS + SETTLEMENT_RETRY_DELAYS_MS.max);
    const attempts = sent.length;
    expect(attempts).toBeGreaterThan(5);
    expect(attempts).toBeLessThan(30);
    expect(retries.size).toBe(0);
    expect(errors.at(-1)).toBe('settlement given up: the hold frees itself with its lease');
    await jest.advanceTimersByTimeAsync(LEASE_MS);
    expect(sent).toHaveLength(attempts);
  });

  it('a release frees only its own reservation, once, however often it is tried', async () => {
    await admitted('given-up');
    const other = await admitted('other-call');
    faults = ['lands-answer-lost', 'timeout'];
    const release = { keyId: 'k', reservationId: 'given-up', tokens: 0, costNanoUsd: 0 };
    await retries.settle(release);
    await jest.advanceTimersByTimeAsync(SETTLEMENT_RETRY_DELAYS_MS.first * 3);
    expect(sent).toHaveLength(3);
    expect(sent.every((usage) => usage.reservationId === 'given-up')).toBe(true);
    expect(await store.usage('k', 'd')).toMatchObject({
      reservations: 1,
      reservedNanoUsd: other?.costNanoUsd,
      spentNanoUsd: 0,
    });
  });

  it('use without a reservation is not retried (nothing held, a repeat would count twice)', async () => {
    faults = ['timeout'];
    await retries.settle(usageOf(undefined));
    await jest.advanceTimersByTimeAsync(LEASE_MS);
    expect(sent).toHaveLength(1);
    expect(errors).toEqual(['usage not counted']);
  });

  it('keeps at most maxPending settlements waiting', async () => {
    const few = new SettlementRetries(
      () => Promise.reject(timeout()),
      LEASE_MS,
      () => undefined,
      (_error, consequence) => errors.push(consequence),
      Date.now,
      2,
    );
    for (const id of ['a', 'b', 'c']) await few.settle(usageOf(id));
    expect(few.size).toBe(2);
    expect(errors).toContain('this one left to its lease');
    few.stop();
    expect(few.size).toBe(0);
  });

  it('arms nothing more once stopped, though an attempt was under way then', async () => {
    let fail: (error: Error) => void = () => undefined;
    let calls = 0;
    const closing = new SettlementRetries(
      () => {
        calls++;
        return new Promise<void>((_resolve, reject) => (fail = reject));
      },
      LEASE_MS,
      () => undefined,
      () => undefined,
    );
    void closing.settle(usageOf('a'));
    await jest.advanceTimersByTimeAsync(SETTLEMENT_RETRY_DELAYS_MS.first);
    expect(calls).toBeGreaterThan(0);
    const before = calls;
    closing.stop();
    fail(timeout());
    await jest.advanceTimersByTimeAsync(LEASE_MS);
    expect(calls).toBe(before);
    expect(closing.size).toBe(0);
  });
});
