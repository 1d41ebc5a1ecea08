import { KeyHealth } from './key-health';

const policy = { failureThreshold: 5, cooldownMs: 30_000 };
const NOW = 1_000_000;

describe('KeyHealth', () => {
  it("rests only the model a 429 was for: Groq's rate limits are per model", () => {
    const health = new KeyHealth(policy);
    health.record(
      {
        status: 429,
        latencyMs: 5,
        headers: { 'retry-after': '30' },
        model: 'llama-3.1-8b-instant',
      },
      NOW,
    );
    expect(health.isAvailable(NOW, 0, 'llama-3.1-8b-instant')).toBe(false);
    expect(health.isAvailable(NOW, 0, 'openai/gpt-oss-20b')).toBe(true);
    expect(health.isAvailable(NOW, 0, '')).toBe(true);
    expect(health.restingUntil('llama-3.1-8b-instant')).toBe(NOW + 30_000);
    expect(health.availableAt(0, 'llama-3.1-8b-instant')).toBe(NOW + 30_000);
    expect(health.isAvailable(NOW + 30_001, 0, 'llama-3.1-8b-instant')).toBe(true);
  });

  it('reads x-ratelimit-* headers as the limits of the model that answered', () => {
    const health = new KeyHealth(policy);
    health.record(
      {
        status: 200,
        latencyMs: 5,
        headers: {
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': '1m',
          'x-ratelimit-remaining-tokens': '100',
          'x-ratelimit-limit-tokens': '6000',
          'x-ratelimit-reset-tokens': '6s',
        },
        model: 'a',
      },
      NOW,
    );
    expect(health.isRateLimited(NOW, 0, 'a')).toBe(true);
    expect(health.isRateLimited(NOW, 0, 'b')).toBe(false);
    expect(health.availableAt(0, 'a')).toBe(NOW + 60_000);
    expect(health.availableAt(0, 'b')).toBe(0);
    // The token headroom lowers the share of the model that is short of tokens, not the others.
    expect(health.healthFactor(0, 'a')).toBeLessThan(0.1);
    expect(health.healthFactor(0, 'b')).toBe(1);
  });

  it('takes a rest another replica saw for one model', () => {
    const health = new KeyHealth(policy);
    health.rest('a', NOW + 5_000);
    health.rest('a', NOW + 1_000);
    expect(health.restingUntil('a')).toBe(NOW + 5_000);
    expect(health.isAvailable(NOW, 0, 'a')).toBe(false);
    expect(health.isAvailable(NOW, 0, 'b')).toBe(true);
    expect([...health.modelLimits().keys()]).toEqual(['a']);
  });

  it('a refused key is out for every model', () => {
    const health = new KeyHealth(policy);
    health.record({ status: 401, latencyMs: 5, headers: {}, model: 'a' }, NOW);
    expect(health.isAvailable(NOW, 0, 'a')).toBe(false);
    expect(health.isAvailable(NOW, 0, 'b')).toBe(false);
  });

  it("keeps no limits for a model Groq neither served nor limited (a caller's unknown id)", () => {
    const health = new KeyHealth(policy);
    health.record({ status: 404, latencyMs: 5, headers: {}, model: 'no-such-model' }, NOW);
    health.record({ status: 200, latencyMs: 5, headers: {}, model: 'a' }, NOW);
    health.record({ status: 400, latencyMs: 5, headers: {}, model: 'a' }, NOW);
    expect([...health.modelLimits().keys()]).toEqual(['a']);
  });

  it('keeps a breaker only for a model that failed, and lets it go once the model answers again', () => {
    const health = new KeyHealth(policy);
    // The map is private: what is asserted is that callers' ids leave nothing behind.
    const breakers = () => (health as unknown as { breakers: Map<string, unknown> }).breakers;
    for (let i = 0; i < 100; i++)
      health.record({ status: 404, latencyMs: 5, headers: {}, model: `unknown-${i}` }, NOW);
    health.record({ status: 429, latencyMs: 5, headers: { 'retry-after': '1' }, model: 'b' }, NOW);
    expect(breakers().size).toBe(0);
    for (let i = 0; i < policy.failureThreshold; i++)
      health.record({ status: 503, latencyMs: 5, headers: {}, model: 'a' }, NOW);
    expect(health.trippedModels(NOW)).toEqual(['a']);
    expect(breakers().size).toBe(1);
    expect(
      health.record({ status: 200, latencyMs: 5, headers: {}, model: 'a' }, NOW + 30_000),
    ).toEqual([{ change: 'breaker-closed', model: 'a', status: 200 }]);
    expect(breakers().size).toBe(0);
    expect(health.breakerState(NOW + 30_000)).toBe('closed');
  });
});
