import Groq from 'groq-sdk';
import { manyKeys, startStack, Stack } from './support/stack';
import { writeGatewayConfig } from './support/governance-fixtures';

const FAST_A = 'llama-3.1-8b-instant';
const FAST_B = 'openai/gpt-oss-20b';
const FALLBACK = 'qwen/qwen3-32b';
const ROUTED_KEY = 'vk-routed-0123456789abcdef';
const LLAMA_ONLY_KEY = 'vk-llama-only-0123456789abcdef';

const CONFIG = `
routes:
  - id: fast
    strategy: weighted
    targets:
      - { model: groq/${FAST_A}, weight: 70 }
      - { model: groq/${FAST_B}, weight: 30 }
  - id: smart
    strategy: adaptive
    targets:
      - { model: groq/${FAST_A}, weight: 70 }
      - { model: groq/${FAST_B}, weight: 30 }
  - id: careful
    strategy: ordered
    targets: [groq/${FAST_B}, groq/${FAST_A}]
    fallbacks: [groq/${FALLBACK}]
governance:
  virtualKeys:
    - { id: routed, keyEnv: ROUTED_KEY, models: [groq/fast, groq/smart, groq/careful] }
    - { id: llama-only, keyEnv: LLAMA_ONLY_KEY, models: [groq/${FAST_A}] }
`;

interface Served {
  model: string;
  route: string | null;
  attempts: string | null;
}

