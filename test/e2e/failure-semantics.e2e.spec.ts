import OpenAI from 'openai';
import { GroqEmulator } from '../emulator/emulator';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { chat, writeGatewayConfig } from './support/governance-fixtures';
import { RedisServer, startRedisServer } from './support/redis-server';
import { Stack, startStack, waitFor } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';
const OTHER_MODEL = 'groq/llama-3.1-8b-instant';

async function ready(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/health/ready`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function post(url: string, model = MODEL, key?: string) {
  return chat(url, key, { model });
}

/** JSON access lines of the gateway's output. */
function accessLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
}

describe('an upstream outage is never the caller rate limit (issue 13, 4a)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      BREAKER_FAILURE_THRESHOLD: '5',
      BREAKER_COOLDOWN_MS: '30000',
      RETRY_MAX_ATTEMPTS: '1',
    });
  });
  afterAll(() => stack.stop());

  it('with one key: 5xx/resets answer 502/503 naming the cause; then every model is still served, readiness stays 200', async () => {
    stack.emulator.queueFaults('reset', '502', 'reset', '503', 'reset');
    const failures = [];
    for (let i = 0; i < 5; i++) failures.push(await post(stack.gateway.url));
    expect(failures.map((f) => f.status)).toEqual([502, 502, 502, 503, 502]);
    expect(failures.map((f) => f.json.error?.code)).toEqual([
      'upstream_unreachable',
      'upstream_error',
      'upstream_unreachable',
      'upstream_error',
      'upstream_unreachable',
    ]);
    await waitFor(() => /Circuit breaker opened on Groq key 'key-1'/.test(stack.gateway.output()));

    // The breaker is open for this model on the only key: readiness still 200, with the detail.
    const probe = await ready(stack.gateway.url);
    expect(probe.status).toBe(200);
    expect(probe.body).toMatchObject({
      status: 'ready',
      keys: [{ id: 'key-1', breaker: 'open', trippedModels: ['llama-3.3-70b-versatile'] }],
    });

    // Another model is not blocked by it.
    const other = await post(stack.gateway.url, OTHER_MODEL);
    expect(other.status).toBe(200);

    // The failing model: still a failure of the upstream, never 429 'cooling down'.
    stack.emulator.queueFaults('503');
    const still = await post(stack.gateway.url);
    expect(still.status).toBe(503);
    expect(still.json.error?.message).not.toMatch(/rate limit|cooling down/i);

    // Groq recovers: the next request goes anyway (panic routing) and closes the breaker.
    const healed = await post(stack.gateway.url);
    expect(healed.status).toBe(200);
    await waitFor(() => /Circuit breaker closed on Groq key 'key-1'/.test(stack.gateway.output()));
    expect((await ready(stack.gateway.url)).body).toEqual({ status: 'ready' });
    expect(stack.gateway.output()).toMatch(/routing anyway \(panic mode/);
  });
});

describe('a key Groq refuses (401/403) is retried elsewhere and taken out of rotation (issue 13, 4b)', () => {
  let emulator: GroqEmulator;
  let gateway: GatewayProcess;
  let lonely: GatewayProcess;
  const valid = ['gsk_e2e_good_key'];
  let afterCleanup: (() => unknown) | undefined;
  afterEach(() => {
    afterCleanup?.();
    afterCleanup = undefined;
  });

  beforeAll(async () => {
    emulator = new GroqEmulator({ keys: valid });
    const upstream = await emulator.start();
    // One after the other: on a loaded machine two starting at once may miss the start timeout.
    gateway = await startGateway({
      GROQ_BASE_URL: upstream,
      GROQ_API_KEYS: 'gsk_e2e_revoked_key,gsk_e2e_good_key',
      // A refused key is probed every ten cool-downs: 1.5 s here.
      BREAKER_COOLDOWN_MS: '150',
    });
    lonely = await startGateway({ GROQ_BASE_URL: upstream, GROQ_API_KEY: 'gsk_e2e_revoked_key' });
  });
  afterAll(async () => {
    await Promise.all([gateway?.stop(), lonely?.stop()]);
    await emulator?.stop();
  });

  it('every request is answered; the refused key is asked once, then shown in metrics, logs and readiness', async () => {
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    for (let i = 0; i < 8; i++) {
      const { response } = await openai.chat.completions
        .create({ model: MODEL, messages: [{ role: 'user', content: `hi ${i}` }] })
        .withResponse();
      expect(response.headers.get('x-gateway-key-id')).toBe('key-2');
    }
    const revokedCalls = emulator
      .chatRequests()
      .filter((r) => r.headers.authorization === 'Bearer gsk_e2e_revoked_key');
    expect(revokedCalls).toHaveLength(1);
    expect(gateway.output()).toMatch(/Groq refused key 'key-1' \(401\): taken out of rotation/);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/groq_gateway_key_rejected\{key_id="key-1"\} 1/);
    expect(metrics).toMatch(/groq_gateway_key_rejected\{key_id="key-2"\} 0/);
    const probe = await ready(gateway.url);
    expect(probe.status).toBe(200);
    expect(probe.body).toMatchObject({ keys: [{ id: 'key-1', rejected: { status: 401 } }] });
    expect(gateway.output()).not.toContain('gsk_e2e_revoked_key');
  });

  it('probes the key back after the interval, and takes it back once Groq accepts it', async () => {
    valid.push('gsk_e2e_revoked_key');
    afterCleanup = () => valid.pop();
    await new Promise((resolve) => setTimeout(resolve, 1600));
    emulator.reset();
    for (let i = 0; i < 6; i++) expect((await post(gateway.url)).status).toBe(200);
    expect(
      emulator.chatRequests().some((r) => r.headers.authorization === 'Bearer gsk_e2e_revoked_key'),
    ).toBe(true);
    expect(gateway.output()).toMatch(/Groq accepts key 'key-1' again/);
  });

  it('with no other key: 502 upstream_key_rejected naming the key id, and the access line names it', async () => {
    const answer = await chat(lonely.url, undefined, { model: MODEL });
    expect(answer.status).toBe(502);
    expect(answer.json.error).toMatchObject({ code: 'upstream_key_rejected', type: 'api_error' });
    expect(answer.json.error?.message).toContain("'key-1'");
    expect(JSON.stringify(answer.json)).not.toContain('gsk_');
    await waitFor(() =>
      accessLines(lonely.output()).some(
        (line) => line.res !== undefined && (line as { keyId?: string }).keyId === 'key-1',
      ),
    );
  });
});

describe('a hung Redis (SIGSTOP) costs a few timeouts, not one per call (issue 13, 4c)', () => {
  const KEY = 'vk-hung-redis-team-000000000000';
  let redis: RedisServer;
  let emulator: GroqEmulator;
  let open: GatewayProcess;
  let closed: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    emulator = new GroqEmulator({ keys: ['gsk_e2e_key_1'] });
    const upstream = await emulator.start();
    const env = {
      GROQ_BASE_URL: upstream,
      GROQ_API_KEY: 'gsk_e2e_key_1',
      GATEWAY_CONFIG: writeGatewayConfig(
        'governance:\n  virtualKeys:\n    - { id: team, keyEnv: TEAM_KEY, requestsPerMinute: 100000 }\n',
      ).path,
      TEAM_KEY: KEY,
      REDIS_URL: redis.url,
    };
    open = await startGateway(env);
    closed = await startGateway({ ...env, GOVERNANCE_ON_STORE_FAILURE: 'closed' });
  });
  afterAll(async () => {
    await Promise.all([open?.stop(), closed?.stop()]);
    await emulator?.stop();
    await redis?.stop();
  });

  async function timed(url: string): Promise<{ ms: number; status: number; headers: Headers }> {
    const started = performance.now();
    const answer = await post(url, MODEL, KEY);
    return { ms: performance.now() - started, status: answer.status, headers: answer.headers };
  }

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

  it('median added latency stays under 50 ms while Redis hangs; counting resumes when it answers', async () => {
    const before: number[] = [];
    for (let i = 0; i < 15; i++) before.push((await timed(open.url)).ms);

    redis.signal('SIGSTOP');
    try {
      const during = [];
      for (let i = 0; i < 30; i++) during.push(await timed(open.url));
      expect(during.every((call) => call.status === 200)).toBe(true);
      expect(during.at(-1)?.headers.get('x-gateway-governance')).toBe('store-unavailable');
      const added = median(during.map((call) => call.ms)) - median(before);
      expect(added).toBeLessThan(50);
      expect(open.output()).toMatch(/Governance store breaker opened/);

      // Fail-closed replica: refuses at once, and is not ready while it cannot count.
      const refused = await timed(closed.url);
      const again = await timed(closed.url);
      expect([refused.status, again.status]).toContain(503);
      await waitFor(() => /Governance store breaker opened/.test(closed.output()), 8000);
      expect((await ready(closed.url)).status).toBe(503);
      expect((await ready(closed.url)).body).toMatchObject({
        status: 'governance_store_unavailable',
      });
      expect((await ready(open.url)).status).toBe(200);
    } finally {
      redis.signal('SIGCONT');
    }

    await waitFor(() => /Governance store breaker closed/.test(open.output()), 8000);
    const counted = await timed(open.url);
    expect(counted.status).toBe(200);
    expect(counted.headers.get('x-gateway-governance')).toBeNull();
    await waitFor(() => /Governance store breaker closed/.test(closed.output()), 8000);
    expect((await ready(closed.url)).status).toBe(200);
  }, 60_000);
});
