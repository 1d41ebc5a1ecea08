import { GatewayError } from '../../common/errors/gateway-error';
import { isRetryable, retryDelayMs, warrantsFallback } from './retry-policy';

const policy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

describe('retry policy', () => {
  it.each([429, 500, 502, 503, 504])('%i is retryable', (status) => {
    expect(isRetryable(new GatewayError({ status, message: 'x' }))).toBe(true);
  });

  it.each([400, 401, 403, 404, 413, 422])('%i is not', (status) => {
    expect(isRetryable(new GatewayError({ status, message: 'x' }))).toBe(false);
  });

  it('falls back for retired and unknown models, not for bad requests', () => {
    expect(
      warrantsFallback(
        new GatewayError({ status: 400, message: 'x', code: 'model_decommissioned' }),
      ),
    ).toBe(true);
    expect(
      warrantsFallback(new GatewayError({ status: 404, message: 'x', code: 'model_not_found' })),
    ).toBe(true);
    expect(warrantsFallback(new GatewayError({ status: 400, message: 'x' }))).toBe(false);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(retryDelayMs(policy, 1, undefined, false, () => 1)).toBe(100);
    expect(retryDelayMs(policy, 3, undefined, false, () => 1)).toBe(400);
    expect(retryDelayMs(policy, 3, undefined, false, () => 0)).toBe(200);
    expect(retryDelayMs(policy, 10, undefined, false, () => 1)).toBe(1000);
  });

  it('waits at least retry-after on the same key, but not when another key is ready', () => {
    expect(retryDelayMs(policy, 1, 3000, false, () => 1)).toBe(3000);
    expect(retryDelayMs(policy, 1, 3000, true, () => 1)).toBe(100);
  });
});
