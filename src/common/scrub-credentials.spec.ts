import { scrubCredentials } from './scrub-credentials';

describe('scrubCredentials', () => {
  it('replaces Groq keys, bearer and basic tokens, and known secrets', () => {
    expect(scrubCredentials('Invalid API Key provided: gsk_testkeyAAAA1111')).toBe(
      'Invalid API Key provided: gsk_[redacted]',
    );
    expect(scrubCredentials('proxy error for Authorization: Bearer abc.def-123')).toBe(
      'proxy error for Authorization: Bearer [redacted]',
    );
    expect(scrubCredentials('basic dXNlcjpwYXNz rejected')).toBe('basic [redacted] rejected');
    expect(scrubCredentials('key sk-live-123456789 refused', ['sk-live-123456789'])).toBe(
      'key [redacted] refused',
    );
  });

  it('leaves ordinary text alone, and short "secrets" too', () => {
    const text = "'messages' : minimum number of items is 1; the bearer of bad news";
    expect(scrubCredentials(text, ['abc'])).toBe(text);
  });
});
