import { controllerSetup, type ControllerSetup } from '../../test/support/controller-setup';
import { GatewayError } from '../common/errors/gateway-error';

const MESSAGE = { model: 'groq/llama-3.3-70b-versatile', max_tokens: 20 };
const HI = [{ role: 'user', content: 'Hi' }];

/** What the gateway says of the truncated body `{"model":`: JSON.parse's own words, from this Node. */
const NOT_JSON = `The request body is not valid JSON: ${jsonParseError('{"model":')}.`;

function jsonParseError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} parsed`);
}

describe('exception filters, one per transport (in-process)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    setup = await controllerSetup();
  });
  afterAll(() => setup.close());

  it("answers a refused Anthropic call in Anthropic's envelope", async () => {
    const response = await setup.inject({
      method: 'POST',
      url: '/anthropic/v1/messages',
      payload: { ...MESSAGE, messages: [{ role: 'user', content: [{ type: 'image' }] }] },
    });
    expect(response.statusCode).toBe(400);
    // Anthropic's envelope has no param: the message names the block.
    expect(response.json()).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message:
          'image blocks are not supported by the groq provider through this gateway. Remove the image or describe it in text. (messages[0].content[0])',
      },
    });
  });

  it("answers an upstream failure on the Anthropic path with Anthropic's type for the status", async () => {
    setup.groq.failures.push(
      new GatewayError({
        status: 413,
        message: 'Request too large for the per-minute token limit',
        type: 'tokens',
        code: 'rate_limit_exceeded',
      }),
    );
    const response = await setup.inject({
      method: 'POST',
      url: '/anthropic/v1/messages',
      payload: { ...MESSAGE, messages: HI },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({
      type: 'error',
      error: {
        type: 'request_too_large',
        message: 'Request too large for the per-minute token limit',
      },
    });
  });

  it("answers a body that is not JSON on the Anthropic path in Anthropic's envelope too (before routing)", async () => {
    const response = await setup.inject({
      method: 'POST',
      url: '/anthropic/v1/messages',
      headers: { 'content-type': 'application/json' },
      payload: '{"model":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: NOT_JSON },
    });
  });

  it("answers a wrong method on the Anthropic path in Anthropic's envelope (refused before routing)", async () => {
    for (const [method, url] of [
      ['GET', '/anthropic/v1/messages'],
      ['PUT', '/anthropic/v1/messages/count_tokens'],
    ] as const) {
      const response = await setup.inject({ method, url });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.json()).toEqual({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: `${method} is not allowed on ${url}. Use POST.`,
        },
      });
    }
  });

  it.each([
    [
      404,
      'not_found_error',
      'Unknown request URL: GET /anthropic/v1/nothing. Please check the URL and method.',
      { method: 'GET', url: '/anthropic/v1/nothing' },
    ],
    [
      413,
      'request_too_large',
      // BODY_LIMIT_BYTES' default: a model call takes all of it.
      'The request body is larger than 4194304 bytes, the most this route takes.',
      {
        method: 'POST',
        url: '/anthropic/v1/messages',
        headers: { 'content-type': 'application/json' },
        payload: `"${'a'.repeat(5 * 1024 * 1024)}"`,
      },
    ],
    [
      415,
      'invalid_request_error',
      'Unsupported Content-Type. Send the request body as JSON with Content-Type: application/json.',
      {
        method: 'POST',
        url: '/anthropic/v1/messages',
        headers: { 'content-type': 'text/plain' },
        payload: 'hi',
      },
    ],
  ] as const)(
    "answers %d on the Anthropic path in Anthropic's envelope",
    async (status, type, message, request) => {
      const response = await setup.inject(request);
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual({ type: 'error', error: { type, message } });
    },
  );

  it("answers everything else in OpenAI's envelope", async () => {
    const notJson = await setup.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      payload: '{"model":',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toEqual({
      error: {
        message: NOT_JSON,
        type: 'invalid_request_error',
        code: 'invalid_json',
        param: null,
      },
    });
    const wrongMethod = await setup.inject({ method: 'GET', url: '/v1/chat/completions' });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
    expect(wrongMethod.json()).toEqual({
      error: {
        message: 'GET is not allowed on /v1/chat/completions. Use POST.',
        type: 'invalid_request_error',
        code: 'method_not_allowed',
        param: null,
      },
    });
    const unknown = await setup.inject({ method: 'GET', url: '/v1/nothing' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      error: {
        message: 'Unknown request URL: GET /v1/nothing. Please check the URL and method.',
        type: 'invalid_request_error',
        code: 'unknown_url',
        param: null,
      },
    });
  });
});
