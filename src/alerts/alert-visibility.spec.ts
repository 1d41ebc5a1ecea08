import { alertVisible } from './alert-visibility';

const teamOf = (key: string) => ({ 'search-key': 'search', 'ads-key': 'ads' })[key];

describe('alertVisible', () => {
  it('shows every alert to callers who see every team', () => {
    expect(alertVisible({ virtualKey: 'ads-key' }, undefined, teamOf)).toBe(true);
    expect(alertVisible({ virtualKey: 'no-team-key' }, undefined, teamOf)).toBe(true);
  });
  it("shows a developer gateway-wide alerts and its own teams' keys only", () => {
    expect(alertVisible({}, ['search'], teamOf)).toBe(true);
    expect(alertVisible({ store: 'redis' }, ['search'], teamOf)).toBe(true);
    expect(alertVisible({ keyId: 'key-1' }, ['search'], teamOf)).toBe(true);
    expect(alertVisible({ virtualKey: 'search-key' }, ['search'], teamOf)).toBe(true);
    expect(alertVisible({ virtualKey: 'ads-key' }, ['search'], teamOf)).toBe(false);
    expect(alertVisible({ virtualKey: 'no-team-key' }, ['search'], teamOf)).toBe(false);
    expect(alertVisible({ virtualKey: 'search-key' }, [], teamOf)).toBe(false);
  });
  it("shows a developer its own teams' budgets, not another team's", () => {
    expect(alertVisible({ team: 'search' }, ['search'], teamOf)).toBe(true);
    expect(alertVisible({ team: 'ads' }, ['search'], teamOf)).toBe(false);
    expect(alertVisible({ team: 'ads' }, undefined, teamOf)).toBe(true);
  });
});
