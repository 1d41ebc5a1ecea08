import { runGatewayToExit } from './support/gateway-process';
import { Stack, startStack, waitFor } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';

describe('client disconnects cancel the upstream request', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({}, { chunkDelayMs: 50 });
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  it('a stream abandoned mid-way closes its upstream request, over many aborts', async () => {
    for (let i = 0; i < 20; i++) {
      const controller = new AbortController();
      const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: MODEL,
          messages: [{ role: 'user', content: 'a fairly long answer please' }],
          stream: true,
        }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
    }
    await waitFor(() => stack.emulator.stats.open === 0);
    expect(stack.emulator.stats.aborted).toBe(20);
  });

  it('a JSON call abandoned while waiting closes its upstream request', async () => {
    stack.emulator.queueFaults('hang', 'hang', 'hang');
    const calls = [0, 1, 2].map(async () => {
      const controller = new AbortController();
      const pending = fetch(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
        signal: controller.signal,
      }).catch(() => undefined);
      await waitFor(() => stack.emulator.stats.open >= 1);
      controller.abort();
      await pending;
    });
    await Promise.all(calls);
    await waitFor(() => stack.emulator.stats.open === 0);
    expect(stack.emulator.stats.aborted).toBe(3);
  });

  it('still serves after the aborts', async () => {
    const completion = await stack.openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'still there?' }],
    });
    expect(completion.choices[0].message.content).toContain('still there?');
  });
});

describe('start-up configuration', () => {
  it.each([
    [{ GROQ_API_KEY: 'gsk_x', PORT: 'eighty' }, 'PORT'],
    [{ GROQ_API_KEY: 'gsk_x', GROQ_BASE_URL: 'not a url' }, 'GROQ_BASE_URL'],
    [{ GROQ_API_KEY: 'gsk_x', GROQ_BASE_URL: 'https://api.groq.com/openai/v1' }, 'GROQ_BASE_URL'],
    [{ GROQ_API_KEY: 'gsk_x', LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{}, 'GROQ_API_KEY'],
    [{ GROQ_API_KEY_FILE: '/nonexistent/secret' }, 'GROQ_API_KEY_FILE'],
    [{ GROQ_API_KEY: 'gsk_x', GATEWAY_CONFIG: '/nonexistent/gateway.yaml' }, 'GATEWAY_CONFIG'],
  ])('%j stops start-up with one line naming %s', async (env, setting) => {
    const { code, stderr, stdout } = await runGatewayToExit(env);
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^groq-gateway: invalid configuration: ${setting}: `));
    expect(stderr + stdout).not.toMatch(/\bat .+\.js:\d+/);
    expect(stderr).not.toContain('gsk_x');
  });
});
