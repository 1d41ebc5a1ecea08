import type { RuleConfig } from '../../config/alerts-config';
import type { EndedCall } from '../../call/ended-call';
import { evaluateRule } from './evaluate-rule';
import type { BudgetFigure, EvaluationInputs } from './observation';
import { countCall, countUpstream, p95Ms, type Counts } from './window-counts';

const rule = (over: Partial<RuleConfig>): RuleConfig => ({
  id: 'r',
  kind: 'error_rate',
  channels: ['c'],
  threshold: 0.05,
  thresholdMs: 0,
  windowSeconds: 60,
  minRequests: 10,
  cooldownMs: 0,
  ...over,
});
const inputs = (counts: Counts, over: Partial<EvaluationInputs> = {}): EvaluationInputs => ({
  nowMs: 1_000_000,
  window: () => counts,
  budgets: [],
  invalidKeys: [],
  storesDown: [],
  ...over,
});
const call = (status: number, durationMs = 100, over: Partial<EndedCall> = {}) =>
  ({ apiFamily: 'chat', status, durationMs, ...over }) as EndedCall;

function traffic(calls: EndedCall[], slow: number[] = []): Counts {
  const counts: Counts = {};
  for (const c of calls) countCall(c, slow, counts);
  return counts;
}

describe('error_rate', () => {
  it('fires at the threshold once the window holds minRequests calls', () => {
    const calls = [...Array(19).fill(call(200)), call(502)];
    const [seen] = evaluateRule(rule({}), inputs(traffic(calls)));
    expect(seen).toMatchObject({ alertKey: 'r', firing: true, figure: 0.05, threshold: 0.05 });
    expect(seen.summary).toBe(
      'error rate 5.0% over 1 min (1 of 20 calls answered 5xx; threshold 5.0%)',
    );
  });

  it('stays quiet under minRequests, and counts neither 4xx as errors nor 499 at all', () => {
    expect(evaluateRule(rule({}), inputs(traffic([call(500), call(500)])))[0].firing).toBe(false);
    const counts = traffic([...Array(20).fill(call(400)), call(499), call(429)]);
    expect(counts).toMatchObject({ req: 21 });
    expect(counts.err).toBeUndefined();
  });

  it('ignores probes, listings and admin calls', () => {
    expect(
      traffic([call(500, 1, { apiFamily: 'models' }), call(500, 1, { apiFamily: 'admin' })]),
    ).toEqual({});
  });
});

describe('latency_p95', () => {
  const slow = rule({ kind: 'latency_p95', thresholdMs: 1000, minRequests: 20 });
  it('fires when more than 5% of calls are slower than the threshold, with an interpolated p95', () => {
    const counts = traffic(
      [...Array(18).fill(call(200, 80)), call(200, 1500), call(200, 1800)],
      [1000],
    );
    const [seen] = evaluateRule(slow, inputs(counts));
    expect(seen.firing).toBe(true);
    expect(seen.figure).toBeGreaterThan(1000);
    expect(seen.figure).toBeLessThanOrEqual(2000);
  });

  it('does not fire at exactly 5% slower calls (the p95 is then under the threshold)', () => {
    const counts = traffic([...Array(19).fill(call(200, 80)), call(200, 1500)], [1000]);
    expect(evaluateRule(slow, inputs(counts))[0].firing).toBe(false);
  });

  it('reads the p95 from the histogram', () => {
    expect(p95Ms(traffic(Array(100).fill(call(200, 40))))).toBeLessThanOrEqual(50);
    expect(p95Ms({})).toBeUndefined();
  });
});

