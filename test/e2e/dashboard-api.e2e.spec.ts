import OpenAI from 'openai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { adminGet, waitForLogs } from './support/request-logs';
import { manyKeys, Stack, startStack } from './support/stack';
import { readTail } from './support/event-stream';
import type { LogRecord } from '../../src/request-logs/log-record';

const MODEL = 'groq/llama-3.3-70b-versatile';
const VIRTUAL_KEY = 'vk-dashboard-e2e-secret-000000000';

describe('dashboard: the UI served at /ui under a strict CSP, and the admin API it needs', () => {
  let stack: Stack;
  let url: string;
  const client = (requestId: string) =>
    new OpenAI({
      baseURL: `${url}/v1`,
      apiKey: VIRTUAL_KEY,
      maxRetries: 0,
      defaultHeaders: { 'x-request-id': requestId },
    });

  beforeAll(async () => {
    stack = await startStack(
      {
        GATEWAY_CONFIG: writeGatewayConfig(
          'governance:\n  virtualKeys:\n    - { id: dash, keyEnv: VIRTUAL_KEY }\n',
        ).path,
        VIRTUAL_KEY,
        GATEWAY_ADMIN_KEY: ADMIN_KEY,
        GROQ_API_KEYS: manyKeys(2),
        RETRY_MAX_ATTEMPTS: '1',
        LOGS_FLUSH_INTERVAL_MS: '20',
        LOGS_BODIES: 'redacted',
      },
      { chunkDelayMs: 5 },
    );
    url = stack.gateway.url;
  });
  afterAll(() => stack?.stop());

  it('serves the built page at /ui/ (and redirects /ui) with the CSP and security headers', async () => {
    const redirect = await fetch(`${url}/ui`, { redirect: 'manual' });
    expect([301, 302, 308]).toContain(redirect.status);
    expect(redirect.headers.get('location')).toBe('/ui/');
    const page = await fetch(`${url}/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    // Nothing inline and nothing from elsewhere: every script is a file of the gateway's own.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/(src|href)="https?:/);
    const script = /<script[^>]+src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-security-policy')).toBe(csp);
  });

  it('builds into dist/ui with no reference to any other origin', () => {
    const dir = join(__dirname, '..', '..', 'dist', 'ui', 'assets');
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.js'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text).not.toMatch(/https?:\/\/(cdn|unpkg|fonts\.)/);
    }
  });

  it('answers a missing file under /ui with 404, still under the CSP', async () => {
    const missing = await fetch(`${url}/ui/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('GET /admin/me answers the principal and its permissions; 401 without the key', async () => {
    const { status, json } = await adminGet<Record<string, unknown>>(url, '/admin/me');
    expect(status).toBe(200);
    expect(json).toMatchObject({ object: 'principal', role: 'admin', via: 'admin_key' });
    expect(json.permissions).toEqual(expect.arrayContaining(['keys.write', 'logs.bodies']));
    expect((await adminGet(url, '/admin/me', null)).status).toBe(401);
    expect((await adminGet(url, '/admin/me', 'not-the-key')).status).toBe(401);
  });

  it('GET /admin/logs/tail streams each new matching record as an SSE event, without bodies', async () => {
    const tail = await readTail(url, '/admin/logs/tail?status=2xx&q=tail-e2e', ADMIN_KEY);
    try {
      expect(tail.status).toBe(200);
      expect(tail.contentType).toMatch(/^text\/event-stream/);
      await client('tail-e2e-ok').chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'hello tail' }],
      });
      // Filtered out: a 503 (status) and a call whose id does not match q.
      await client('tail-e2e-fails')
        .chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: '[fault:503]' }],
        })
        .catch(() => undefined);
      await client('other-call').chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'not for the tail' }],
      });
      const event = await tail.next();
      expect(event.event).toBe('log');
      const record = JSON.parse(event.data) as LogRecord;
      expect(record).toMatchObject({ request_id: 'tail-e2e-ok', status: 200, model: MODEL });
      expect(record).not.toHaveProperty('request_body');
      expect(record).not.toHaveProperty('response_body');
      // The stored record has its body (LOGS_BODIES=redacted): only the tail leaves it out.
      const [stored] = await waitForLogs(url, 1, 'q=tail-e2e-ok');
      expect(stored.request_body).toContain('hello tail');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(tail.received().filter((e) => e.event === 'log')).toHaveLength(1);
    } finally {
      tail.close();
    }
  });

  it('refuses the tail without the admin key, and a bad filter with 400 naming it', async () => {
    const refused = await fetch(`${url}/admin/logs/tail`);
    expect(refused.status).toBe(401);
    const bad = await adminGet<{ error: { param: string } }>(url, '/admin/logs/tail?status=abc');
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('status');
    // A misspelled filter would tail every call: refused, naming it.
    const misspelled = await adminGet<{ error: { param: string } }>(
      url,
      '/admin/logs/tail?virtual_key=team-a',
    );
    expect(misspelled.status).toBe(400);
    expect(misspelled.json.error.param).toBe('virtual_key');
  });

  it('GET /admin/stats answers time-to-first-token percentiles of streamed calls, in 5-minute buckets', async () => {
    for (let i = 0; i < 3; i++) {
      const stream = await client(`ttft-e2e-${i}`).chat.completions.create({
        model: MODEL,
        stream: true,
        messages: [{ role: 'user', content: `stream ${i}` }],
      });
      for await (const chunk of stream) void chunk;
    }
    const records = await waitForLogs(url, 3, 'q=ttft-e2e');
    const { status, json } = await adminGet<{ interval: string; data: Record<string, unknown>[] }>(
      url,
      '/admin/stats?q=ttft-e2e&interval=5m',
    );
    expect(status).toBe(200);
    expect(json.interval).toBe('5m');
    const firstTokens = records.map((r) => r.time_to_first_token_ms!).sort((a, b) => a - b);
    const buckets = json.data;
    expect(buckets.every((row) => /T\d\d:\d[05]:00\.000Z$/.test(row.start as string))).toBe(true);
    if (buckets.length === 1) {
      expect(buckets[0].ttft_p50_ms).toBe(firstTokens[1]);
      expect(buckets[0].ttft_p95_ms).toBe(firstTokens[2]);
    }
    // Calls that did not stream have no first token: their p50 is null, not 0.
    const plain = await adminGet<{ data: Record<string, unknown>[] }>(
      url,
      '/admin/stats?q=tail-e2e-ok',
    );
    expect(plain.json.data[0]).toMatchObject({ requests: 1, ttft_p50_ms: null, ttft_p95_ms: null });
  });

  it('PATCH /admin/keys/{id} changes limits and budget (null removes one), and they are enforced', async () => {
    const send = (method: string, path: string, body?: unknown) =>
      fetch(`${url}/admin/keys${path}`, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const made = (await (
      await send('POST', '', { id: 'patched', requestsPerMinute: 100 })
    ).json()) as {
      key: string;
    };
    const changed = await send('PATCH', '/patched', {
      requestsPerMinute: 1,
      budget: { usd: 2, period: 'daily' },
      name: 'changed',
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({
      id: 'patched',
      name: 'changed',
      requestsPerMinute: 1,
      budget: { usd: 2, period: 'daily' },
    });
    const keyed = new OpenAI({ baseURL: `${url}/v1`, apiKey: made.key, maxRetries: 0 });
    const ask = () =>
      keyed.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] });
    await ask();
    await expect(ask()).rejects.toMatchObject({ status: 429 });
    const cleared = (await (
      await send('PATCH', '/patched', { requestsPerMinute: null })
    ).json()) as Record<string, unknown>;
    expect(cleared).not.toHaveProperty('requestsPerMinute');
    expect(cleared).toMatchObject({ budget: { usd: 2 } });
    await ask();
    const bad = await send('PATCH', '/patched', { tokensPerMinute: 0 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe(
      'tokensPerMinute',
    );
    expect((await send('PATCH', '/no-such-key', { name: 'x' })).status).toBe(404);
    // Config keys are the operator's, changed in GATEWAY_CONFIG.
    expect((await send('PATCH', '/dash', { name: 'x' })).status).toBe(409);
  });

  it('GET /admin/groq-keys answers the pool by key id, with rests, and never a key value', async () => {
    await client('groq-keys-429')
      .chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: '[fault:429;retry-after=60]' }],
      })
      .catch(() => undefined);
    const response = await fetch(`${url}/admin/groq-keys`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    for (const value of manyKeys(2).split(',')) expect(text).not.toContain(value);
    const keys = (JSON.parse(text) as { data: Record<string, unknown>[] }).data;
    expect(keys.map((k) => k.id)).toHaveLength(2);
    const resting = keys.filter((k) => typeof k.restingUntil === 'string');
    expect(resting).toHaveLength(1);
    const restMs = Date.parse(resting[0].restingUntil as string) - Date.now();
    expect(restMs).toBeGreaterThan(50_000);
    expect(restMs).toBeLessThanOrEqual(60_000);
    // Groq limits each model on its own: the key rests for that model only (the one it served).
    expect(resting[0]).toMatchObject({ available: false, breaker: 'closed' });
    const models = resting[0].models as Array<Record<string, unknown>>;
    expect(models.filter((m) => m.rateLimited)).toEqual([
      expect.objectContaining({
        model: 'llama-3.3-70b-versatile',
        restingUntil: resting[0].restingUntil,
      }),
    ]);
    expect((await fetch(`${url}/admin/groq-keys`)).status).toBe(401);
  });
});
