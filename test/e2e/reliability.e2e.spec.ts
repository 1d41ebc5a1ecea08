import OpenAI from 'openai';
import { GroqEmulator } from '../emulator/emulator';
import { manyKeys, Stack, startStack, waitFor } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';
const FALLBACK = 'groq/llama-3.1-8b-instant';

/** Every request ends in one of these; `lost` (no answer and no clear error) must stay 0. */
interface Tally {
  sent: number;
  answered: number;
  failedClearly: number;
  lost: number;
}

async function tally(calls: Array<() => Promise<unknown>>): Promise<Tally> {
  const result: Tally = { sent: calls.length, answered: 0, failedClearly: 0, lost: 0 };
  await Promise.all(
    calls.map(async (call) => {
      try {
        await call();
        result.answered++;
      } catch (error) {
        const clear =
          error instanceof OpenAI.APIError &&
          typeof error.status === 'number' &&
          typeof (error.error as { message?: string })?.message === 'string';
        if (clear) result.failedClearly++;
        else result.lost++;
      }
    }),
  );
  return result;
}

const chatOnce =
  (openai: OpenAI, content = 'hello') =>
  () =>
    openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content }] });

function keysUsed(emulator: GroqEmulator): string[] {
  return emulator.chatRequests().map((r) => String(r.headers.authorization).replace('Bearer ', ''));
}

describe('retries across keys', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      GROQ_API_KEYS: manyKeys(3),
      RETRY_BASE_DELAY_MS: '10',
      RETRY_MAX_ATTEMPTS: '3',
      // The 401 test takes a key out for ten cool-downs; it is back for the tests after it.
      BREAKER_COOLDOWN_MS: '20',
    });
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  it.each([['429;retry-after=30'], ['500'], ['502'], ['503'], ['reset']])(
    'a %s is retried on another key and answered',
    async (fault) => {
      stack.emulator.queueFaults(fault);
      const { data, response } = await stack.openai.chat.completions
        .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
        .withResponse();
      expect(data.choices[0].message.content).toBeTruthy();
      expect(response.headers.get('x-gateway-attempts')).toBe('2');
      expect(response.headers.get('x-gateway-model')).toBe(MODEL);
      expect(response.headers.get('x-gateway-key-id')).toMatch(/^key-\d$/);
      const [first, second] = keysUsed(stack.emulator);
      expect(second).not.toBe(first);
    },
  );

  it.each([['400'], ['413'], ['422']])('a %s is never retried', async (fault) => {
    stack.emulator.queueFaults(fault);
    await expect(
      stack.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(stack.emulator.chatRequests()).toHaveLength(1);
  });

  it("a 401 refusing the gateway's own key is retried on another key at once", async () => {
    stack.emulator.queueFaults('401');
    const { response } = await stack.openai.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    const [first, second] = keysUsed(stack.emulator);
    expect(second).not.toBe(first);
  });

  it('a stream is retried before its first byte, never after', async () => {
    stack.emulator.queueFaults('503');
    const stream = await stack.openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'retry me' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toContain('retry me');
    expect(stack.emulator.chatRequests()).toHaveLength(2);

    stack.emulator.reset();
    stack.emulator.queueFaults('cut=3');
    const cut = await stack.openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'cut me' }],
      stream: true,
    });
    await expect(
      (async () => {
        for await (const _chunk of cut) void _chunk;
      })(),
    ).rejects.toThrow();
    expect(stack.emulator.chatRequests()).toHaveLength(1);
  });

  it('gives up after the configured attempts with the last clear error', async () => {
    stack.emulator.queueFaults('500', '500', '500');
    const error = await stack.openai.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(stack.emulator.chatRequests()).toHaveLength(3);
  });
});

