import type { GovernedCall } from '../call/ended-call';
import { budgetOutcomes, refusedSince } from './budget-calls';
import { mergeSignals, type LocalSignals } from './fleet/alert-fleet';
import { LocalSignalWatch } from './local-signals';

const governed = (
  budget?: { usd: number; period: 'daily' },
  team?: { id: string; budget?: { usd: number; period: 'daily' } },
) => ({ key: { id: 'team-a', budget }, team }) as unknown as GovernedCall;
const DAY = Date.UTC(2026, 10, 30, 12);

describe('budgetOutcomes', () => {
  it("reads a 402 budget_exceeded without param as the key's budget used up", () => {
    expect(
      budgetOutcomes({
        status: 402,
        errorCode: 'budget_exceeded',
        budgetRefused: 'key',
        virtualKeyId: 'team-a',
        teamId: 'search',
      }),
    ).toEqual([{ owner: 'key', id: 'team-a', outcome: 'refused' }]);
  });
  it("reads a team budget's 402 as the team's budget used up, not the key's", () => {
    expect(
      budgetOutcomes({
        status: 402,
        errorCode: 'budget_exceeded',
        budgetRefused: 'team',
        virtualKeyId: 'team-a',
        teamId: 'search',
      }),
    ).toEqual([{ owner: 'team', id: 'search', outcome: 'refused' }]);
  });
  it('ignores a call dearer than the whole budget (param max_tokens or messages)', () => {
    expect(
      budgetOutcomes({
        status: 402,
        errorCode: 'budget_exceeded',
        errorParam: 'max_tokens',
        virtualKeyId: 'team-a',
      }),
    ).toEqual([]);
  });
  it('reads a call admitted as admitted against each budget it was checked against', () => {
    expect(
      budgetOutcomes({ status: 200, governed: governed({ usd: 2, period: 'daily' }) }),
    ).toEqual([{ owner: 'key', id: 'team-a', outcome: 'admitted' }]);
    expect(
      budgetOutcomes({
        status: 200,
        governed: governed(
          { usd: 2, period: 'daily' },
          { id: 'search', budget: { usd: 5, period: 'daily' } },
        ),
      }),
    ).toEqual([
      { owner: 'key', id: 'team-a', outcome: 'admitted' },
      { owner: 'team', id: 'search', outcome: 'admitted' },
    ]);
    expect(
      budgetOutcomes({ status: 200, governed: governed(undefined, { id: 'search' }) }),
    ).toEqual([]);
    expect(budgetOutcomes({ status: 500, governed: governed() })).toEqual([]);
    expect(budgetOutcomes({ status: 429, errorCode: 'rate_limit_exceeded' })).toEqual([]);
  });
});

describe('refusedSince', () => {
  it('holds from the last refusal until a later admitted call', () => {
    expect(refusedSince({ owner: 'key', id: 'a', refusedAtMs: DAY }, 'daily', '2026-11-30')).toBe(
      DAY,
    );
    expect(
      refusedSince(
        { owner: 'key', id: 'a', refusedAtMs: DAY, admittedAtMs: DAY - 1 },
        'daily',
        '2026-11-30',
      ),
    ).toBe(DAY);
    expect(
      refusedSince(
        { owner: 'key', id: 'a', refusedAtMs: DAY, admittedAtMs: DAY + 1 },
        'daily',
        '2026-11-30',
      ),
    ).toBeUndefined();
  });
  it('ends with the budget period', () => {
    expect(
      refusedSince({ owner: 'key', id: 'a', refusedAtMs: DAY }, 'daily', '2026-12-01'),
    ).toBeUndefined();
    expect(refusedSince({ owner: 'key', id: 'a', refusedAtMs: DAY }, 'monthly', '2026-11')).toBe(
      DAY,
    );
    expect(refusedSince(undefined, 'daily', '2026-11-30')).toBeUndefined();
  });
});

describe('budget calls across the fleet', () => {
  it('are published in each replica signals and merged to the latest of each', () => {
    const a = new LocalSignalWatch();
    const b = new LocalSignalWatch();
    a.budgetCall('key', 'team-a', 'refused', DAY);
    b.budgetCall('key', 'team-a', 'admitted', DAY + 5);
    b.budgetCall('key', 'team-a', 'refused', DAY - 5);
    const all: LocalSignals[] = [a.snapshot('a', DAY + 10, []), b.snapshot('b', DAY + 10, [])];
    expect(mergeSignals(all).budgetCalls).toEqual([
      { owner: 'key', id: 'team-a', refusedAtMs: DAY, admittedAtMs: DAY + 5 },
    ]);
  });
  it("keeps a key's budget and its team's apart", () => {
    const a = new LocalSignalWatch();
    a.budgetCall('key', 'search', 'admitted', DAY);
    a.budgetCall('team', 'search', 'refused', DAY + 1);
    expect(mergeSignals([a.snapshot('a', DAY + 10, [])]).budgetCalls).toEqual([
      { owner: 'key', id: 'search', admittedAtMs: DAY },
      { owner: 'team', id: 'search', refusedAtMs: DAY + 1 },
    ]);
  });
  it('forgets keys not seen for longer than any budget period', () => {
    const watch = new LocalSignalWatch();
    watch.budgetCall('key', 'old', 'refused', 0);
    expect(watch.snapshot('a', DAY, []).budgetCalls).toEqual([]);
  });
});
