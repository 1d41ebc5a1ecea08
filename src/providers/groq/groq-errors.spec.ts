import { groqHttpError, groqStreamError } from './groq-errors';

describe('groqHttpError', () => {
  it("keeps status, message, type and code of Groq's envelope", () => {
    const error = groqHttpError(
      404,
      {},
      JSON.stringify({
        error: {
          message: 'The model `x` does not exist',
          type: 'invalid_request_error',
          code: 'model_not_found',
        },
      }),
    );
    expect(error.status).toBe(404);
    expect(error.toEnvelope()).toEqual({
      error: {
        message: 'The model `x` does not exist',
        type: 'invalid_request_error',
        code: 'model_not_found',
        param: null,
      },
    });
  });

  it('keeps retry-after and rate-limit headers, and nothing else', () => {
    const error = groqHttpError(
      429,
      {
        'retry-after': '7',
        'x-ratelimit-remaining-tokens': '0',
        'set-cookie': 'x',
        'x-groq-region': 'fra',
      },
      '{"error":{"message":"slow down","type":"tokens","code":"rate_limit_exceeded"}}',
    );
    expect(error.headers).toEqual({ 'retry-after': '7', 'x-ratelimit-remaining-tokens': '0' });
  });

  it('keeps failed_generation for JSON-mode and tool failures', () => {
    const error = groqHttpError(
      400,
      {},
      '{"error":{"message":"bad json","type":"invalid_request_error","code":"json_validate_failed","failed_generation":"{oops"}}',
    );
    expect(error.toEnvelope().error.failed_generation).toBe('{oops');
  });

  it('gives a readable message for a body that is not JSON', () => {
    const error = groqHttpError(502, {}, '<html>Bad Gateway</html>');
    expect(error.message).toBe('Groq answered with a non-JSON error: <html>Bad Gateway</html>');
    expect(error.code).toBe('upstream_error');
    expect(error.type).toBe('api_error');
  });

  it('keeps a code Groq documents nowhere out of the union, but still shows it', () => {
    const error = groqHttpError(
      400,
      {},
      '{"error":{"message":"new rule","type":"brand_new_type","code":"brand_new_code"}}',
    );
    expect(error.toEnvelope()).toEqual({
      error: {
        message: 'new rule',
        type: 'invalid_request_error',
        code: null,
        param: null,
        upstream_code: 'brand_new_code',
      },
    });
    expect(groqHttpError(500, {}, '{"error":{"message":"x","code":"odd"}}').code).toBe(
      'upstream_error',
    );
  });

  it('gives a message for an empty body', () => {
    expect(groqHttpError(503, {}, '').message).toBe('Groq answered 503 without an error message.');
  });
});

describe('groqStreamError', () => {
  it("reads Groq's in-stream error event with its status_code", () => {
    const error = groqStreamError(
      '{"error":{"message":"overloaded","type":"internal_server_error","status_code":503}}',
    );
    expect(error.status).toBe(503);
    expect(error.message).toBe('overloaded');
  });
});