describe('a mix of faults under concurrent load', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      GROQ_API_KEYS: manyKeys(3),
      RETRY_BASE_DELAY_MS: '10',
      RETRY_MAX_ATTEMPTS: '3',
    });
  });
  afterAll(() => stack.stop());

  it('loses nothing: every request is answered or fails with a clear error', async () => {
    stack.emulator.queueFaults(
      '429;retry-after=1',
      '500',
      'reset',
      '503',
      '502',
      '500',
      'reset',
      '429;retry-after=1',
    );
    const result = await tally(
      Array.from({ length: 40 }, (_, i) => chatOnce(stack.openai, `mix ${i}`)),
    );
    expect(result.lost).toBe(0);
    expect(result.answered + result.failedClearly).toBe(result.sent);
    // A request fails only when all 3 of its attempts draw a fault: 8 faults fail at most 2.
    expect(result.answered).toBeGreaterThanOrEqual(40 - Math.floor(8 / 3));
  });

  it('a client that leaves before a JSON answer cancels it quietly: no error logged, still serving', async () => {
    stack.emulator.reset();
    const leaving = Array.from({ length: 10 }, async (_, i) => {
      const controller = new AbortController();
      const pending = fetch(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: MODEL,
          messages: [{ role: 'user', content: `leave ${i} [fault:slow=400]` }],
        }),
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 100);
      await pending.catch(() => undefined);
    });
    await Promise.all(leaving);
    await waitFor(() => stack.emulator.stats.open === 0);
    expect(stack.gateway.output()).not.toMatch(/unhandled error|EmptyError/);
    const completion = await chatOnce(stack.openai, 'still serving')();
    expect(completion.choices[0].message.content).toContain('still serving');
  });

  it('loses nothing when clients abandon streams mid-way under faults', async () => {
    stack.emulator.reset();
    stack.emulator.queueFaults('503', 'reset', '500');
    const aborts = Array.from({ length: 20 }, async (_, i) => {
      const controller = new AbortController();
      const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: MODEL,
          messages: [{ role: 'user', content: `abandon ${i} after a while` }],
          stream: true,
        }),
        signal: controller.signal,
      });
      await response.body!.getReader().read();
      controller.abort();
    });
    await Promise.all(aborts);
    await waitFor(() => stack.emulator.stats.open === 0);
    const completion = await chatOnce(stack.openai, 'still serving')();
    expect(completion.choices[0].message.content).toContain('still serving');
  });
});

describe("steering by Groq's rate-limit headers and 429 rests", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ GROQ_API_KEYS: manyKeys(2), RETRY_BASE_DELAY_MS: '10' });
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  it('after a 429 the key rests until retry-after and the other key serves, with no 429 to the client', async () => {
    stack.emulator.queueFaults('429;retry-after=30');
    for (let i = 0; i < 10; i++) await chatOnce(stack.openai, `rest ${i}`)();
    const used = keysUsed(stack.emulator);
    const rested = used[0];
    expect(used).toHaveLength(11);
    expect(used.slice(1).every((key) => key !== rested)).toBe(true);
  });

  it('when every key rests, the gateway answers 429 itself with retry-after, without asking Groq', async () => {
    const solo = await startStack({ RETRY_MAX_ATTEMPTS: '1' });
    try {
      solo.emulator.queueFaults('429;retry-after=20');
      await expect(
        solo.openai.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
        }),
      ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
      const error = (await solo.openai.chat.completions
        .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(15);
      expect(solo.emulator.chatRequests()).toHaveLength(1);
    } finally {
      await solo.stop();
    }
  });
});

describe('steering away from a key whose remaining budget is spent', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Key 1 is nearly out of tokens for this minute, as Groq's headers say; key 2 is fresh.
    stack = await startStack(
      { GROQ_API_KEYS: manyKeys(2) },
      { tokensPerMinute: { gsk_e2e_key_1: 60 } },
    );
  });
  afterAll(() => stack.stop());

  it('sends no request to a key that cannot take it, so Groq never has to say 429', async () => {
    let answered = 0;
    for (let i = 0; i < 12; i++) {
      await chatOnce(stack.openai, `budget ${i} with a few words`)();
      answered++;
    }
    expect(answered).toBe(12);
    expect(stack.emulator.stats.byStatus['429'] ?? 0).toBe(0);
    const used = keysUsed(stack.emulator);
    expect(used.filter((k) => k === 'gsk_e2e_key_1').length).toBeLessThan(
      used.filter((k) => k === 'gsk_e2e_key_2').length,
    );
  });
});

