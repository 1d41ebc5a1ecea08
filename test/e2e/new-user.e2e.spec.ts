import Anthropic from '@anthropic-ai/sdk';
import Groq from 'groq-sdk';
import OpenAI from 'openai';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startGateway } from './support/gateway-process';
import { startRedisServer } from './support/redis-server';
import { Stack, startStack } from './support/stack';

const DIST = join(__dirname, '..', '..', 'dist');
const ADMIN_KEY = 'admin-key-for-new-user-tests-0123456789';

describe('what a new user hits first', () => {
  let stack: Stack;
  let openai: OpenAI;

  beforeAll(async () => {
    stack = await startStack({ GATEWAY_ADMIN_KEY: ADMIN_KEY });
    const made = (await (
      await fetch(`${stack.gateway.url}/admin/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'new-user' }),
      })
    ).json()) as { key: string };
    openai = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: made.key, maxRetries: 0 });
  });
  afterAll(() => stack.stop());

  it("one public model name: groq/<id> on /v1 (body, x-gateway-model, metrics), Groq's bare id on /groq", async () => {
    const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const made = (await (
      await fetch(`${stack.gateway.url}/admin/keys`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ id: 'names' }),
      })
    ).json()) as { key: string };
    const headers = { authorization: `Bearer ${made.key}`, 'content-type': 'application/json' };
    for (const model of ['groq/llama-3.1-8b-instant', 'llama-3.1-8b-instant']) {
      const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(((await response.json()) as { model: string }).model).toBe(
        'groq/llama-3.1-8b-instant',
      );
      expect(response.headers.get('x-gateway-model')).toBe('groq/llama-3.1-8b-instant');
    }
    const stream = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        model: 'groq/llama-3.1-8b-instant',
        messages: [{ role: 'user', content: 'one two three' }],
        stream: true,
      }),
    });
    const chunks = (await stream.text())
      .split('\n\n')
      .filter((f) => f.startsWith('data: {'))
      .map((f) => JSON.parse(f.slice(6)) as { model: string });
    expect(new Set(chunks.map((c) => c.model))).toEqual(new Set(['groq/llama-3.1-8b-instant']));
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    const labels = new Set(
      [...metrics.matchAll(/groq_gateway_requests_total\{[^}]*model="([^"]+)"/g)].map((m) => m[1]),
    );
    expect(labels).toContain('groq/llama-3.1-8b-instant');
    expect(labels).not.toContain('llama-3.1-8b-instant');

    const groq = new Groq({
      baseURL: `${stack.gateway.url}/groq`,
      apiKey: made.key,
      maxRetries: 0,
    });
    const { data, response } = await groq.chat.completions
      .create({ model: 'llama-3.1-8b-instant', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(data.model).toBe('llama-3.1-8b-instant');
    expect(response.headers.get('x-gateway-model')).toBe('llama-3.1-8b-instant');
  });

  it("a budgeted key made with the README's admin example works at once: Groq's models are priced", async () => {
    const made = (await (
      await fetch(`${stack.gateway.url}/admin/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'team-b',
          name: 'Team B',
          models: ['groq/llama-3.3-70b-versatile'],
          requestsPerMinute: 100,
          tokensPerMinute: 50000,
          budget: { usd: 20, period: 'monthly' },
        }),
      })
    ).json()) as { key: string };
    const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${made.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'groq/llama-3.3-70b-versatile',
        messages: [{ role: 'user', content: 'Hello' }],
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-budget-limit-usd')).toBe('20');
  });

  it('stream_options without stream: true is reported in x-gateway-dropped-params', async () => {
    const { response } = await openai.chat.completions
      .create({
        model: 'groq/llama-3.1-8b-instant',
        messages: [{ role: 'user', content: 'x' }],
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get('x-gateway-dropped-params')).toBe('stream_options');
  });

  it('a base URL without /v1 gets a 404 that says which URL was meant', async () => {
    for (const [path, meant] of [
      ['/chat/completions', '/v1/chat/completions'],
      ['/groq/chat/completions', '/groq/openai/v1/chat/completions'],
      ['/v1/messages', '/anthropic/v1/messages'],
    ]) {
      const response = await fetch(`${stack.gateway.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(404);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('unknown_url');
      expect(error.message).toContain(`Did you mean ${meant}?`);
    }
  });

  it('starts with a few lines of its own at info: Nest route mapping is at debug', () => {
    const lines = stack.gateway
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; context?: string; msg: string });
    const startup = lines.filter((l) => !('req' in l) && l.context !== 'AccessLog');
    expect(startup.some((l) => /Mapped \{/.test(l.msg))).toBe(false);
    expect(startup.some((l) => l.context === 'RoutesResolver')).toBe(false);
    expect(startup.some((l) => /listening on/.test(l.msg))).toBe(true);
  });
});

describe('the demo and the standalone emulator', () => {
  it("npm run demo maps the common Claude names: the README's Anthropic one-liner works", async () => {
    const demo = spawn(process.execPath, [join(DIST, 'emulator', 'demo.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout.on('data', (d: Buffer) => (output += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`demo did not start:\n${output}`)), 20_000);
        demo.stdout.on('data', () => {
          const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const anthropic = new Anthropic({
        baseURL: `${url}/anthropic`,
        apiKey: 'unused',
        maxRetries: 0,
      });
      const message = await anthropic.messages.create({
        model: 'claude-3-5-sonnet-20241022',
        max_tokens: 512,
        messages: [{ role: 'user', content: 'Hi' }],
      });
      expect(message.content[0]).toMatchObject({ type: 'text' });
    } finally {
      demo.kill('SIGTERM');
      await new Promise((resolve) => demo.once('exit', resolve));
    }
  });

  it('the standalone emulator on a busy port exits with one line, not a stack trace', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>(
        (resolve) => {
          const child = spawn(process.execPath, [join(DIST, 'emulator', 'main.js')], {
            env: { PATH: process.env.PATH ?? '', EMULATOR_PORT: String(port) },
          });
          let err = '';
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.once('exit', (exitCode) => resolve({ code: exitCode, stderr: err }));
        },
      );
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([
        `groq emulator: 127.0.0.1:${port} is already in use; set EMULATOR_PORT to a free port`,
      ]);
    } finally {
      busy.close();
    }
  });
});

describe('the start-up line under REDIS_URL', () => {
  it('says what is shared (429 rests included) and what is learnt per replica', async () => {
    const redis = await startRedisServer();
    const gateway = await startGateway({
      GROQ_API_KEY: 'gsk_x',
      GROQ_BASE_URL: 'http://127.0.0.1:9',
      REDIS_URL: redis.url,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
    });
    try {
      const line = gateway
        .output()
        .split('\n')
        .find((l) => l.includes('REDIS_URL is set'));
      expect(line).toContain('Groq 429 rests are shared in Redis');
      expect(line).not.toContain('Groq key health is learnt per replica');
    } finally {
      await gateway.stop();
      await redis.stop();
    }
  });
});
