import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  const policy = { failureThreshold: 3, cooldownMs: 1000 };

  it('opens after consecutive failures, once, and says so', () => {
    const breaker = new CircuitBreaker(policy);
    expect(breaker.failure(0)).toBeUndefined();
    expect(breaker.failure(0)).toBeUndefined();
    expect(breaker.failure(0)).toBe('opened');
    expect(breaker.state(10)).toBe('open');
    expect(breaker.allows(10)).toBe(false);
  });

  it('a success resets the count', () => {
    const breaker = new CircuitBreaker(policy);
    breaker.failure(0);
    breaker.failure(0);
    expect(breaker.success()).toBeUndefined();
    breaker.failure(0);
    expect(breaker.state(0)).toBe('closed');
  });

  it('lets one probe through after the cool-down; its success closes the breaker', () => {
    const breaker = new CircuitBreaker(policy);
    for (let i = 0; i < 3; i++) breaker.failure(0);
    expect(breaker.tryProbe(999)).toBe(false);
    expect(breaker.state(1000)).toBe('half-open');
    expect(breaker.tryProbe(1000)).toBe(true);
    expect(breaker.tryProbe(1000)).toBe(false);
    expect(breaker.allows(1000)).toBe(false);
    expect(breaker.success()).toBe('closed');
    expect(breaker.state(1000)).toBe('closed');
  });

  it('a failed probe opens it for another cool-down without a second "opened"', () => {
    const breaker = new CircuitBreaker(policy);
    for (let i = 0; i < 3; i++) breaker.failure(0);
    breaker.tryProbe(1000);
    expect(breaker.failure(1000)).toBeUndefined();
    expect(breaker.state(1500)).toBe('open');
    expect(breaker.state(2000)).toBe('half-open');
  });

  it('an undecided probe lets the next one go', () => {
    const breaker = new CircuitBreaker(policy);
    for (let i = 0; i < 3; i++) breaker.failure(0);
    breaker.tryProbe(1000);
    breaker.forget();
    expect(breaker.tryProbe(1000)).toBe(true);
  });
});
