import OpenAI from 'openai';
import { Stack, startStack } from './support/stack';

describe('GET /v1/models through the official openai client', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ MODELS_CACHE_TTL_MS: '60000' });
  });
  afterAll(() => stack.stop());

  it("lists Groq's models as groq/<id> with Groq's fields", async () => {
    const models = [];
    for await (const model of stack.openai.models.list()) models.push(model);
    const ids = models.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'groq/llama-3.3-70b-versatile',
        'groq/openai/gpt-oss-120b',
        'groq/qwen/qwen3-32b',
      ]),
    );
    expect(ids.every((id) => id.startsWith('groq/'))).toBe(true);
    const llama = models.find((m) => m.id === 'groq/llama-3.3-70b-versatile') as unknown as Record<
      string,
      unknown
    >;
    expect(llama).toMatchObject({
      object: 'model',
      owned_by: 'Meta',
      active: true,
      context_window: 131072,
    });
  });

  it('retrieves a model whose id holds slashes, raw or encoded, and by its bare Groq id', async () => {
    const model = await stack.openai.models.retrieve('groq/openai/gpt-oss-120b');
    expect(model.id).toBe('groq/openai/gpt-oss-120b');
    const encoded = await fetch(
      `${stack.gateway.url}/v1/models/${encodeURIComponent('groq/qwen/qwen3-32b')}`,
    );
    expect(((await encoded.json()) as { id: string }).id).toBe('groq/qwen/qwen3-32b');
    const bare = await fetch(`${stack.gateway.url}/v1/models/llama-3.1-8b-instant`);
    expect(((await bare.json()) as { id: string }).id).toBe('groq/llama-3.1-8b-instant');
  });

  it('answers 404 model_not_found for an unknown model', async () => {
    await expect(stack.openai.models.retrieve('groq/nope')).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });

  it('caches the list: calls within the TTL make no upstream request', async () => {
    stack.emulator.reset();
    await Promise.all([
      stack.openai.models.list(),
      stack.openai.models.list(),
      stack.openai.models.retrieve('groq/llama-3.1-8b-instant'),
    ]);
    await stack.openai.models.list();
    expect(stack.emulator.received.filter((r) => r.path === '/openai/v1/models')).toHaveLength(0);
  });
});

describe('models cache expiry and upstream failures', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ MODELS_CACHE_TTL_MS: '0' });
  });
  afterAll(() => stack.stop());

  it('asks Groq again once the cache has expired, and does not cache a failure', async () => {
    stack.emulator.queueFaults('503');
    const failed = await fetch(`${stack.gateway.url}/v1/models`);
    expect(failed.status).toBe(503);
    const ok = await fetch(`${stack.gateway.url}/v1/models`);
    expect(ok.status).toBe(200);
    expect(stack.emulator.received.filter((r) => r.path === '/openai/v1/models').length).toBe(2);
  });
});
