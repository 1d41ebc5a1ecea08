import { MemoryGovernanceStore } from './memory-store';
import type { ReserveRequest } from './reservation';
import { ReservationLeases } from './reservation-leases';

const LEASE_MS = 3_000;

function reserve(id: string): ReserveRequest {
  return {
    id,
    promptTokens: 10,
    outputCap: 90,
    inputNanoPerToken: 0,
    outputNanoPerToken: 0,
    leaseMs: LEASE_MS,
  };
}

describe('reservation leases renewed while their call is in flight', () => {
  let now: number;
  let store: MemoryGovernanceStore;
  let leases: ReservationLeases;
  const errors: Error[] = [];
  beforeEach(() => {
    now = Date.UTC(2026, 10, 30, 12, 0, 0);
    store = new MemoryGovernanceStore(() => now);
    leases = new ReservationLeases(
      LEASE_MS,
      (keyId, ids, leaseMs, teamId) => store.renew(keyId, ids, leaseMs, teamId),
      (error) => errors.push(error),
      () => now,
    );
  });
  afterEach(() => leases.stop());

  it('without renewal a hold ends with its lease, and another call can take what it still uses', async () => {
    expect(
      (await store.admit({ keyId: 'k', tokensPerMinute: 100, reserve: reserve('a') })).admitted,
    ).toBe(true);
    expect(
      (await store.admit({ keyId: 'k', tokensPerMinute: 100, reserve: reserve('b') })).admitted,
    ).toBe(false);
    now += LEASE_MS;
    expect(
      (await store.admit({ keyId: 'k', tokensPerMinute: 100, reserve: reserve('b') })).admitted,
    ).toBe(true);
  });

  it('a renewed hold outlives its first lease until the call settles', async () => {
    const first = await store.admit({ keyId: 'k', tokensPerMinute: 100, reserve: reserve('a') });
    leases.hold('k', 'a');
    for (let i = 0; i < 10; i++) {
      now += LEASE_MS / 3 + 1;
      await leases.renewAll();
    }
    expect(first.reservation?.tokens).toBe(100);
    expect(await store.usage('k')).toMatchObject({ reservations: 1, reservedTokens: 100 });
    expect(
      (await store.admit({ keyId: 'k', tokensPerMinute: 100, reserve: reserve('b') })).admitted,
    ).toBe(false);
    // The call ends: settled, no longer renewed; the next call fits.
    leases.release('a');
    await store.record({ keyId: 'k', reservationId: 'a', tokens: 20, costNanoUsd: 0 });
    expect(leases.size).toBe(0);
    expect(
      (await store.admit({ keyId: 'k', tokensPerMinute: 100, reserve: reserve('b') })).admitted,
    ).toBe(true);
  });

  it('a call under a team budget keeps its team hold too: another key of the team cannot spend it', async () => {
    const teamBudget = {
      teamId: 'search',
      limitNanoUsd: 1_000,
      period: 'd',
      endsAtMs: now + 86_400_000,
    };
    const priced = (id: string): ReserveRequest => ({
      ...reserve(id),
      outputCap: 1_000,
      outputNanoPerToken: 10,
    });
    // Key a1 takes all the team's budget (100 tokens at 10 nano-USD), its lease renewed.
    const first = await store.admit({ keyId: 'a1', teamBudget, reserve: priced('x') });
    expect(first.reservation?.costNanoUsd).toBe(1_000);
    leases.hold('a1', 'x', 'search');
    for (let i = 0; i < 10; i++) {
      now += LEASE_MS / 3 + 1;
      await leases.renewAll();
    }
    expect(await store.teamUsage('search', 'd')).toMatchObject({
      reservations: 1,
      reservedNanoUsd: 1_000,
    });
    const other = await store.admit({ keyId: 'b1', teamBudget, reserve: priced('y') });
    expect(other).toMatchObject({ admitted: false, reason: 'team-budget' });
    // Settled: the team's hold is gone with the key's.
    leases.release('x');
    await store.record({
      keyId: 'a1',
      reservationId: 'x',
      tokens: 10,
      costNanoUsd: 100,
      team: { teamId: 'search', period: 'd', endsAtMs: teamBudget.endsAtMs },
    });
    expect((await store.admit({ keyId: 'b1', teamBudget, reserve: priced('y') })).admitted).toBe(
      true,
    );
  });

  it('never brings back a hold that was settled or had already expired', async () => {
    await store.admit({ keyId: 'k', tokensPerMinute: 100, reserve: reserve('a') });
    await store.record({ keyId: 'k', reservationId: 'a', tokens: 0, costNanoUsd: 0 });
    await store.renew('k', ['a'], LEASE_MS);
    expect(await store.usage('k')).toMatchObject({ reservations: 0 });
    await store.admit({ keyId: 'k', tokensPerMinute: 100, reserve: reserve('b') });
    now += LEASE_MS;
    await store.renew('k', ['b'], LEASE_MS);
    expect(await store.usage('k')).toMatchObject({ reservations: 0 });
  });

  it('renews in one store call per key (and team), only holds older than a third of the lease', async () => {
    const calls: Array<[string, string[], string?]> = [];
    const counted = new ReservationLeases(
      LEASE_MS,
      (keyId, ids, _leaseMs, teamId) => {
        calls.push(teamId === undefined ? [keyId, ids] : [keyId, ids, teamId]);
        return Promise.resolve();
      },
      (error) => errors.push(error),
      () => now,
    );
    counted.hold('k1', 'a');
    counted.hold('k1', 'b');
    counted.hold('k2', 'c');
    counted.hold('k2', 'e', 'search');
    await counted.renewAll();
    expect(calls).toEqual([]);
    now += LEASE_MS / 3;
    counted.hold('k2', 'd');
    await counted.renewAll();
    expect(calls).toEqual([
      ['k1', ['a', 'b']],
      ['k2', ['c']],
      ['k2', ['e'], 'search'],
    ]);
    counted.stop();
  });

  it('a store failure is reported and the next round tries again', async () => {
    let fail = true;
    const flaky = new ReservationLeases(
      LEASE_MS,
      () => (fail ? Promise.reject(new Error('store down')) : Promise.resolve()),
      (error) => errors.push(error),
      () => now,
    );
    flaky.hold('k', 'a');
    now += LEASE_MS;
    await flaky.renewAll();
    expect(errors.map((e) => e.message)).toEqual(['store down']);
    fail = false;
    await flaky.renewAll();
    expect(errors).toHaveLength(1);
    expect(flaky.size).toBe(1);
    flaky.stop();
  });
});
