import { controllerSetup, type ControllerSetup } from '../../test/support/controller-setup';
import { GatewayError } from '../common/errors/gateway-error';

const MESSAGE = { model: 'groq/llama-3.3-70b-versatile', max_tokens: 20 };
const HI = [{ role: 'user', content: 'Hi' }];

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
    expect(response.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.any(String) },
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
    expect(response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
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
    [404, 'not_found_error', { method: 'GET', url: '/anthropic/v1/nothing' }],
    [
      413,
      'request_too_large',
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
      {
        method: 'POST',
        url: '/anthropic/v1/messages',
        headers: { 'content-type': 'text/plain' },
        payload: 'hi',
      },
    ],
  ] as const)(
    "answers %d on the Anthropic path in Anthropic's envelope",
    async (status, type, request) => {
      const response = await setup.inject(request);
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual({
        type: 'error',
        error: { type, message: expect.any(String) },
      });
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
    expect(notJson.json().error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_json',
    });
    const wrongMethod = await setup.inject({ method: 'GET', url: '/v1/chat/completions' });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.json().error).toMatchObject({ code: 'method_not_allowed' });
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
