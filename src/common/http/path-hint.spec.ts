import { suggestedPath } from './path-hint';

describe('suggestedPath', () => {
  it.each([
    ['/chat/completions', '/v1/chat/completions'],
    ['/responses?x=1', '/v1/responses'],
    ['/models/groq/llama-3.3-70b-versatile', '/v1/models/groq/llama-3.3-70b-versatile'],
    ['/openai/chat/completions', '/openai/v1/chat/completions'],
    ['/groq/chat/completions', '/groq/openai/v1/chat/completions'],
    ['/groq/v1/chat/completions', '/groq/openai/v1/chat/completions'],
    ['/groq/openai/chat/completions', '/groq/openai/v1/chat/completions'],
    ['/anthropic/messages', '/anthropic/v1/messages'],
    ['/v1/messages', '/anthropic/v1/messages'],
    ['/messages/count_tokens', '/anthropic/v1/messages/count_tokens'],
    ['/v1/chat/completions/', '/v1/chat/completions'],
    ['/groq/openai/v1/models/', '/groq/openai/v1/models'],
    ['/chat/completions/', '/v1/chat/completions'],
    ['/anthropic/v1/messages/', '/anthropic/v1/messages'],
  ])('%s -> %s', (url, expected) => {
    expect(suggestedPath(url)).toBe(expected);
  });

  it.each(['/', '/v2/chat/completions', '/favicon.ico', '/v1/unknown', '/v1/unknown/'])(
    'no guess for %s',
    (url) => {
      expect(suggestedPath(url)).toBeUndefined();
    },
  );
});
