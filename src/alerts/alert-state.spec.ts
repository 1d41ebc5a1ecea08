import type { RuleConfig } from '../config/alerts-config';
import { stepAlert, type AlertState } from './alert-state';
import type { Observation } from './rules/observation';

const rule = { id: 'errors', kind: 'error_rate', cooldownMs: 60_000 } as RuleConfig;
const seen = (firing: boolean, figure = 0.1): Observation => ({
  alertKey: 'errors',
  scope: {},
  firing,
  figure,
  threshold: 0.05,
  unit: 'fraction',
  summary: `rate ${figure}`,
  details: {},
});

describe('stepAlert', () => {
  it('fires once when the condition starts, and resolves once when it ends', () => {
    const fired = stepAlert(rule, undefined, seen(true), 1_000);
    expect(fired.send).toBe('firing');
    expect(fired.next).toMatchObject({ state: 'firing', sinceMs: 1_000 });
    const still = stepAlert(rule, fired.next, seen(true, 0.2), 2_000);
    expect(still.send).toBeUndefined();
    expect(still.next).toMatchObject({ state: 'firing', sinceMs: 1_000, figure: 0.2 });
    const resolved = stepAlert(rule, still.next, seen(false, 0.01), 3_000);
    expect(resolved.send).toBe('resolved');
    expect(resolved.next).toMatchObject({ state: 'ok', resolvedAtMs: 3_000, sinceMs: 1_000 });
  });

  it('does not fire again within the cooldown after a resolve, and does after it', () => {
    const resolved: AlertState = {
      ...stepAlert(rule, undefined, seen(false), 0).next,
      state: 'ok',
      resolvedAtMs: 10_000,
    };
    expect(stepAlert(rule, resolved, seen(true), 69_999).send).toBeUndefined();
    expect(stepAlert(rule, resolved, seen(true), 70_000).send).toBe('firing');
  });

  it('keeps the time the signal knows the condition began', () => {
    const fired = stepAlert(rule, undefined, { ...seen(true), sinceMs: 400 }, 1_000);
    expect(fired.next.sinceMs).toBe(400);
  });
});
