import { controllerSetup, type ControllerSetup } from '../../test/support/controller-setup';

const unsupported = (operation: string) => ({
  error: {
    message: `${operation} is not supported by groq provider`,
    type: 'invalid_request_error',
    code: 'unsupported_operation',
    param: null,
  },
});

describe('UnsupportedController (in-process)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    setup = await controllerSetup();
  });
  afterAll(() => setup.close());
  beforeEach(() => setup.forgetRecorded());

  it.each([
    ['POST', '/v1/embeddings', 'embeddings'],
    ['POST', '/openai/v1/images/generations', 'images'],
    ['POST', '/groq/openai/v1/images/edits', 'images'],
    ['POST', '/v1/audio/speech', 'audio speech'],
    ['POST', '/openai/v1/audio/transcriptions', 'audio transcriptions'],
    ['POST', '/groq/openai/v1/audio/translations', 'audio translations'],
    ['GET', '/v1/files', 'files'],
    ['POST', '/v1/files', 'files'],
    ['GET', '/v1/files/file-1/content', 'files'],
    ['DELETE', '/openai/v1/files/file-1', 'files'],
    ['GET', '/v1/batches', 'batches'],
    ['POST', '/groq/openai/v1/batches/batch_1/cancel', 'batches'],
  ] as const)('answers %s %s 400 unsupported_operation', async (method, url, operation) => {
    const response = await setup.inject({ method, url });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(unsupported(operation));
    expect(setup.groq.calls).toHaveLength(0);
    expect(setup.ended[0]).toMatchObject({ status: 400, errorCode: 'unsupported_operation' });
  });

  it.each([
    [
      'a multipart audio upload',
      '/v1/audio/transcriptions',
      'multipart/form-data; boundary=b',
      '--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF\r\n--b--\r\n',
      'audio transcriptions',
    ],
    ['malformed JSON', '/v1/embeddings', 'application/json', '{"input":', 'embeddings'],
    ['plain text', '/v1/images/generations', 'text/plain', 'a cat', 'images'],
    ['a form', '/v1/files', 'application/x-www-form-urlencoded', 'purpose=batch', 'files'],
  ])(
    'answers %s the same way: the body is never read, so it cannot be refused first',
    async (_name, url, contentType, payload, operation) => {
      const response = await setup.inject({
        method: 'POST',
        url,
        headers: { 'content-type': contentType },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(unsupported(operation));
    },
  );
});
