import { governanceUnavailable } from './governance-errors';

describe('governance_unavailable says what cannot be done without the store', () => {
  it('names the closed policy only for a refused admission, which only that policy refuses', () => {
    expect(governanceUnavailable('limits').message).toContain('GOVERNANCE_ON_STORE_FAILURE=closed');
    // A key lookup and the admin API need the store whatever the policy: no claim about it.
    for (const what of ['key', 'admin'] as const) {
      const refusal = governanceUnavailable(what);
      expect(refusal.message).not.toContain('GOVERNANCE_ON_STORE_FAILURE');
      expect(refusal.message).not.toContain('refuse requests');
      expect(refusal).toMatchObject({ status: 503, code: 'governance_unavailable' });
    }
    expect(governanceUnavailable('key').message).toContain('virtual key');
    expect(governanceUnavailable('admin').message).toContain('admin request');
  });
});
