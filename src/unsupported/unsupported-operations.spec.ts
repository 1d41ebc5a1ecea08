import { isUnsupportedOperationUrl, unsupportedRoutePaths } from './unsupported-operations';

describe('isUnsupportedOperationUrl', () => {
  it('knows the unsupported operations under every prefix, with or without a query', () => {
    for (const url of [
      '/v1/embeddings',
      '/openai/v1/images/generations',
      '/groq/openai/v1/audio/transcriptions',
      '/v1/audio/speech?x=1',
      '/v1/files/file-1/content',
      '//v1/batches',
    ])
      expect(isUnsupportedOperationUrl(url)).toBe(true);
  });

  it('leaves the served routes and look-alikes alone', () => {
    for (const url of [
      '/v1/chat/completions',
      '/v1/responses',
      '/anthropic/v1/messages',
      '/v1/embeddingsx',
      '/v2/embeddings',
      '/x/v1/embeddings',
      '/v1/audio/other',
      '/health/live?next=/v1/embeddings',
    ])
      expect(isUnsupportedOperationUrl(url)).toBe(false);
  });

  it('lists each operation under every prefix', () => {
    expect(unsupportedRoutePaths(['embeddings'])).toEqual([
      'v1/embeddings',
      'openai/v1/embeddings',
      'groq/openai/v1/embeddings',
    ]);
  });
});
