import { ConfigError } from './gateway-config';
import { INTEGER_SETTINGS, integerSetting } from './integer-settings';

describe('integer settings', () => {
  it('reads the environment first, then the YAML path, then the default', () => {
    const yaml = { groq: { timeouts: { connectMs: 1500 } } };
    expect(integerSetting('UPSTREAM_CONNECT_TIMEOUT_MS', {}, yaml)).toBe(1500);
    expect(
      integerSetting('UPSTREAM_CONNECT_TIMEOUT_MS', { UPSTREAM_CONNECT_TIMEOUT_MS: '900' }, yaml),
    ).toBe(900);
    expect(integerSetting('UPSTREAM_IDLE_TIMEOUT_MS', {}, yaml)).toBe(
      INTEGER_SETTINGS.UPSTREAM_IDLE_TIMEOUT_MS.fallback,
    );
  });

  it('names the setting and its range when a value is out of it', () => {
    expect(() => integerSetting('WORKERS', { WORKERS: '0' }, {})).toThrow(
      new ConfigError('WORKERS', "must be a whole number from 1 to 64, got '0'"),
    );
  });

  it('names the YAML path when a section is not a mapping', () => {
    expect(() => integerSetting('BREAKER_COOLDOWN_MS', {}, { circuitBreaker: 3 })).toThrow(
      /GATEWAY_CONFIG circuitBreaker/,
    );
  });
});
