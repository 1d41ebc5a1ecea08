import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caught } from './support/caught';
import { ADMIN_KEY, admin, chat, MODEL, writeGatewayConfig } from './support/governance-fixtures';
import { GATEWAY_KEY, manyKeys, Stack, startStack, waitFor } from './support/stack';

const KEYS = {
  open: 'vk-open-team-secret-000000000000',
  rpm: 'vk-rpm-team-secret-0000000000000',
  tpm: 'vk-tpm-team-secret-0000000000000',
  budget: 'vk-budget-team-secret-0000000000',
  llama: 'vk-llama-only-secret-00000000000',
  anthropic: 'vk-anthropic-team-secret-0000000',
};

// Prices high enough that one small call spends the whole budget of the budget key.
const CONFIG = `
governance:
  prices:
    groq/llama-3.3-70b-versatile: { input: 1000, output: 1000 }
  virtualKeys:
    - { id: open-team, keyEnv: OPEN_KEY }
    - { id: rpm-team, keyEnv: RPM_KEY, requestsPerMinute: 3 }
    - { id: tpm-team, keyEnv: TPM_KEY, tokensPerMinute: 30 }
    - id: budget-team
      keyEnv: BUDGET_KEY
      models: [groq/llama-3.3-70b-versatile]
      budget: { usd: 0.05, period: daily }
    - { id: anthropic-team, keyEnv: ANTHROPIC_TEAM_KEY, requestsPerMinute: 50, tokensPerMinute: 100000 }
    - id: llama-only
      keyFile: ${'${KEYFILE}'}
      models: [groq/llama-3.3-70b-versatile]
`;

