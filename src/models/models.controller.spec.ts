import { GatewayError } from '../common/errors/gateway-error';
import { controllerSetup, type ControllerSetup } from '../../test/support/controller-setup';

/** Groq's model list as Groq answers it (its fields, its ids). */
const GROQ_MODELS = [
  {
    id: 'openai/gpt-oss-120b',
    object: 'model',
    created: 1_754_408_224,
    owned_by: 'OpenAI',
    active: true,
    context_window: 131_072,
    public_apps: null,
    max_completion_tokens: 65_536,
  },
  {
    id: 'llama-3.3-70b-versatile',
    object: 'model',
    created: 1_733_447_754,
    owned_by: 'Meta',
    active: true,
    context_window: 131_072,
    public_apps: null,
    max_completion_tokens: 32_768,
  },
  {
    id: 'groq/compound',
    object: 'model',
    created: 1_756_949_530,
    owned_by: 'Groq',
    active: true,
    context_window: 131_072,
    public_apps: null,
    max_completion_tokens: 8_192,
  },
];

const [GPT_OSS, LLAMA, COMPOUND] = GROQ_MODELS;
/** llama-3.3-70b-versatile is in the gateway's table of retirements (groq-retirements.ts). */
const LLAMA_RETIREMENT = { shutdown_date: '2026-08-16' };

/** Every other field as Groq gave it. */
const GATEWAY_MODELS = [
  { ...GPT_OSS, id: 'groq/openai/gpt-oss-120b' },
  {
    ...LLAMA,
    id: 'groq/llama-3.3-70b-versatile',
    ...LLAMA_RETIREMENT,
    successor: 'groq/openai/gpt-oss-120b',
  },
  // Groq's own groq/ ids are not prefixed again.
  COMPOUND,
];

describe('ModelsController (in-process)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    // No cache: each request reads the stub's list.
    setup = await controllerSetup({ MODELS_CACHE_TTL_MS: '0' });
    setup.groq.models = GROQ_MODELS;
  });
  afterAll(() => setup.close());
  beforeEach(() => (setup.ended.length = 0));

  const get = (url: string) => setup.inject({ method: 'GET', url });

  it("lists Groq's models under the gateway's ids, retirements marked", async () => {
    for (const url of ['/v1/models', '/openai/v1/models']) {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ object: 'list', data: GATEWAY_MODELS });
    }
  });

  it("lists Groq's own ids to the groq-sdk drop-in", async () => {
    const response = await get('/groq/openai/v1/models');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      object: 'list',
      data: [
        GPT_OSS,
        { ...LLAMA, ...LLAMA_RETIREMENT, successor: 'openai/gpt-oss-120b' },
        COMPOUND,
      ],
    });
  });

  it.each([
    ['its gateway id', '/v1/models/groq/openai/gpt-oss-120b'],
    ['its gateway id URL-encoded', '/v1/models/groq%2Fopenai%2Fgpt-oss-120b'],
    ["Groq's id", '/openai/v1/models/openai/gpt-oss-120b'],
  ])('retrieves a model by %s', async (_name, url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(GATEWAY_MODELS[0]);
  });

  it("retrieves a model by Groq's id on the groq-sdk drop-in", async () => {
    const response = await get('/groq/openai/v1/models/openai/gpt-oss-120b');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(GPT_OSS);
  });

  it('answers an unknown model 404 model_not_found', async () => {
    const response = await get('/v1/models/groq/no-such-model');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: {
        message: 'The model `groq/no-such-model` does not exist or you do not have access to it.',
        type: 'invalid_request_error',
        code: 'model_not_found',
        param: 'model',
      },
    });
    expect(setup.ended[0]).toMatchObject({ status: 404, errorCode: 'model_not_found' });
  });

  it("answers Groq's failure to list with its status and envelope", async () => {
    const unreachable = new GatewayError({
      status: 502,
      message: 'The groq upstream could not be reached.',
      type: 'api_error',
      code: 'upstream_unreachable',
    });
    setup.groq.failures.push(unreachable);
    const response = await get('/v1/models');
    expect(response.statusCode).toBe(502);
    expect(response.json()).toEqual({
      error: {
        message: 'The groq upstream could not be reached.',
        type: 'api_error',
        code: 'upstream_unreachable',
        param: null,
      },
    });
  });
});

describe('ModelsController, cached (in-process)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    setup = await controllerSetup();
  });
  afterAll(() => setup.close());

  it('asks Groq once while the list is cached, and does not cache a failure', async () => {
    const listModels = jest.spyOn(setup.groq, 'listModels');
    setup.groq.failures.push(
      new GatewayError({ status: 503, message: 'busy', type: 'api_error', code: 'upstream_error' }),
    );
    const get = () => setup.inject({ method: 'GET', url: '/v1/models' });
    expect((await get()).statusCode).toBe(503);
    const answers = [await get(), await get()];
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200]);
    expect(answers[1].json()).toEqual(answers[0].json());
    expect(listModels).toHaveBeenCalledTimes(2);
  });
});