describe('fallback models', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      RETRY_BASE_DELAY_MS: '10',
      RETRY_MAX_ATTEMPTS: '2',
      MODEL_FALLBACKS: `${MODEL}=${FALLBACK}`,
      BREAKER_FAILURE_THRESHOLD: '100',
    });
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  it('tries the configured fallback when the primary fails after its retries, and says so in headers', async () => {
    stack.emulator.queueFaults('503', '503');
    const { data, response } = await stack.openai.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(data.model).toBe(FALLBACK);
    expect(response.headers.get('x-gateway-model')).toBe(FALLBACK);
    expect(response.headers.get('x-gateway-attempts')).toBe('3');
    expect(stack.emulator.chatRequests().map((r) => r.body?.model)).toEqual([
      'llama-3.3-70b-versatile',
      'llama-3.3-70b-versatile',
      'llama-3.1-8b-instant',
    ]);
  });

  it('tries fallbacks from the request body first, without listing them as dropped', async () => {
    const { data, response } = await stack.openai.chat.completions
      .create({
        model: 'groq/no-such-model',
        messages: [{ role: 'user', content: 'x' }],
        fallbacks: ['groq/qwen/qwen3-32b'],
      } as never)
      .withResponse();
    expect((data as { model: string }).model).toBe('groq/qwen/qwen3-32b');
    expect(response.headers.get('x-gateway-dropped-params')).toBeNull();
    expect(stack.emulator.chatRequests()[1].body).not.toHaveProperty('fallbacks');
  });

  it("gives the primary's error when every fallback fails too", async () => {
    stack.emulator.queueFaults('503;', '503', '500', '500');
    const error = (await stack.openai.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(503);
  });

  it('does not fall back on a client mistake', async () => {
    await expect(
      stack.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        temperature: 7,
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    stack.emulator.queueFaults('400');
    await expect(
      stack.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    expect(stack.emulator.chatRequests()).toHaveLength(1);
  });
});

describe('timeouts', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '300',
      UPSTREAM_IDLE_TIMEOUT_MS: '300',
      RETRY_MAX_ATTEMPTS: '1',
    });
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  it('a hung upstream is a 504 and its socket is closed', async () => {
    stack.emulator.queueFaults('hang');
    const error = (await stack.openai.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(504);
    await waitFor(() => stack.emulator.stats.open === 0);
  });

  it('a stream that goes silent ends with an SSE error event, and its socket is closed', async () => {
    stack.emulator.queueFaults('stall=3');
    const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: MODEL,
        messages: [{ role: 'user', content: 'long answer here' }],
        stream: true,
      }),
    });
    const frames = (await response.text()).split('\n\n').filter(Boolean);
    const last = JSON.parse(frames[frames.length - 1].replace(/^data: /, '')) as {
      error: { code: string };
    };
    expect(last.error.code).toBe('upstream_timeout');
    await waitFor(() => stack.emulator.stats.open === 0);
  });

  it('a slow first byte within the timeout is answered', async () => {
    stack.emulator.queueFaults('slow=100');
    const completion = await stack.openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'slow' }],
    });
    expect(completion.choices[0].message.content).toContain('slow');
  });
});

describe('circuit breaker', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      GROQ_API_KEYS: manyKeys(2),
      BREAKER_FAILURE_THRESHOLD: '2',
      BREAKER_COOLDOWN_MS: '400',
      RETRY_MAX_ATTEMPTS: '1',
    });
  });
  afterAll(() => stack.stop());

  it('skips a key after consecutive failures, then probes it after the cool-down', async () => {
    stack.emulator.setKeyFault('gsk_e2e_key_1', '500');
    for (let i = 0; i < 6; i++) {
      await stack.openai.chat.completions
        .create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })
        .catch(() => undefined);
    }
    const failuresOnKey1 = keysUsed(stack.emulator).filter((key) => key === 'gsk_e2e_key_1').length;
    expect(failuresOnKey1).toBe(2);

    stack.emulator.reset();
    for (let i = 0; i < 4; i++)
      await stack.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
      });
    expect(new Set(keysUsed(stack.emulator))).toEqual(new Set(['gsk_e2e_key_2']));

    stack.emulator.setKeyFault('gsk_e2e_key_1', undefined);
    await new Promise((resolve) => setTimeout(resolve, 450));
    stack.emulator.reset();
    for (let i = 0; i < 8; i++)
      await stack.openai.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
      });
    expect(keysUsed(stack.emulator)).toContain('gsk_e2e_key_1');
  });
});
