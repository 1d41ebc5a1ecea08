import Groq from 'groq-sdk';
import OpenAI from 'openai';
import { caught } from './support/caught';
import { admin, ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { manyKeys, Stack, startStack, waitFor } from './support/stack';

const KEYS = {
  warn: 'vk-lifecycle-warn-0000000000000000',
  substitute: 'vk-lifecycle-substitute-0000000000',
  refuse: 'vk-lifecycle-refuse-00000000000000',
  narrow: 'vk-lifecycle-narrow-00000000000000',
  wide: 'vk-lifecycle-wide-0000000000000000',
};

// llama-3.3-70b-versatile answers model_decommissioned (Groq since 2026-08-16); the emulator
// still serves llama-3.1-8b-instant, so `warn` can be seen on an answered call too.
const CONFIG = `
models:
  onRetired: warn
virtualKeys: []
governance:
  virtualKeys:
    - { id: warn-team, keyEnv: WARN_KEY }
    - { id: substitute-team, keyEnv: SUBSTITUTE_KEY, onRetired: substitute }
    - { id: refuse-team, keyEnv: REFUSE_KEY, onRetired: refuse }
    - id: narrow-team
      keyEnv: NARROW_KEY
      onRetired: substitute
      models: [groq/llama-3.3-70b-versatile]
    - id: wide-team
      keyEnv: WIDE_KEY
      onRetired: substitute
      models: [groq/llama-3.3-70b-versatile, groq/openai/gpt-oss-120b]
`;

describe('model lifecycle: retired Groq models warned about, substituted or refused', () => {
  let stack: Stack;
  const client = (apiKey: string) =>
    new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey, maxRetries: 0 });
  const chat = (apiKey: string, model: string) =>
    client(apiKey)
      .chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();

  beforeAll(async () => {
    const config = writeGatewayConfig(CONFIG.replace('virtualKeys: []\n', ''));
    stack = await startStack(
      {
        GATEWAY_CONFIG: config.path,
        GATEWAY_ADMIN_KEY: ADMIN_KEY,
        GROQ_API_KEYS: manyKeys(2),
        RETRY_MAX_ATTEMPTS: '1',
        WARN_KEY: KEYS.warn,
        SUBSTITUTE_KEY: KEYS.substitute,
        REFUSE_KEY: KEYS.refuse,
        NARROW_KEY: KEYS.narrow,
        WIDE_KEY: KEYS.wide,
      },
      { decommissioned: ['llama-3.3-70b-versatile'] },
    );
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  describe('warn (the default)', () => {
    it('forwards the id as asked with Deprecation, Sunset and the successor; logs once; counts', async () => {
      for (let i = 0; i < 2; i++) {
        const { data, response } = await chat(KEYS.warn, 'groq/llama-3.1-8b-instant');
        expect(data.choices[0].message.content).toContain('llama-3.1-8b-instant');
        expect(response.headers.get('deprecation')).toBe(
          `@${Date.parse('2026-08-16T00:00:00Z') / 1000}`,
        );
        expect(response.headers.get('sunset')).toBe('Sun, 16 Aug 2026 00:00:00 GMT');
        expect(response.headers.get('link')).toContain('rel="deprecation"');
        expect(response.headers.get('x-gateway-model-successor')).toBe('groq/openai/gpt-oss-20b');
        expect(response.headers.get('x-gateway-model-substituted')).toBeNull();
      }
      expect(stack.emulator.chatRequests().map((r) => r.body?.model)).toEqual([
        'llama-3.1-8b-instant',
        'llama-3.1-8b-instant',
      ]);
      const warnings = stack.gateway
        .output()
        .split('\n')
        .filter((line) => line.includes('Model groq/llama-3.1-8b-instant is retired'));
      expect(warnings).toHaveLength(1);
      const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
      expect(metrics).toContain(
        'groq_gateway_retired_model_requests_total{model="llama-3.1-8b-instant",action="forward"} 2',
      );
    });

    it("names the successor in Groq's model_decommissioned error", async () => {
      const error = await caught(chat(KEYS.warn, 'groq/llama-3.3-70b-versatile'));
      expect(error.status).toBe(400);
      expect(error.code).toBe('model_decommissioned');
      expect(error.message).toContain('has been decommissioned');
      expect(error.message).toContain('`groq/openai/gpt-oss-120b`');
      expect(error.headers?.get('x-gateway-model-successor')).toBe('groq/openai/gpt-oss-120b');
      expect(error.headers?.get('sunset')).toBe('Sun, 16 Aug 2026 00:00:00 GMT');
    });
  });

  describe('substitute (opt-in, per virtual key)', () => {
    it('serves a retired id by its successor and says so', async () => {
      const { data, response } = await chat(KEYS.substitute, 'groq/llama-3.3-70b-versatile');
      expect(stack.emulator.chatRequests()[0].body?.model).toBe('openai/gpt-oss-120b');
      expect(data.choices[0].message.content).toContain('openai/gpt-oss-120b');
      expect(response.headers.get('x-gateway-model-substituted')).toBe(
        'groq/llama-3.3-70b-versatile -> groq/openai/gpt-oss-120b',
      );
      expect(response.headers.get('x-gateway-model')).toBe('groq/openai/gpt-oss-120b');
      expect(response.headers.get('deprecation')).not.toBeNull();
    });

    it("serves the seed's long-retired ids through the table's chain, streams included", async () => {
      const stream = await client(KEYS.substitute)
        .chat.completions.create({
          model: 'groq/llama3-70b-8192',
          messages: [{ role: 'user', content: 'Hi' }],
          stream: true,
        })
        .withResponse();
      let text = '';
      for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toContain('(openai/gpt-oss-120b)');
      expect(stream.response.headers.get('x-gateway-model-substituted')).toBe(
        'groq/llama3-70b-8192 -> groq/openai/gpt-oss-120b',
      );
    });

    it("works for the groq-sdk's bare ids", async () => {
      const groq = new Groq({
        baseURL: `${stack.gateway.url}/groq`,
        apiKey: KEYS.substitute,
        maxRetries: 0,
      });
      const { response } = await groq.chat.completions
        .create({ model: 'mixtral-8x7b-32768', messages: [{ role: 'user', content: 'Hi' }] })
        .withResponse();
      expect(response.headers.get('x-gateway-model-substituted')).toBe(
        'mixtral-8x7b-32768 -> openai/gpt-oss-120b',
      );
    });

    it("checks the key's allow-list against the successor: only a key that lists it may use it", async () => {
      const error = await caught(chat(KEYS.narrow, 'groq/llama-3.3-70b-versatile'));
      expect(error.status).toBe(403);
      expect(error.code).toBe('model_not_allowed');
      expect(error.message).toContain("successor 'groq/openai/gpt-oss-120b'");
      expect(stack.emulator.chatRequests()).toHaveLength(0);

      const { response } = await chat(KEYS.wide, 'groq/llama-3.3-70b-versatile');
      expect(response.headers.get('x-gateway-model')).toBe('groq/openai/gpt-oss-120b');
    });
  });

  describe('refuse', () => {
    it('answers 400 model_decommissioned naming the successor, without calling Groq', async () => {
      const error = await caught(chat(KEYS.refuse, 'groq/llama-3.1-8b-instant'));
      expect(error.status).toBe(400);
      expect(error.code).toBe('model_decommissioned');
      expect(error.param).toBe('model');
      expect(error.message).toContain('retired by Groq on 2026-08-16');
      expect(error.message).toContain('`groq/openai/gpt-oss-20b`');
      expect(stack.emulator.chatRequests()).toHaveLength(0);
    });
  });

  describe('learning from Groq', () => {
    it('treats an id Groq answers model_decommissioned for like a table entry from then on', async () => {
      stack.emulator.decommission('moonshotai/kimi-k2-instruct');
      const first = await caught(chat(KEYS.warn, 'groq/moonshotai/kimi-k2-instruct'));
      expect(first.code).toBe('model_decommissioned');
      expect(first.message).toContain('name one with models.successors');
      await waitFor(() =>
        stack.gateway.output().includes('model_decommissioned for moonshotai/kimi-k2-instruct'),
      );

      const refused = await caught(chat(KEYS.refuse, 'groq/moonshotai/kimi-k2-instruct'));
      expect(refused.status).toBe(400);
      expect(refused.message).toContain('this gateway refuses retired models');
      expect(stack.emulator.chatRequests()).toHaveLength(1);

      const again = await caught(chat(KEYS.warn, 'groq/moonshotai/kimi-k2-instruct'));
      expect(again.headers?.get('deprecation')).toMatch(/^@\d+$/);

      // substitute: a learnt id has no successor until config names one, so the call goes on as
      // asked and Groq's refusal says how to name one; nothing is served silently instead.
      const unsubstituted = await caught(chat(KEYS.substitute, 'groq/moonshotai/kimi-k2-instruct'));
      expect(unsubstituted.code).toBe('model_decommissioned');
      expect(unsubstituted.message).toContain('name one with models.successors');
      expect(unsubstituted.headers?.get('x-gateway-model-substituted')).toBeNull();
      expect(unsubstituted.headers?.get('sunset')).not.toBeNull();
    });
  });

  describe('per virtual key through the admin API', () => {
    it('sets onRetired when a key is made, changes it with PATCH, and takes it off with null', async () => {
      const made = await admin(stack.gateway.url, 'POST', '', {
        id: 'admin-made',
        onRetired: 'substitute',
      });
      expect(made.status).toBe(201);
      expect(made.json.onRetired).toBe('substitute');
      const key = made.json.key as string;

      const substituted = await chat(key, 'groq/llama-3.1-8b-instant');
      expect(substituted.response.headers.get('x-gateway-model-substituted')).toBe(
        'groq/llama-3.1-8b-instant -> groq/openai/gpt-oss-20b',
      );

      const patched = await admin(stack.gateway.url, 'PATCH', '/admin-made', {
        onRetired: 'refuse',
      });
      expect(patched.status).toBe(200);
      expect(patched.json).toMatchObject({ id: 'admin-made', onRetired: 'refuse' });
      stack.emulator.reset();
      const refused = await caught(chat(key, 'groq/llama-3.1-8b-instant'));
      expect(refused.status).toBe(400);
      expect(refused.code).toBe('model_decommissioned');
      expect(stack.emulator.chatRequests()).toHaveLength(0);

      // null: the key follows models.onRetired (warn here) again; its other settings stay.
      const cleared = await admin(stack.gateway.url, 'PATCH', '/admin-made', { onRetired: null });
      expect(cleared.status).toBe(200);
      expect(cleared.json.onRetired).toBeUndefined();
      const warned = await chat(key, 'groq/llama-3.1-8b-instant');
      expect(warned.response.headers.get('x-gateway-model-successor')).toBe(
        'groq/openai/gpt-oss-20b',
      );
      expect(warned.response.headers.get('x-gateway-model-substituted')).toBeNull();
      expect((await admin(stack.gateway.url, 'GET', '/admin-made')).json.onRetired).toBeUndefined();
    });

    it('refuses a policy it does not know, naming the field, on create and on PATCH', async () => {
      const created = await admin(stack.gateway.url, 'POST', '', { onRetired: 'sometimes' });
      expect(created.status).toBe(400);
      expect(created.json.error).toMatchObject({
        param: 'onRetired',
        message: expect.stringContaining('warn, substitute, refuse'),
      });
      const made = await admin(stack.gateway.url, 'POST', '', { id: 'admin-typo' });
      const patched = await admin(stack.gateway.url, 'PATCH', '/admin-typo', { onRetired: 1 });
      expect(patched.status).toBe(400);
      expect(patched.json.error).toMatchObject({ param: 'onRetired' });
      expect(made.status).toBe(201);
    });

    it('leaves keys from GATEWAY_CONFIG read-only, and answers 404 for an unknown key', async () => {
      const configKey = await admin(stack.gateway.url, 'PATCH', '/warn-team', {
        onRetired: 'refuse',
      });
      expect(configKey.status).toBe(409);
      expect(configKey.json.error).toMatchObject({ code: 'key_not_changeable' });
      const unknown = await admin(stack.gateway.url, 'PATCH', '/no-such-key', {
        onRetired: 'warn',
      });
      expect(unknown.status).toBe(404);
    });
  });

  it('marks models with a known retirement date in /v1/models', async () => {
    const list = await client(KEYS.warn).models.list();
    const llama = list.data.find((m) => m.id === 'groq/llama-3.1-8b-instant') as unknown as Record<
      string,
      unknown
    >;
    expect(llama.shutdown_date).toBe('2026-08-16');
    expect(llama.successor).toBe('groq/openai/gpt-oss-20b');
    const current = list.data.find((m) => m.id === 'groq/openai/gpt-oss-120b') as unknown as Record<
      string,
      unknown
    >;
    expect(current.shutdown_date).toBeUndefined();

    const groq = new Groq({
      baseURL: `${stack.gateway.url}/groq`,
      apiKey: KEYS.warn,
      maxRetries: 0,
    });
    const bare = (await groq.models.retrieve('llama-3.1-8b-instant')) as unknown as Record<
      string,
      unknown
    >;
    expect(bare).toMatchObject({ shutdown_date: '2026-08-16', successor: 'openai/gpt-oss-20b' });
  });
});
