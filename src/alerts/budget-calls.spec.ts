import type { GovernedCall } from '../call/ended-call';
import { budgetOutcome, refusedSince } from './budget-calls';
import { mergeSignals, type LocalSignals } from './fleet/alert-fleet';
import { LocalSignalWatch } from './local-signals';

const governed = (budget?: { usd: number; period: 'daily' }) =>
  ({ key: { id: 'team-a', budget } }) as unknown as GovernedCall;
const DAY = Date.UTC(2026, 10, 30, 12);

describe('budgetOutcome', () => {
  it('reads a 402 budget_exceeded without param as the budget used up', () => {
    expect(
      budgetOutcome({ status: 402, errorCode: 'budget_exceeded', virtualKeyId: 'team-a' }),
    ).toEqual({ virtualKey: 'team-a', outcome: 'refused' });
  });
  it('ignores a call dearer than the whole budget (param max_tokens or messages)', () => {
    expect(
      budgetOutcome({
        status: 402,
        errorCode: 'budget_exceeded',
        errorParam: 'max_tokens',
        virtualKeyId: 'team-a',
      }),
    ).toBeUndefined();
  });
  it('reads a call admitted against a budget as admitted, and others as nothing', () => {
    expect(budgetOutcome({ status: 200, governed: governed({ usd: 2, period: 'daily' }) })).toEqual(
      { virtualKey: 'team-a', outcome: 'admitted' },
    );
    expect(budgetOutcome({ status: 500, governed: governed() })).toBeUndefined();
    expect(budgetOutcome({ status: 429, errorCode: 'rate_limit_exceeded' })).toBeUndefined();
  });
});

describe('refusedSince', () => {
  it('holds from the last refusal until a later admitted call', () => {
    expect(refusedSince({ virtualKey: 'a', refusedAtMs: DAY }, 'daily', '2026-11-30')).toBe(DAY);
    expect(
      refusedSince(
        { virtualKey: 'a', refusedAtMs: DAY, admittedAtMs: DAY - 1 },
        'daily',
        '2026-11-30',
      ),
    ).toBe(DAY);
    expect(
      refusedSince(
        { virtualKey: 'a', refusedAtMs: DAY, admittedAtMs: DAY + 1 },
        'daily',
        '2026-11-30',
      ),
    ).toBeUndefined();
  });
  it('ends with the budget period', () => {
    expect(
      refusedSince({ virtualKey: 'a', refusedAtMs: DAY }, 'daily', '2026-12-01'),
    ).toBeUndefined();
    expect(refusedSince({ virtualKey: 'a', refusedAtMs: DAY }, 'monthly', '2026-11')).toBe(DAY);
    expect(refusedSince(undefined, 'daily', '2026-11-30')).toBeUndefined();
  });
});

describe('budget calls across the fleet', () => {
  it('are published in each replica signals and merged to the latest of each', () => {
    const a = new LocalSignalWatch();
    const b = new LocalSignalWatch();
    a.budgetCall('team-a', 'refused', DAY);
    b.budgetCall('team-a', 'admitted', DAY + 5);
    b.budgetCall('team-a', 'refused', DAY - 5);
    const all: LocalSignals[] = [a.snapshot('a', DAY + 10, []), b.snapshot('b', DAY + 10, [])];
    expect(mergeSignals(all).budgetCalls).toEqual([
      { virtualKey: 'team-a', refusedAtMs: DAY, admittedAtMs: DAY + 5 },
    ]);
  });
  it('forgets keys not seen for longer than any budget period', () => {
    const watch = new LocalSignalWatch();
    watch.budgetCall('old', 'refused', 0);
    expect(watch.snapshot('a', DAY, []).budgetCalls).toEqual([]);
  });
});
