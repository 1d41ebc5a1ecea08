import { controllerSetup, type ControllerSetup } from '../test/support/controller-setup';
import { GatewayError } from './common/errors/gateway-error';
import * as answerErrorModule from './errors/answer-error';

const MODEL = 'groq/llama-3.3-70b-versatile';

/** The JSON body reader and the request hooks as the app runs them, in-process. */
describe('request bodies and call ends (in-process)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    setup = await controllerSetup({ BODY_LIMIT_BYTES: '2000' });
  });
  afterAll(() => setup.close());
  beforeEach(() => setup.forgetRecorded());

  const post = (payload: string | Buffer, headers: Record<string, string> = {}) =>
    setup.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const chatText = `{"model":"${MODEL}","messages":[{"role":"user","content":"Hi"}]}`;
  const refusal = (message: string, code: string) => ({
    error: { message, type: 'invalid_request_error', code, param: null },
  });

  it('takes a body, ends the call once with the model asked', async () => {
    const response = await post(chatText);
    expect(response.statusCode).toBe(200);
    expect(setup.groq.calls).toHaveLength(1);
    expect(setup.ended).toHaveLength(1);
    expect(setup.ended[0]).toMatchObject({ status: 200, modelAsked: MODEL, apiFamily: 'chat' });
  });

  it('drops a leading byte order mark', async () => {
    const response = await post(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(chatText)]),
    );
    expect(response.statusCode).toBe(200);
  });

  it('refuses a __proto__ key spelled with a \\u escape, before anything reaches Groq', async () => {
    const response = await post(`{"model":"${MODEL}","\\u005f_proto__":{"x":1},"messages":[]}`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(
      refusal(
        'The request body has a "__proto__" key, which the gateway refuses. Remove it.',
        'invalid_json',
      ),
    );
    expect(setup.groq.calls).toHaveLength(0);
    expect(setup.ended).toHaveLength(1);
    expect(setup.ended[0]).toMatchObject({ status: 400, errorCode: 'invalid_json' });
  });

  it('refuses invalid UTF-8 and a body over the limit, each with its status', async () => {
    const badUtf8 = await post(
      Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    );
    expect(badUtf8.statusCode).toBe(400);
    expect(badUtf8.json()).toEqual(refusal('The request body is not valid UTF-8.', 'invalid_json'));
    const large = await post(
      `{"model":"${MODEL}","messages":[{"role":"user","content":"${'x'.repeat(3000)}"}]}`,
    );
    expect(large.statusCode).toBe(413);
    expect(large.json()).toEqual({
      error: {
        message: 'The request body is larger than 2000 bytes, the most this route takes.',
        type: 'invalid_request_error',
        code: 'request_too_large',
        param: null,
      },
    });
    expect(setup.groq.calls).toHaveLength(0);
    expect(setup.ended.map((call) => call.status)).toEqual([400, 413]);
  });

  describe('a body that is not JSON', () => {
    afterEach(() => jest.restoreAllMocks());

    const unsupportedMediaType = {
      error: {
        message:
          'Unsupported Content-Type. Send the request body as JSON with Content-Type: application/json.',
        type: 'invalid_request_error',
        code: 'unsupported_media_type',
        param: null,
      },
    };

    it.each([
      ['plain text', 'text/plain', 'hello'],
      ['a form, anywhere but the SAML ACS', 'application/x-www-form-urlencoded', 'a=b'],
      ['any other type', 'application/octet-stream', 'hello'],
    ])(
      'refuses %s with a typed 415, before anything reaches Groq',
      async (_name, contentType, payload) => {
        const answerError = jest.spyOn(answerErrorModule, 'answerError');
        const response = await post(payload, { 'content-type': contentType });
        expect(response.statusCode).toBe(415);
        expect(response.json()).toEqual(unsupportedMediaType);
        // The exception filter is handed the gateway's own error, not a plain Error it must
        // recognise by its status.
        expect(answerError).toHaveBeenCalledTimes(1);
        const thrown = answerError.mock.calls[0][0];
        expect(thrown).toBeInstanceOf(GatewayError);
        expect((thrown as GatewayError).toEnvelope()).toEqual(unsupportedMediaType);
        expect(setup.groq.calls).toHaveLength(0);
        expect(setup.ended[0]).toMatchObject({ status: 415, errorCode: 'unsupported_media_type' });
      },
    );

    it('answers a Content-Type Fastify cannot parse (its own 415) with the same body', async () => {
      const response = await post(chatText, { 'content-type': 'json' });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toEqual(unsupportedMediaType);
      expect(setup.groq.calls).toHaveLength(0);
    });
  });
});
