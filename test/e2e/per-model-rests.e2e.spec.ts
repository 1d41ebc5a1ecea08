import OpenAI from 'openai';
import { startStack, Stack } from './support/stack';
import { writeGatewayConfig } from './support/governance-fixtures';

const FAST_A = 'llama-3.1-8b-instant';
const FAST_B = 'openai/gpt-oss-20b';
const OTHER = 'llama-3.3-70b-versatile';

// One Groq key (GROQ_API_KEY): Groq's rate limits are per model, so a 429 for one model must
// not take the only key away from the others, nor stop a route failing over to its next target.
const CONFIG = `
routes:
  - id: fast
    strategy: adaptive
    targets:
      - { model: groq/${FAST_A}, weight: 70 }
      - { model: groq/${FAST_B}, weight: 30 }
  - id: careful
    strategy: ordered
    targets: [groq/${FAST_A}, groq/${FAST_B}]
`;

describe('a 429 rests one model on a key, not the key (e2e, one Groq key)', () => {
  let stack: Stack;

  beforeEach(async () => {
    const { path } = writeGatewayConfig(CONFIG);
    stack = await startStack({ GATEWAY_CONFIG: path, RETRY_BASE_DELAY_MS: '10' });
  });

  afterEach(async () => {
    await stack.stop();
  });

  async function chat(model: string, content = 'Hi') {
    return stack.openai.chat.completions
      .create({ model, messages: [{ role: 'user', content }], max_tokens: 5 })
      .withResponse();
  }

  it("a route's target answered 429 fails over to the route's next target at once", async () => {
    stack.emulator.queueFaults('429;retry-after=30');
    const { data, response } = await chat('groq/fast');
    expect(response.status).toBe(200);
    expect(data.choices[0].message.content).toBeTruthy();
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    const served = response.headers.get('x-gateway-model');
    const limited = served === `groq/${FAST_B}` ? FAST_A : FAST_B;
    expect(served).toBe(`groq/${limited === FAST_A ? FAST_B : FAST_A}`);
    expect(stack.emulator.stats.byStatus['429']).toBe(1);

    // The resting target gets nothing until its rest ends; the route keeps serving.
    for (let i = 0; i < 5; i++) {
      const next = await chat('groq/fast');
      expect(next.response.headers.get('x-gateway-model')).toBe(served);
      expect(next.response.headers.get('x-gateway-attempts')).toBe('1');
    }
    expect(stack.emulator.stats.byStatus['429']).toBe(1);
  });

  it('an ordered route whose first target Groq rate limits goes to its next target', async () => {
    stack.emulator.setModelFault(FAST_A, '429;retry-after=30');
    const first = await chat('groq/careful');
    expect(first.response.headers.get('x-gateway-model')).toBe(`groq/${FAST_B}`);
    expect(first.response.headers.get('x-gateway-attempts')).toBe('2');
    const second = await chat('groq/careful');
    expect(second.response.headers.get('x-gateway-model')).toBe(`groq/${FAST_B}`);
    expect(second.response.headers.get('x-gateway-attempts')).toBe('1');
  });

  it('other models stay served on the key; the rested model gets 429 with its own retry-after', async () => {
    await expect(chat(FAST_A, 'Hi [fault:429;retry-after=30]')).rejects.toMatchObject({
      status: 429,
    });

    // Another model, and the model list, on the same (only) key.
    expect((await chat(`groq/${OTHER}`)).response.status).toBe(200);
    expect((await chat(FAST_B)).response.status).toBe(200);
    const models = await fetch(`${stack.gateway.url}/v1/models`);
    expect(models.status).toBe(200);

    // The rested model is refused by the gateway itself, without asking Groq again.
    const sent = stack.emulator.chatRequests().length;
    const error = (await chat(FAST_A).catch((e: unknown) => e)) as InstanceType<
      typeof OpenAI.APIError
    >;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(429);
    expect(error.message).toContain(`model '${FAST_A}'`);
    const retryAfter = Number(error.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(25);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(error.headers?.get('x-gateway-attempts')).toBe('0');
    expect(stack.emulator.chatRequests().length).toBe(sent);

    // The key stays available, and its detail names the model that rests.
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/groq_gateway_key_available\{key_id="key-1"[^}]*\} 1/);
    const ready = await fetch(`${stack.gateway.url}/health/ready`);
    expect(ready.status).toBe(200);
  });
});
