import { budgetPeriod, costNanoUsd, usdFromNano } from './budget';

describe('budgetPeriod', () => {
  it('is the UTC day for daily budgets, ending at the next midnight', () => {
    const now = Date.UTC(2026, 10, 24, 23, 59, 59);
    expect(budgetPeriod('daily', now)).toEqual({
      label: '2026-11-24',
      endsAtMs: Date.UTC(2026, 10, 25),
    });
  });

  it('is the UTC month for monthly budgets, across a year end', () => {
    expect(budgetPeriod('monthly', Date.UTC(2026, 11, 31, 12))).toEqual({
      label: '2026-12',
      endsAtMs: Date.UTC(2027, 0, 1),
    });
  });
});

describe('costNanoUsd', () => {
  it('prices input and output tokens per million', () => {
    // 1,000 prompt tokens at $0.59/M and 500 completion tokens at $0.79/M = $0.000985
    const cost = costNanoUsd(
      { input: 0.59, output: 0.79 },
      { prompt_tokens: 1000, completion_tokens: 500 },
    );
    expect(cost).toBe(985_000);
    expect(usdFromNano(cost)).toBeCloseTo(0.000985, 12);
  });
});
