import { bodyLimitFor, OTHER_ROUTES_BODY_LIMIT } from './body-limits';

describe('bodyLimitFor', () => {
  const big = 8 * 1024 * 1024;
  it.each([
    '/v1/chat/completions',
    '/openai/v1/responses',
    '/groq/openai/v1/completions?x=1',
    '/anthropic/v1/messages',
    '/anthropic/v1/messages/count_tokens',
  ])('a model call (%s) takes the configured limit', (url) => {
    expect(bodyLimitFor(url, big)).toBe(big);
  });

  it.each(['/admin/keys', '/v1/chat/completions/x', '/anything'])(
    'any other route (%s) takes at most 1 MiB',
    (url) => {
      expect(bodyLimitFor(url, big)).toBe(OTHER_ROUTES_BODY_LIMIT);
      expect(bodyLimitFor(url, 4096)).toBe(4096);
    },
  );
});
