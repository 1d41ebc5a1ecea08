import OpenAI from 'openai';
import { caught } from './support/caught';
import { Stack, startStack } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';
const FALLBACK = { headers: { 'x-litellm-fallback': 'true' } };

describe('POST /v1/completions, converted to chat only with x-litellm-fallback', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  it('without the header: 400 unsupported_operation that says how to enable it', async () => {
    const error = await caught(stack.openai.completions.create({ model: MODEL, prompt: 'Say hi' }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe('unsupported_operation');
    expect(error.message).toContain('x-litellm-fallback: true');
    expect(stack.emulator.chatRequests()).toHaveLength(0);
  });

  it('with the header: the prompt becomes one user message and the answer a text_completion', async () => {
    const completion = await stack.openai.completions.create(
      { model: MODEL, prompt: 'Say hi', max_tokens: 50, temperature: 0.1, stop: ['\n'] },
      FALLBACK,
    );
    expect(completion.object).toBe('text_completion');
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0].text).toContain('You said: Say hi');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
    const sent = stack.emulator.chatRequests()[0].body ?? {};
    expect(sent.messages).toEqual([{ role: 'user', content: 'Say hi' }]);
    expect(sent).toMatchObject({
      model: 'llama-3.3-70b-versatile',
      max_tokens: 50,
      temperature: 0.1,
      stop: ['\n'],
    });
  });

  it('takes a prompt array of exactly one string, and n=1', async () => {
    const completion = await stack.openai.completions.create(
      { model: MODEL, prompt: ['only one'], n: 1 },
      FALLBACK,
    );
    expect(completion.choices[0].text).toContain('only one');
  });

  it('reports length as the finish reason', async () => {
    const completion = await stack.openai.completions.create(
      { model: MODEL, prompt: 'a b c d e f g', max_tokens: 2 },
      FALLBACK,
    );
    expect(completion.choices[0].finish_reason).toBe('length');
  });

  it.each([
    ['n above 1', { n: 2 }, 'n'],
    ['stream', { stream: true }, 'stream'],
    ['best_of above 1', { best_of: 3 }, 'best_of'],
    ['echo', { echo: true }, 'echo'],
    ['suffix', { suffix: 'tail' }, 'suffix'],
    ['logprobs', { logprobs: 2 }, 'logprobs'],
    ['two prompts', { prompt: ['a', 'b'] }, 'prompt'],
    ['token prompts', { prompt: [[1, 2, 3]] }, 'prompt'],
    ['a temperature above 2', { temperature: 3 }, 'temperature'],
  ])('refuses %s with a 400 naming it', async (_name, extra, param) => {
    const error = await caught(
      stack.openai.completions.create({ model: MODEL, prompt: 'x', ...extra } as never, FALLBACK),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe(param);
    expect(stack.emulator.chatRequests()).toHaveLength(0);
  });

  it("is served on the groq-sdk's surface too: /groq/openai/v1/completions, bare model ids", async () => {
    const groqSurface = new OpenAI({
      baseURL: `${stack.gateway.url}/groq/openai/v1`,
      apiKey: 'sk-client-key-not-forwarded',
      maxRetries: 0,
    });
    const completion = await groqSurface.completions.create(
      { model: 'llama-3.3-70b-versatile', prompt: 'Say hi on groq' },
      FALLBACK,
    );
    expect(completion.object).toBe('text_completion');
    expect(completion.model).toBe('llama-3.3-70b-versatile');
    expect(completion.choices[0].text).toContain('You said: Say hi on groq');
    expect(stack.emulator.chatRequests()[0].body?.model).toBe('llama-3.3-70b-versatile');
  });

  it.each([
    ['n', { n: 'x' }],
    ['best_of', { best_of: 1.5 }],
  ])('a %s that is no integer: 400 saying so', async (param, extra) => {
    const error = await caught(
      stack.openai.completions.create({ model: MODEL, prompt: 'x', ...extra } as never, FALLBACK),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe(param);
    expect(error.message).toContain(`${param} must be an integer`);
  });

  it.each(['True', 'TRUE'])('takes x-litellm-fallback: %s', async (value) => {
    const completion = await stack.openai.completions.create(
      { model: MODEL, prompt: 'any case' },
      { headers: { 'x-litellm-fallback': value } },
    );
    expect(completion.object).toBe('text_completion');
  });

  it('passes upstream errors through', async () => {
    const error = await caught(
      stack.openai.completions.create({ model: 'groq/not-a-model', prompt: 'x' }, FALLBACK),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('POST /v1/completions with the conversion on for every request', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ COMPLETIONS_CONVERT_ALWAYS: 'true' });
  });
  afterAll(() => stack.stop());

  it('converts without the header', async () => {
    const completion = await stack.openai.completions.create({ model: MODEL, prompt: 'no header' });
    expect(completion.choices[0].text).toContain('no header');
  });
});