describe('budget_usage', () => {
  const budget = rule({ kind: 'budget_usage', threshold: 0.8 });
  const spent = (usd: number, more: Partial<BudgetFigure> = {}) =>
    inputs(
      {},
      {
        budgets: [
          {
            owner: 'key',
            id: 'team-a',
            spentUsd: usd,
            reservedUsd: 0,
            limitUsd: 10,
            period: 'daily',
            resetsAtMs: 0,
            ...more,
          },
        ],
      },
    );

  it('has two alerts per key, at the threshold and at the whole budget', () => {
    const seen = evaluateRule(budget, spent(8.5));
    expect(seen.map((o) => [o.alertKey, o.firing])).toEqual([
      ['r:vk:team-a:0.8', true],
      ['r:vk:team-a:1', false],
    ]);
    expect(seen[0].scope).toEqual({ virtualKey: 'team-a' });
    expect(seen[0].summary).toContain(
      '85.0% of its daily budget ($8.50 spent and $0.00 held by calls in flight, of $10.00',
    );
    expect(evaluateRule(budget, spent(10)).every((o) => o.firing)).toBe(true);
  });

  it('shows what calls in flight hold without counting it: the figure only rises in a period', () => {
    const seen = evaluateRule(budget, spent(7, { reservedUsd: 3 }));
    expect(seen.map((o) => [o.firing, o.figure])).toEqual([
      [false, 0.7],
      [false, 0.7],
    ]);
    expect(seen[0].details).toMatchObject({ spentUsd: 7, reservedUsd: 3 });
  });

  it('takes a key refused with 402 budget_exceeded as its whole budget reached', () => {
    // Admission keeps spend plus reservations under the budget: 97 % and refused is "used up".
    const seen = evaluateRule(budget, spent(9.7, { refusedSinceMs: 1_000 }));
    expect(seen.map((o) => [o.alertKey, o.firing, o.figure])).toEqual([
      ['r:vk:team-a:0.8', true, 0.97],
      ['r:vk:team-a:1', true, 0.97],
    ]);
    expect(seen[1].summary).toBe(
      'virtual key team-a has reached its whole daily budget: calls are refused with 402 budget_exceeded ($9.70 spent and $0.00 held by calls in flight, of $10.00)',
    );
    expect(seen[1]).toMatchObject({
      sinceMs: 1_000,
      details: { refusedSince: expect.any(String) },
    });
    // A refusal at a low spend (a call too dear for what is left) still says the key is stopped.
    expect(evaluateRule(budget, spent(1, { refusedSinceMs: 1 }))[1].firing).toBe(true);
  });

  it("names a team's budget as the team's, apart from its keys' own budgets", () => {
    const seen = evaluateRule(
      budget,
      spent(9.7, { owner: 'team', id: 'search', refusedSinceMs: 1_000 }),
    );
    expect(seen.map((o) => [o.alertKey, o.firing])).toEqual([
      ['r:team:search:0.8', true],
      ['r:team:search:1', true],
    ]);
    expect(seen[1].scope).toEqual({ team: 'search' });
    expect(seen[1].summary).toBe(
      "team search has reached its whole daily budget: calls on the team's keys are refused with 402 budget_exceeded ($9.70 spent and $0.00 held by calls in flight, of $10.00)",
    );
    expect(seen[1].details).toMatchObject({ budget: 'team', team: 'search' });
    expect(seen[0].summary).toMatch(/^team search has used 97\.0% of its daily budget/);
  });
});

describe('upstream_unavailable', () => {
  const down = rule({ kind: 'upstream_unavailable', threshold: 0.5, minRequests: 4 });
  it('fires on Groq 5xx and connection failures over the window', () => {
    const counts: Counts = {};
    for (const status of [502, 0, 503, 200]) countUpstream(status, counts);
    expect(evaluateRule(down, inputs(counts))[0]).toMatchObject({ firing: true, figure: 0.75 });
  });
  it('fires when every key is out of service, whatever the window says', () => {
    const [seen] = evaluateRule(down, inputs({}, { allKeysDown: { sinceMs: 5, keys: 2 } }));
    expect(seen).toMatchObject({ firing: true, sinceMs: 5 });
    expect(seen.summary).toContain('every Groq key (2)');
  });
});

describe('signals', () => {
  it('key_invalid: one alert per refused key', () => {
    const seen = evaluateRule(
      rule({ kind: 'key_invalid' }),
      inputs({}, { invalidKeys: [{ keyId: 'key-2', status: 401, sinceMs: 7 }] }),
    );
    expect(seen).toEqual([
      expect.objectContaining({
        alertKey: 'r:key:key-2',
        scope: { keyId: 'key-2' },
        firing: true,
        sinceMs: 7,
      }),
    ]);
  });
  it('store_unavailable: one alert per store', () => {
    const seen = evaluateRule(
      rule({ kind: 'store_unavailable' }),
      inputs({}, { storesDown: [{ store: 'redis', sinceMs: 3 }] }),
    );
    expect(seen[0]).toMatchObject({
      alertKey: 'r:store:redis',
      firing: true,
      summary: 'the redis store is unreachable',
    });
  });
  it("store_unavailable: says why when the store's probe does", () => {
    const [seen] = evaluateRule(
      rule({ kind: 'store_unavailable' }),
      inputs(
        {},
        { storesDown: [{ store: 'request-logs', sinceMs: 3, reason: 'writes fail (x)' }] },
      ),
    );
    expect(seen).toMatchObject({
      alertKey: 'r:store:request-logs',
      scope: { store: 'request-logs' },
      summary: 'the request-logs store is unavailable: writes fail (x)',
      details: { reason: 'writes fail (x)' },
    });
  });
  it('guardrail_blocks: counts blocked outcomes', () => {
    const blocked = call(400, 1, {
      guardrails: [{ policy: 'pii', stage: 'input', outcome: 'blocked' }],
    });
    const counts = traffic(Array(3).fill(blocked));
    expect(
      evaluateRule(rule({ kind: 'guardrail_blocks', threshold: 3 }), inputs(counts))[0],
    ).toMatchObject({ firing: true, figure: 3 });
  });
});