describe('governance: virtual keys, limits, budgets, admin API, audit log', () => {
  let stack: Stack;
  let url: string;
  let auditPath: string;
  const createdKeys: string[] = [];

  const client = (apiKey: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });

  beforeAll(async () => {
    const { dir } = writeGatewayConfig('');
    const keyFile = join(dir, 'llama-only.key');
    writeFileSync(keyFile, `${KEYS.llama}\n`);
    const config = writeGatewayConfig(CONFIG.replace('${KEYFILE}', keyFile));
    auditPath = join(config.dir, 'audit', 'audit.jsonl');
    stack = await startStack({
      GATEWAY_CONFIG: config.path,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      AUDIT_LOG: auditPath,
      OPEN_KEY: KEYS.open,
      RPM_KEY: KEYS.rpm,
      TPM_KEY: KEYS.tpm,
      BUDGET_KEY: KEYS.budget,
      ANTHROPIC_TEAM_KEY: KEYS.anthropic,
      MODEL_ALIASES: 'claude-3-5-haiku-latest=groq/llama-3.3-70b-versatile',
      GROQ_API_KEYS: manyKeys(4),
      LOG_LEVEL: 'debug',
    });
    url = stack.gateway.url;
  });
  afterAll(() => stack.stop());

  const auditLines = () =>
    (existsSync(auditPath) ? readFileSync(auditPath, 'utf8') : '')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  describe('authentication', () => {
    it('says at start-up that virtual keys are required', () => {
      expect(stack.gateway.output()).toMatch(/Virtual keys required: 6 known; state in memory/);
    });

    it('refuses a call without a key: 401 missing_api_key in the envelope', async () => {
      const answer = await chat(url, undefined);
      expect(answer.status).toBe(401);
      expect(answer.json.error).toMatchObject({
        type: 'authentication_error',
        code: 'missing_api_key',
      });
    });

    it('refuses an unknown key, and does not call Groq', async () => {
      stack.emulator.reset();
      const error = await caught(
        client('vk-not-a-key').chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
        }),
      );
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(error.code).toBe('invalid_api_key');
      expect(stack.emulator.chatRequests()).toHaveLength(0);
    });

    it('admits a valid key (also one read from a mounted file), and never sends it to Groq', async () => {
      stack.emulator.reset();
      for (const key of [KEYS.open, KEYS.llama]) {
        const answer = await client(key).chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'Hi' }],
        });
        expect(answer.choices[0].message.content).toContain('You said: Hi');
      }
      const sent = stack.emulator.chatRequests().map((r) => r.headers.authorization);
      expect(sent.every((auth) => auth?.startsWith('Bearer gsk_e2e_key_'))).toBe(true);
    });

    it('asks for a key on model listing too, but not on probes and metrics', async () => {
      expect((await fetch(`${url}/v1/models`)).status).toBe(401);
      const models = await client(KEYS.open).models.list();
      expect(models.data.length).toBeGreaterThan(0);
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(200);
    });

    it("takes x-api-key on the Anthropic path, and answers a wrong one in Anthropic's shape", async () => {
      const anthropic = (apiKey: string) =>
        new Anthropic({ baseURL: `${url}/anthropic`, apiKey, maxRetries: 0 });
      const message = await anthropic(KEYS.open).messages.create({
        model: 'claude-3-5-haiku-latest',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'Hi Claude' }],
      });
      expect(message.content[0]).toMatchObject({ type: 'text' });
      const refused = await anthropic('sk-ant-wrong')
        .messages.create({
          model: 'claude-3-5-haiku-latest',
          max_tokens: 50,
          messages: [{ role: 'user', content: 'x' }],
        })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(Anthropic.AuthenticationError);
      expect((refused as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
        type: 'error',
        error: { type: 'authentication_error' },
      });
    });

    it("tells Anthropic clients where they stand in Anthropic's header names", async () => {
      const response = await fetch(`${url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': KEYS.anthropic,
          'anthropic-version': '2023-06-01',
        },
        body: JSON.stringify({
          model: 'claude-3-5-haiku-latest',
          max_tokens: 20,
          messages: [{ role: 'user', content: 'Hi' }],
        }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('anthropic-ratelimit-requests-limit')).toBe('50');
      expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('49');
      expect(
        Date.parse(response.headers.get('anthropic-ratelimit-requests-reset') ?? ''),
      ).toBeGreaterThan(Date.now());
      expect(response.headers.get('anthropic-ratelimit-tokens-limit')).toBe('100000');
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('50');
    });
  });

  describe('allowed models', () => {
    it('refuses a model the key may not call: 403 with param model', async () => {
      const error = await caught(
        client(KEYS.llama).chat.completions.create({
          model: 'groq/llama-3.1-8b-instant',
          messages: [{ role: 'user', content: 'x' }],
        }),
      );
      expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect(error).toMatchObject({ status: 403, code: 'model_not_allowed', param: 'model' });
      expect(error.message).toContain('groq/llama-3.3-70b-versatile');
    });

    it('refuses a fallback the key may not call', async () => {
      const answer = await chat(url, KEYS.llama, { fallbacks: ['groq/llama-3.1-8b-instant'] });
      expect(answer.status).toBe(403);
      expect(answer.json.error).toMatchObject({ param: 'fallbacks[0]', code: 'model_not_allowed' });
    });
  });

  describe('rate limits', () => {
    it('admits requestsPerMinute calls, then 429 with retry-after, and headers saying where the key stands', async () => {
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await chat(url, KEYS.rpm));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
      expect(answers.map((a) => a.headers.get('x-ratelimit-remaining-requests'))).toEqual([
        '2',
        '1',
        '0',
        '0',
      ]);
      expect(answers[0].headers.get('x-ratelimit-limit-requests')).toBe('3');
      expect(answers[0].headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+(\.\d+)?s|1m0s)$/);
      const refused = answers[3];
      expect(refused.json.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'requests' });
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    });

    it('the SDK sees a RateLimitError', async () => {
      const error = await caught(
        client(KEYS.rpm).chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
        }),
      );
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    });

    it("counts tokens from a streamed answer's usage, then refuses past tokensPerMinute", async () => {
      const stream = await client(KEYS.tpm).chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'Tell me something' }],
        stream: true,
      });
      for await (const chunk of stream) void chunk;
      let tokens = 0;
      const started = Date.now();
      while (tokens === 0 && Date.now() - started < 3000) {
        const usage = await admin(url, 'GET', '/tpm-team/usage');
        tokens = (usage.json.lastMinute as { tokens: number }).tokens;
      }
      expect(tokens).toBeGreaterThan(5);
      const refused = await chat(url, KEYS.tpm);
      expect(refused.status).toBe(429);
      expect(refused.json.error).toMatchObject({ type: 'tokens', code: 'rate_limit_exceeded' });
      // What is left cannot hold the next call's prompt estimate (reserved at admission).
      expect(Number(refused.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(
        30 - tokens + 1,
      );
    });
    it('charges a stream the client abandons mid-way at least its prompt', async () => {
      const tokensNow = async () =>
        ((await admin(url, 'GET', '/open-team/usage')).json.lastMinute as { tokens: number })
          .tokens;
      const before = await tokensNow();
      const controller = new AbortController();
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.open}` },
        body: JSON.stringify({
          model: MODEL,
          stream: true,
          // 50 ms between chunks: the client leaves long before Groq's last chunk and its usage.
          messages: [{ role: 'user', content: '[fault:latency=0,50] a long story, please' }],
        }),
        signal: controller.signal,
      });
      await response.body!.getReader().read();
      controller.abort();
      let after = before;
      const started = Date.now();
      while (after === before && Date.now() - started < 3000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        after = await tokensNow();
      }
      expect(after).toBeGreaterThan(before);
    });
  });

  describe('budgets', () => {
    it('prices each call from upstream usage, and answers 402 budget_exceeded once spent', async () => {
      // A long answer, clamped to what the budget can pay for, spends nearly all of it.
      const first = await chat(url, KEYS.budget, {
        messages: [{ role: 'user', content: 'Say a lot [words:400]' }],
      });
      expect(first.status).toBe(200);
      expect(first.headers.get('x-gateway-budget-limit-usd')).toBe('0.05');
      expect(Number(first.headers.get('x-gateway-max-tokens-clamped'))).toBeGreaterThan(0);
      const usage = first.json.usage as { prompt_tokens: number; completion_tokens: number };
      // $1000 per million tokens: a thousandth of a dollar per token.
      const expectedSpend = (usage.prompt_tokens + usage.completion_tokens) * 0.001;
      let spent = 0;
      const started = Date.now();
      while (spent === 0 && Date.now() - started < 3000) {
        const report = await admin(url, 'GET', '/budget-team/usage');
        spent = (report.json.budget as { spentUsd: number }).spentUsd;
      }
      expect(spent).toBeCloseTo(expectedSpend, 9);
      const refused = await chat(url, KEYS.budget);
      expect(refused.status).toBe(402);
      expect(refused.json.error).toMatchObject({ code: 'budget_exceeded' });
      expect(refused.json.error?.message).toMatch(/budget is used up/);
      expect(Number(refused.headers.get('x-gateway-budget-remaining-usd'))).toBeLessThan(
        0.05 - spent + 1e-9,
      );
      // Platform teams see the same per key in Prometheus.
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const spendLine =
        /groq_gateway_virtual_key_spend_usd_total\{virtual_key="budget-team"\} ([\d.e-]+)/.exec(
          metrics,
        );
      expect(Number(spendLine?.[1])).toBeCloseTo(expectedSpend, 9);
      expect(metrics).toMatch(
        new RegExp(
          `groq_gateway_virtual_key_tokens_total\\{virtual_key="budget-team",direction="out"\\} ${usage.completion_tokens}`,
        ),
      );
    });
  });

  describe('admin API', () => {
    it('refuses callers without the admin key, and audits it', async () => {
      const none = await admin(url, 'GET', '', undefined, null);
      expect(none.status).toBe(401);
      const virtualKey = await admin(url, 'GET', '', undefined, KEYS.open);
      expect(virtualKey.status).toBe(401);
      expect(virtualKey.json.error).toMatchObject({ code: 'invalid_admin_key' });
      // The audit stream is written asynchronously: give it a moment.
      await waitFor(
        () =>
          auditLines().filter((l) => l.action === 'admin.auth' && l.outcome === 'denied').length >=
          2,
      );
    });

    it('creates, lists, uses, reports, rotates and revokes a key', async () => {
      const created = await admin(url, 'POST', '', {
        id: 'team-b',
        name: 'Team B',
        models: [MODEL],
        requestsPerMinute: 100,
        budget: { usd: 5, period: 'monthly' },
      });
      expect(created.status).toBe(201);
      const key = created.json.key as string;
      createdKeys.push(key);
      expect(key).toMatch(/^gvk-[\w-]{43}$/);
      expect(created.json).toMatchObject({ id: 'team-b', status: 'active', source: 'admin' });
      expect(created.json).not.toHaveProperty('keySha256');

      const answer = await client(key).chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'Hi from team B' }],
      });
      expect(answer.choices[0].message.content).toContain('Hi from team B');

      const list = await admin(url, 'GET', '');
      const ids = (list.json.data as Array<{ id: string }>).map((k) => k.id);
      expect(ids).toEqual(expect.arrayContaining(['team-b', 'open-team', 'rpm-team']));
      expect(JSON.stringify(list.json)).not.toContain(key);
      expect(JSON.stringify(list.json)).not.toMatch(/[0-9a-f]{64}/);

      const duplicate = await admin(url, 'POST', '', { id: 'team-b' });
      expect(duplicate.status).toBe(409);

      let usage = await admin(url, 'GET', '/team-b/usage');
      const started = Date.now();
      while (
        (usage.json.lastMinute as { tokens: number }).tokens === 0 &&
        Date.now() - started < 3000
      ) {
        usage = await admin(url, 'GET', '/team-b/usage');
      }
      expect(usage.json).toMatchObject({
        id: 'team-b',
        lastMinute: { requests: 1, requestsPerMinute: 100 },
        budget: { usd: 5, period: 'monthly' },
      });
      expect((usage.json.lastMinute as { tokens: number }).tokens).toBe(answer.usage?.total_tokens);

      const rotated = await admin(url, 'POST', '/team-b/rotate');
      expect(rotated.status).toBe(200);
      const newKey = rotated.json.key as string;
      createdKeys.push(newKey);
      expect(newKey).not.toBe(key);
      expect((await chat(url, key)).status).toBe(401);
      expect((await chat(url, newKey)).status).toBe(200);

      const revoked = await admin(url, 'DELETE', '/team-b');
      expect(revoked.json).toMatchObject({ id: 'team-b', status: 'revoked' });
      expect((await chat(url, newKey)).status).toBe(401);
      expect((await admin(url, 'GET', '/team-b')).json).toMatchObject({ status: 'revoked' });
    });

    it('validates what it is given, with the field in param', async () => {
      const bad = await admin(url, 'POST', '', { requestsPerMinute: 0 });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatchObject({ param: 'requestsPerMinute' });
      const badBudget = await admin(url, 'POST', '', { budget: { usd: 5, period: 'weekly' } });
      expect(badBudget.status).toBe(400);
      expect(badBudget.json.error).toMatchObject({ param: 'budget.period' });
    });

    it('leaves keys from GATEWAY_CONFIG to the config, and says so', async () => {
      const rotate = await admin(url, 'POST', '/open-team/rotate');
      expect(rotate.status).toBe(409);
      expect((rotate.json.error as { message: string }).message).toContain('GATEWAY_CONFIG');
      expect((await admin(url, 'DELETE', '/nobody')).status).toBe(404);
    });
  });

  describe('audit log', () => {
    it('has one JSON line per admin action and per denied request, with who, what, outcome and request id', async () => {
      const denied = await chat(url, 'vk-wrong-key-for-audit');
      const requestId = denied.headers.get('x-request-id');
      // Audit lines are written asynchronously.
      await waitFor(() => auditLines().some((l) => l.requestId === requestId));
      const lines = auditLines();
      for (const line of lines) {
        expect(line).toMatchObject({
          log: 'audit',
          time: expect.any(String),
          requestId: expect.any(String),
        });
      }
      expect(lines.find((l) => l.requestId === requestId)).toMatchObject({
        action: 'request',
        actor: null,
        outcome: 'denied',
        status: 401,
        code: 'invalid_api_key',
        model: MODEL,
      });
      const actions = lines
        .filter((l) => l.actor === 'admin')
        .map((l) => `${String(l.action)}:${String(l.outcome)}`);
      expect(actions).toEqual(
        expect.arrayContaining([
          'key.create:ok',
          'key.rotate:ok',
          'key.revoke:ok',
          'key.list:ok',
          'key.usage:ok',
          'key.rotate:invalid',
          'key.revoke:not_found',
        ]),
      );
      const rateLimited = lines.find((l) => l.actor === 'rpm-team');
      expect(rateLimited).toMatchObject({
        outcome: 'denied',
        status: 429,
        code: 'rate_limit_exceeded',
      });
      // No prompt text unless AUDIT_INCLUDE_PROMPTS is set.
      expect(lines.some((l) => 'messages' in l)).toBe(false);
    });

    it('never holds a secret, and neither do the logs', () => {
      const written = readFileSync(auditPath, 'utf8') + stack.gateway.output();
      for (const secret of [
        ADMIN_KEY,
        GATEWAY_KEY,
        ...Object.values(KEYS),
        ...createdKeys,
        'gsk_e2e_key_1',
      ]) {
        expect(written).not.toContain(secret);
      }
      // The access lines name the virtual key by id.
      expect(stack.gateway.output()).toMatch(/"virtualKeyId":"open-team"/);
    });
  });
});

describe('governance off: no virtual keys and no admin key', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  it('stays open, and says so in a start-up line', async () => {
    expect(stack.gateway.output()).toMatch(/Gateway is open: no virtual keys in GATEWAY_CONFIG/);
    expect((await chat(stack.gateway.url, undefined)).status).toBe(200);
    const admin403 = await admin(stack.gateway.url, 'GET', '');
    expect(admin403.status).toBe(403);
    expect(admin403.json.error).toMatchObject({ code: 'admin_api_disabled' });
  });
});
