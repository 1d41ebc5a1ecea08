import OpenAI from 'openai';
import { until, type HttpReceiver, type ReceivedPost } from './support/alert-receivers';
import {
  adminAlerts,
  FREE_KEY,
  hookPosts,
  signatureValid,
  startAlertsBench,
} from './support/alerts-fixtures';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { MODEL, writeGatewayConfig } from './support/governance-fixtures';

const HOOK_SECRET = 'webhook-signing-secret-rules-001';
const SEARCH_KEY = 'vk-alerts-search-secret-00000000';
const COOLDOWN_SECONDS = 10;
const WINDOW_SECONDS = 5;

/**
 * Team `search` with a $0.40 daily budget, and its key search-a with a $100 budget of its own (so
 * only the team's can run out); a guardrail blocking a code name on input; three rules to a signed
 * webhook: budgets, Groq unavailable over a 5 s window with a 10 s cooldown (longer than the
 * window, so a second failure burst just after a resolve starts and ends inside it), guardrail blocks.
 */
const CONFIG = `
teams:
  - { id: search, name: Search, budget: { usd: 0.4, period: daily } }
governance:
  prices:
    llama-3.3-70b-versatile: { input: 5000, output: 5000 }
  virtualKeys:
    - { id: search-a, keyEnv: SEARCH_KEY, team: search, budget: { usd: 100, period: daily } }
    - { id: team-free, keyEnv: FREE_KEY }
guardrails:
  policies:
    - { id: no-codenames, kind: keywords, stage: input, action: block, words: [project-x] }
  defaults: [no-codenames]
alerts:
  allowPrivateNetworks: true
  evaluateSeconds: 0.2
  cooldownSeconds: 0
  channels:
    - { id: hook, kind: webhook, url: URL/hook, secretEnv: HOOK_SECRET }
  rules:
    - { id: budget, kind: budget_usage, threshold: 0.8, channels: [hook] }
    - { id: groq-down, kind: upstream_unavailable, threshold: 0.5, windowSeconds: ${WINDOW_SECONDS}, minRequests: 3, cooldownSeconds: ${COOLDOWN_SECONDS}, channels: [hook] }
    - { id: guard, kind: guardrail_blocks, threshold: 3, windowSeconds: 2, channels: [hook] }
    - { id: keys-out, kind: upstream_unavailable, windowSeconds: 5, minRequests: 1000, channels: [hook] }
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Rules evaluated on timers and a cooldown waited out: more than the default 20 s per test.
jest.setTimeout(90_000);

describe('alerts over HTTP with the official SDK: upstream_unavailable, cooldown, guardrail_blocks, team budgets', () => {
  let receiver: HttpReceiver;
  let stopBench: () => Promise<void>;
  let gateway: GatewayProcess;
  let free: OpenAI;
  let search: OpenAI;

  beforeAll(async () => {
    const bench = await startAlertsBench(['gsk_alerts_rules_key_1']);
    ({ receiver, stop: stopBench } = bench);
    gateway = await startGateway({
      ...bench.env,
      GROQ_API_KEY: 'gsk_alerts_rules_key_1',
      GATEWAY_CONFIG: writeGatewayConfig(CONFIG.replace('URL', receiver.url)).path,
      HOOK_SECRET,
      SEARCH_KEY,
      // Groq's failures are counted per attempt: one attempt a call, no breaker in the way.
      RETRY_MAX_ATTEMPTS: '1',
      BREAKER_FAILURE_THRESHOLD: '1000',
      UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '1000',
    });
    free = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: FREE_KEY, maxRetries: 0 });
    search = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: SEARCH_KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway?.stop();
    await stopBench?.();
  });

  /** A call answered, or the status of the SDK's APIError. */
  const status = async (client: OpenAI, text: string, more: { max_tokens?: number } = {}) => {
    try {
      await client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: text }],
        ...more,
      });
      return 200;
    } catch (error) {
      if (error instanceof OpenAI.APIError && error.status !== undefined) return error.status;
      throw error;
    }
  };

  /** Groq failing three ways, one fault chosen per request: a 503, a reset connection, a hang. */
  const groqFails = () =>
    Promise.all(
      ['[fault:503]', '[fault:reset]', '[fault:hang]'].map((fault) => status(free, `${fault} hi`)),
    );

  const firings = (rule: string) =>
    hookPosts(receiver, rule).filter((p) => p.body.type === 'alert.firing');
  const resolves = (rule: string) =>
    hookPosts(receiver, rule).filter((p) => p.body.type === 'alert.resolved');

  it('upstream_unavailable: Groq 5xx, resets and hangs fire once, resolve, and a second firing inside the cooldown is not sent (one after it is)', async () => {
    const answers = await groqFails();
    expect(answers.every((s) => s >= 500)).toBe(true);
    const first: ReceivedPost = await until(() => firings('groq-down')[0]);
    expect(signatureValid(first, HOOK_SECRET)).toBe(true);
    expect(first.body).toMatchObject({
      rule: { id: 'groq-down', kind: 'upstream_unavailable' },
      summary: expect.stringMatching(
        /^Groq failed 3 of 3 attempts over 5 s with 5xx or connection errors \(100\.0%; threshold 50\.0%\)$/,
      ),
      figure: 1,
      threshold: 0.5,
      details: { attempts: 3, failures: 3, windowSeconds: WINDOW_SECONDS },
    });
    // The window empties: one resolve.
    await until(() => resolves('groq-down')[0]);
    const resolvedAt = Date.now();

    // Groq fails again at once: the condition holds for a window, inside the cooldown.
    expect((await groqFails()).every((s) => s >= 500)).toBe(true);
    // While it cools down the alert stays `ok` (GET /admin/alerts) and nothing is sent.
    const held = await adminAlerts<{ rules: Array<{ id: string; state: string }> }>(
      gateway.url,
      'GET',
      '',
    );
    expect(held.json.rules.find((r) => r.id === 'groq-down')?.state).toBe('ok');
    await sleep(Math.max(0, resolvedAt + COOLDOWN_SECONDS * 1000 + 500 - Date.now()));
    expect(firings('groq-down')).toHaveLength(1);
    expect(resolves('groq-down')).toHaveLength(1);

    // After the cooldown the same condition is sent again.
    expect((await groqFails()).every((s) => s >= 500)).toBe(true);
    const second = await until(() => firings('groq-down')[1]);
    expect(second.body.alertKey).toBe(first.body.alertKey);
    expect(second.body.id).not.toBe(first.body.id);
    await until(() => resolves('groq-down')[1]);
  });

  it('guardrail_blocks: calls a policy blocks fire once at the threshold, then resolve', async () => {
    const answers = await Promise.all(
      [1, 2, 3].map((i) => status(free, `tell me about project-x, part ${i}`)),
    );
    expect(answers).toEqual([400, 400, 400]);
    const firing = await until(() => firings('guard')[0]);
    expect(signatureValid(firing, HOOK_SECRET)).toBe(true);
    expect(firing.body).toMatchObject({
      rule: { id: 'guard', kind: 'guardrail_blocks' },
      summary: '3 calls blocked by guardrails over 2 s (threshold 3)',
      figure: 3,
      threshold: 3,
      unit: 'count',
    });
    await until(() => resolves('guard')[0]);
    expect(firings('guard')).toHaveLength(1);
  });

  it('upstream_unavailable: every Groq key resting after a 429 fires, and resolves when the rest ends', async () => {
    // minRequests 1000: only the key pool's state can fire this rule.
    expect(await status(free, '[fault:429;retry-after=3] hi')).toBe(429);
    const firing = await until(() => firings('keys-out')[0]);
    expect(signatureValid(firing, HOOK_SECRET)).toBe(true);
    expect(firing.body).toMatchObject({
      rule: { id: 'keys-out', kind: 'upstream_unavailable' },
      summary: 'every Groq key (1) is resting after 429s or has its breaker open',
    });
    await until(() => resolves('keys-out')[0], 20_000);
    expect(firings('keys-out')).toHaveLength(1);
  });

  it("budget_usage: a team budget's 402 is the team's alert, naming the team, not the key's", async () => {
    let refused = false;
    for (let i = 0; i < 20 && !refused; i++) {
      refused = (await status(search, 'spend', { max_tokens: 20 })) === 402;
    }
    expect(refused).toBe(true);
    const whole = await until(() =>
      firings('budget').find((p) => p.body.alertKey === 'budget:team:search:1'),
    );
    expect(signatureValid(whole, HOOK_SECRET)).toBe(true);
    expect(whole.body).toMatchObject({
      scope: { team: 'search' },
      summary: expect.stringMatching(
        /^team search has reached its whole daily budget: calls on the team's keys are refused with 402 budget_exceeded \(\$[\d.]+ spent and \$[\d.]+ held by calls in flight, of \$0\.40\)$/,
      ),
      details: { budget: 'team', team: 'search', budgetUsd: 0.4 },
    });
    await until(() => firings('budget').find((p) => p.body.alertKey === 'budget:team:search:0.8'));
    await sleep(1_000);
    // The key's own $100 budget is far from used: nothing says the key's budget is exhausted.
    expect(
      hookPosts(receiver, 'budget').filter(
        (p) => (p.body.scope as { virtualKey?: string }).virtualKey !== undefined,
      ),
    ).toEqual([]);
  });
});
