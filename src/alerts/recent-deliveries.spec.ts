import type { AlertMessage } from './alert-message';
import { RecentDeliveries } from './recent-deliveries';

const message = (ruleId: string): AlertMessage => ({
  state: 'firing',
  ruleId,
  kind: 'error_rate',
  alertKey: ruleId,
  scope: { virtualKey: 'search-key' },
  summary: `${ruleId} fired`,
  unit: 'fraction',
  sinceMs: 0,
  details: {},
  source: 'test',
});

describe('RecentDeliveries', () => {
  it('keeps the newest first, bounded, with the outcome and the error', () => {
    const recent = new RecentDeliveries(2);
    recent.add(message('a'), { channel: 'slack', outcome: 'sent', attempts: 1 }, 1000);
    recent.add(
      message('b'),
      { channel: 'pd', outcome: 'failed', attempts: 3, error: 'HTTP 500' },
      2000,
    );
    recent.add(message('c'), { channel: 'pd', outcome: 'sent', attempts: 1 }, 3000);
    expect(recent.list().map((d) => d.rule)).toEqual(['c', 'b']);
    expect(recent.list()[1]).toEqual({
      time: new Date(2000).toISOString(),
      channel: 'pd',
      rule: 'b',
      kind: 'error_rate',
      state: 'firing',
      summary: 'b fired',
      scope: { virtualKey: 'search-key' },
      outcome: 'failed',
      attempts: 3,
      error: 'HTTP 500',
    });
  });
});
