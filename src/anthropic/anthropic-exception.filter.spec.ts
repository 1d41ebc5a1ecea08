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
