import { controllerSetup, type ControllerSetup } from '../../test/support/controller-setup';

const MODEL = 'groq/llama-3.3-70b-versatile';
const CONVERT = { 'x-litellm-fallback': 'true' };

/** The stub's chat completion, answered as a text completion. */
const TEXT_COMPLETION = {
  id: 'cmpl-stub',
  object: 'text_completion',
  created: 1_700_000_000,
  model: MODEL,
  choices: [{ text: 'Hello from the stub', index: 0, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
};

const refusal = (message: string, param: string | null, code: string | null = null) => ({
  error: { message, type: 'invalid_request_error', code, param },
});

const NOT_ASKED = refusal(
  "text completions is not supported by groq provider. Send the header 'x-litellm-fallback: true' to have the gateway convert the request to a chat completion (n=1, no streaming), or use /v1/chat/completions.",
  null,
  'unsupported_operation',
);

describe('CompletionsController (in-process, real validation)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    setup = await controllerSetup();
  });
  afterAll(() => setup.close());
  beforeEach(() => setup.forgetRecorded());

  const post = (payload: object, headers: Record<string, string> = CONVERT) =>
    setup.inject({ method: 'POST', url: '/v1/completions', payload, headers });

  it('converts the prompt to one user message and answers a text completion', async () => {
    const response = await post({
      model: MODEL,
      prompt: 'Say hi',
      max_tokens: 20,
      stop: ['\n'],
      n: 1,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(TEXT_COMPLETION);
    expect(setup.groq.calls).toHaveLength(1);
    expect(setup.groq.calls[0].body).toEqual({
      model: 'llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'Say hi' }],
      stream: false,
      max_tokens: 20,
      stop: ['\n'],
    });
    expect(setup.ended[0]).toMatchObject({ status: 200, apiFamily: 'completions' });
  });

  it('takes a prompt given as an array of one string, under every path prefix', async () => {
    for (const url of ['/openai/v1/completions', '/groq/openai/v1/completions']) {
      const response = await setup.inject({
        method: 'POST',
        url,
        headers: CONVERT,
        payload: { model: MODEL, prompt: ['Say hi'] },
      });
      expect(response.statusCode).toBe(200);
    }
    expect(setup.groq.calls.map((call) => call.body.messages)).toEqual([
      [{ role: 'user', content: 'Say hi' }],
      [{ role: 'user', content: 'Say hi' }],
    ]);
  });

  it.each([
    ['no x-litellm-fallback header', {}],
    ['x-litellm-fallback: false', { 'x-litellm-fallback': 'false' }],
    ['x-litellm-fallback: 1', { 'x-litellm-fallback': '1' }],
  ])('refuses a call with %s, saying how to ask for the conversion', async (_name, headers) => {
    const response = await post({ model: MODEL, prompt: 'Say hi' }, headers);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(NOT_ASKED);
    expect(setup.groq.calls).toHaveLength(0);
    expect(setup.ended[0]).toMatchObject({ status: 400, errorCode: 'unsupported_operation' });
  });

  it('refuses a call without the header before it validates the body', async () => {
    const response = await post({ model: MODEL }, {});
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(NOT_ASKED);
  });

  it('takes the header in any letter case', async () => {
    const response = await post(
      { model: MODEL, prompt: 'Say hi' },
      { 'x-litellm-fallback': 'True' },
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(TEXT_COMPLETION);
  });

  it.each([
    [
      'no model',
      { prompt: 'Say hi' },
      refusal('model is required, e.g. groq/openai/gpt-oss-120b', 'model'),
    ],
    [
      'no prompt',
      { model: MODEL },
      refusal('prompt must be a string or an array of one string', 'prompt'),
    ],
    [
      'max_tokens of 0',
      { model: MODEL, prompt: 'Say hi', max_tokens: 0 },
      refusal('max_tokens must not be less than 1', 'max_tokens'),
    ],
    [
      'n of 2',
      { model: MODEL, prompt: 'Say hi', n: 2 },
      refusal('n must be 1: the chat conversion returns one choice', 'n'),
    ],
    [
      'best_of of 3',
      { model: MODEL, prompt: 'Say hi', best_of: 3 },
      refusal('best_of must be 1: the chat conversion cannot rank several generations', 'best_of'),
    ],
    [
      'stream: true',
      { model: MODEL, prompt: 'Say hi', stream: true },
      refusal(
        'stream is not supported for converted text completions; use /v1/chat/completions to stream',
        'stream',
      ),
    ],
    [
      'echo: true',
      { model: MODEL, prompt: 'Say hi', echo: true },
      refusal('echo is not supported for converted text completions', 'echo'),
    ],
    [
      'a suffix',
      { model: MODEL, prompt: 'Say hi', suffix: '!' },
      refusal('suffix is not supported for converted text completions', 'suffix'),
    ],
    [
      'logprobs',
      { model: MODEL, prompt: 'Say hi', logprobs: 2 },
      refusal('logprobs is not supported by the groq provider', 'logprobs'),
    ],
    [
      'two prompts',
      { model: MODEL, prompt: ['a', 'b'] },
      refusal(
        'prompt must be a string or an array of exactly one string, got 2 items: send one request per prompt',
        'prompt',
      ),
    ],
    [
      'a token-id prompt',
      { model: MODEL, prompt: [[1, 2, 3]] },
      refusal('prompt must be text; token-id prompts are not supported', 'prompt'),
    ],
  ])(
    'refuses %s with a 400 naming the field, before any upstream call',
    async (_name, body, expected) => {
      const response = await post(body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(expected);
      expect(setup.groq.calls).toHaveLength(0);
    },
  );
});

describe('CompletionsController with COMPLETIONS_CONVERT_ALWAYS (in-process)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    setup = await controllerSetup({ COMPLETIONS_CONVERT_ALWAYS: 'true' });
  });
  afterAll(() => setup.close());

  it('converts a call without the header', async () => {
    const response = await setup.inject({
      method: 'POST',
      url: '/v1/completions',
      payload: { model: MODEL, prompt: 'Say hi' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(TEXT_COMPLETION);
    expect(setup.groq.calls).toHaveLength(1);
  });
});
