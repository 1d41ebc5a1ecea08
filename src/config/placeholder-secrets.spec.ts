import { ConfigError } from './gateway-config';
import {
  isPlaceholderSecret,
  refusePlaceholder,
  refusePlaceholderGroqKeys,
} from './placeholder-secrets';

describe('placeholder secrets', () => {
  it.each([
    'REPLACE_WITH_A_LONG_RANDOM_ADMIN_KEY',
    'REPLACE_WITH_GROQ_KEY',
    'replace-me',
    '<your-admin-key>',
    '${GATEWAY_ADMIN_KEY}',
    'changeme',
    'your_api_key',
    'gsk_...',
    'gsk_your_key_here',
  ])('%s is a placeholder', (value) => {
    expect(isPlaceholderSecret(value)).toBe(true);
  });

  it.each([
    'gsk_e2e_gateway_key_0123456789',
    'q8Jc1z0R9mN3vT6yU2wX5aB7dF4hK0lP',
    'admin-key-0123456789',
  ])('%s is not', (value) => {
    expect(isPlaceholderSecret(value)).toBe(false);
  });

  it('refuses one with a line naming the setting, never the value', () => {
    expect(() => refusePlaceholder('GATEWAY_ADMIN_KEY_FILE', 'REPLACE_WITH_X')).toThrow(
      ConfigError,
    );
    expect(() => refusePlaceholder('GATEWAY_ADMIN_KEY_FILE', 'REPLACE_WITH_X')).not.toThrow(
      /REPLACE_WITH_X/,
    );
    expect(() => refusePlaceholder('GATEWAY_ADMIN_KEY', undefined)).not.toThrow();
  });

  it('checks Groq keys, naming where they came from', () => {
    const keys = [{ key: 'gsk_real' }, { key: 'REPLACE_WITH_GROQ_KEY' }];
    expect(() => refusePlaceholderGroqKeys(keys, { GROQ_API_KEYS: 'x' })).toThrow(
      /^GROQ_API_KEYS: /,
    );
    expect(() => refusePlaceholderGroqKeys(keys, {})).toThrow(/^GATEWAY_CONFIG groq\.keys\[1\]: /);
    expect(() => refusePlaceholderGroqKeys([{ key: 'gsk_real' }], {})).not.toThrow();
  });
});