describe('model routes (e2e, against the emulator)', () => {
  let stack: Stack;

  beforeAll(async () => {
    const { path } = writeGatewayConfig(CONFIG);
    stack = await startStack({
      GATEWAY_CONFIG: path,
      // Several keys, so the faults these tests inject on models never open every key's breaker.
      GROQ_API_KEYS: manyKeys(4),
      ROUTED_KEY,
      LLAMA_ONLY_KEY,
      // Short, so the adaptive test sees a recovered target probed back within seconds.
      BREAKER_COOLDOWN_MS: '1000',
    });
    stack.openai.apiKey = ROUTED_KEY;
  });

  afterAll(async () => {
    await stack.stop();
  });

  afterEach(() => {
    stack.emulator.setModelFault(FAST_A, undefined);
    stack.emulator.setModelFault(FAST_B, undefined);
  });

  async function call(model: string): Promise<Served> {
    const { data, response } = await stack.openai.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5 })
      .withResponse();
    expect(response.status).toBe(200);
    const served = response.headers.get('x-gateway-model') ?? '';
    expect(data.choices[0].message.content).toBeTruthy();
    return {
      model: served,
      route: response.headers.get('x-gateway-route'),
      attempts: response.headers.get('x-gateway-attempts'),
    };
  }

  /** `count` calls, `parallel` at a time; how many each target served. */
  async function shares(
    model: string,
    count: number,
    parallel = 8,
  ): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let done = 0; done < count; done += parallel) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(parallel, count - done) }, () => call(model)),
      );
      for (const served of batch) counts[served.model] = (counts[served.model] ?? 0) + 1;
    }
    return counts;
  }

  it('weighted: 70/30 over 400 calls, each answer naming its route and served target', async () => {
    const before = stack.emulator.chatRequests().length;
    const counts = await shares('groq/fast', 400);
    const a = counts[`groq/${FAST_A}`] ?? 0;
    const b = counts[`groq/${FAST_B}`] ?? 0;
    expect(a + b).toBe(400);
    expect(Math.abs(a / 400 - 0.7)).toBeLessThanOrEqual(0.03);
    // What the gateway says matches what Groq was asked.
    const asked = stack.emulator
      .chatRequests()
      .slice(before)
      .map((r) => (r.body as { model: string }).model);
    expect(asked.filter((m) => m === FAST_A)).toHaveLength(a);
    expect(asked.filter((m) => m === FAST_B)).toHaveLength(b);
    const one = await call('groq/fast');
    expect(one.route).toBe('fast');
    expect(stack.gateway.output()).toMatch(/"route":"fast"/);
  });

  it('adaptive: a failing target drains to its probe share while every call answers 200, and gets its traffic back', async () => {
    await shares('groq/smart', 40);
    stack.emulator.setModelFault(FAST_B, '503');
    // Draining: the first calls to B fail over to A (still 200s), and B's share shrinks.
    await shares('groq/smart', 60);
    const asked = () =>
      stack.emulator.chatRequests().map((r) => (r.body as { model: string }).model);
    const startB = asked().filter((m) => m === FAST_B).length;
    const drained = await shares('groq/smart', 200);
    expect(drained[`groq/${FAST_A}`]).toBe(200);
    const triedB = asked().filter((m) => m === FAST_B).length - startB;
    // The probe share: B is still tried now and then (5 % of its weight), never more than ~3 %.
    expect(triedB).toBeLessThanOrEqual(8);

    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    const weight = new RegExp(
      `groq_gateway_route_target_weight\\{route="smart",target="groq/${FAST_B}"\\} ([\\d.]+)`,
    ).exec(metrics);
    expect(Number(weight?.[1])).toBeLessThan(30 * 0.2);

    stack.emulator.setModelFault(FAST_B, undefined);
    // Errors fade (half-life 5 s) and the breaker lets a probe through: the share comes back.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const recovered = await shares('groq/smart', 200);
    expect(recovered[`groq/${FAST_B}`] ?? 0).toBeGreaterThanOrEqual(30);
  }, 60_000);

  it('ordered: the first target while it is healthy, the next when it fails, then the route fallbacks', async () => {
    expect((await call('groq/careful')).model).toBe(`groq/${FAST_B}`);
    stack.emulator.setModelFault(FAST_B, '500');
    const failedOver = await call('groq/careful');
    expect(failedOver).toEqual({ model: `groq/${FAST_A}`, route: 'careful', attempts: '2' });
    stack.emulator.setModelFault(FAST_A, '503');
    const fellBack = await call('groq/careful');
    expect(fellBack.model).toBe(`groq/${FALLBACK}`);
  });

  it('a 4xx the caller caused is not failed over', async () => {
    const before = stack.emulator.chatRequests().length;
    const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ROUTED_KEY}` },
      body: JSON.stringify({
        model: 'groq/careful',
        messages: [{ role: 'user', content: 'Hi [fault:400]' }],
      }),
    });
    expect(response.status).toBe(400);
    expect(stack.emulator.chatRequests().length - before).toBe(1);
  });

  it('streams through a route', async () => {
    const stream = await stack.openai.chat.completions
      .create({
        model: 'groq/fast',
        messages: [{ role: 'user', content: 'Tell me a story' }],
        stream: true,
      })
      .withResponse();
    expect(stream.response.headers.get('x-gateway-route')).toBe('fast');
    let text = '';
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
  });

  it('governance: a key allowed the route may call it; a key allowed only a target may not call the route', async () => {
    expect((await call('groq/fast')).route).toBe('fast');
    const denied = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${LLAMA_ONLY_KEY}` },
      body: JSON.stringify({ model: 'groq/fast', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(denied.status).toBe(403);
    const body = (await denied.json()) as { error: { code: string; param: string } };
    expect(body.error).toMatchObject({ code: 'model_not_allowed', param: 'model' });
  });

  it('lists routes as models: groq/<id> on /v1, bare on /groq, owned by the gateway with their targets', async () => {
    const models = await stack.openai.models.list();
    const fast = models.data.find((m) => m.id === 'groq/fast') as unknown as Record<
      string,
      unknown
    >;
    expect(fast).toMatchObject({
      object: 'model',
      owned_by: 'gateway',
      route: {
        strategy: 'weighted',
        targets: [
          { model: `groq/${FAST_A}`, weight: 70 },
          { model: `groq/${FAST_B}`, weight: 30 },
        ],
      },
    });
    const groq = new Groq({
      baseURL: `${stack.gateway.url}/groq`,
      apiKey: ROUTED_KEY,
      maxRetries: 0,
    });
    const listed = await groq.models.list();
    expect(listed.data.map((m) => m.id)).toEqual(expect.arrayContaining(['fast', 'smart', FAST_A]));
    const answer = await groq.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect([FAST_A, FAST_B, `groq/${FAST_A}`, `groq/${FAST_B}`]).toContain(answer.model);
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /groq_gateway_route_requests_total\{route="fast",target="groq\/[^"]+",outcome="success"\} \d+/,
    );
  });
});
