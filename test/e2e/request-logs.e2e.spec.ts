import OpenAI from 'openai';
import { caught } from './support/caught';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { adminGet, logs, metricValue, waitForLogs, type Page } from './support/request-logs';
import { manyKeys, Stack, startStack, waitFor } from './support/stack';
import type { LogRecord } from '../../src/request-logs/log-record';

const BIG = 'groq/llama-3.3-70b-versatile';
const SMALL = 'groq/llama-3.1-8b-instant';
const KEY_A = 'vk-logs-team-a-secret-0000000000';
const KEY_B = 'vk-logs-team-b-secret-0000000000';

const CONFIG = `
teams:
  - { id: finance, name: Finance }
governance:
  prices:
    llama-3.3-70b-versatile: { input: 0.59, output: 0.79 }
  virtualKeys:
    - { id: team-a, keyEnv: KEY_A }
    - { id: team-b, keyEnv: KEY_B }
`;

describe('request logs: one record per call in the SQLite store, and the admin query API', () => {
  let stack: Stack;
  let url: string;
  const startedAt = Date.now();
  const ids: Record<string, string> = {};
  const client = (apiKey: string, requestId?: string) =>
    new OpenAI({
      baseURL: `${url}/v1`,
      apiKey,
      maxRetries: 0,
      defaultHeaders: requestId ? { 'x-request-id': requestId, 'user-agent': 'logs-e2e/1.0' } : {},
    });

  beforeAll(async () => {
    const config = writeGatewayConfig(CONFIG);
    stack = await startStack(
      {
        GATEWAY_CONFIG: config.path,
        GATEWAY_ADMIN_KEY: ADMIN_KEY,
        KEY_A,
        KEY_B,
        GROQ_API_KEYS: manyKeys(3),
        RETRY_MAX_ATTEMPTS: '1',
        LOGS_FLUSH_INTERVAL_MS: '20',
        LOGS_BODIES: 'redacted',
        LOGS_BODY_MAX_BYTES: '400',
        LOGS_CLIENT_ADDRESS: 'true',
      },
      { chunkDelayMs: 5 },
    );
    url = stack.gateway.url;

    ids.json = 'logs-e2e-json-a';
    await client(KEY_A, ids.json).chat.completions.create({
      model: BIG,
      messages: [{ role: 'user', content: 'a needle-in-haystack question' }],
    });
    ids.stream = 'logs-e2e-stream-b';
    const stream = await client(KEY_B, ids.stream).chat.completions.create({
      model: SMALL,
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
    });
    for await (const _chunk of stream) void _chunk;
    ids.failed = 'logs-e2e-503-a';
    await caught(
      client(KEY_A, ids.failed).chat.completions.create({
        model: BIG,
        messages: [{ role: 'user', content: '[fault:503]' }],
      }),
    );
    ids.unsupported = 'logs-e2e-400-b';
    await caught(client(KEY_B, ids.unsupported).embeddings.create({ model: BIG, input: 'x' }));
    ids.long = 'logs-e2e-long-body';
    await client(KEY_A, ids.long).chat.completions.create({
      model: BIG,
      messages: [{ role: 'user', content: 'é'.repeat(1000) }],
    });
    await waitForLogs(url, 5);
  });
  afterAll(() => stack.stop());

  const byRequest = async (id: string) =>
    (await adminGet<LogRecord>(url, `/admin/logs/${id}`)).json;

  it('records every call once, newest first, with the fields of the ended call', async () => {
    const page = await logs(url, 'limit=100');
    expect(page.data.map((r) => r.request_id)).toEqual([
      ids.long,
      ids.unsupported,
      ids.failed,
      ids.stream,
      ids.json,
    ]);
    const json = await byRequest(ids.json);
    expect(json).toMatchObject({
      schema_version: 1,
      request_id: ids.json,
      method: 'POST',
      path: '/v1/chat/completions',
      api_family: 'chat',
      virtual_key_id: 'team-a',
      model_asked: BIG,
      model: BIG,
      status: 200,
      error_code: null,
      attempts: 1,
      fallback_used: false,
      stream: false,
      user_agent: 'logs-e2e/1.0',
      client_address: '127.0.0.1',
    });
    expect(json.key_id).toMatch(/^key-\d$/);
    expect(json.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(json.prompt_tokens).toBeGreaterThan(0);
    expect(json.completion_tokens).toBeGreaterThan(0);
    expect(json.total_tokens).toBe(json.prompt_tokens! + json.completion_tokens!);
    // Priced in GATEWAY_CONFIG: USD per million tokens.
    expect(json.cost_usd).toBeCloseTo(
      (json.prompt_tokens! * 0.59 + json.completion_tokens! * 0.79) / 1e6,
      12,
    );
    expect(json.latency_ms).toBeGreaterThan(0);
    expect(Date.parse(json.time)).toBeGreaterThanOrEqual(startedAt - 1000);

    const stream = await byRequest(ids.stream);
    expect(stream).toMatchObject({
      stream: true,
      status: 200,
      virtual_key_id: 'team-b',
      model: SMALL,
    });
    expect(stream.time_to_first_token_ms).toBeGreaterThan(0);
    expect(stream.time_to_first_token_ms).toBeLessThanOrEqual(stream.latency_ms);
  });

  it('records failures with the status and error code the client got', async () => {
    expect(await byRequest(ids.failed)).toMatchObject({ status: 503, virtual_key_id: 'team-a' });
    expect((await byRequest(ids.failed)).error_code).toBeTruthy();
    expect(await byRequest(ids.unsupported)).toMatchObject({
      status: 400,
      error_code: 'unsupported_operation',
      api_family: 'other',
    });
  });

  it('keeps bodies as LOGS_BODIES says: redacted ones cut at LOGS_BODY_MAX_BYTES', async () => {
    const long = await byRequest(ids.long);
    expect(Buffer.byteLength(long.request_body!)).toBeLessThanOrEqual(400);
    // The body sent upstream (after any guardrail redaction), cut at the limit.
    expect(long.request_body).toMatch(/"messages":\[\{"role":"user","content":"é+…\[truncated\]$/);
    const json = await byRequest(ids.json);
    expect(JSON.parse(json.request_body!)).toMatchObject({
      messages: [{ content: 'a needle-in-haystack question' }],
    });
    // The JSON answer as sent, cut at the same limit.
    expect(json.response_body).toMatch(/^\{.*"object":"chat\.completion"/);
    expect(Buffer.byteLength(json.response_body!)).toBeLessThanOrEqual(400);
  });

  it.each([
    ['model', `model=${encodeURIComponent(SMALL)}`, ['stream']],
    ['virtual key', 'virtualKey=team-b', ['unsupported', 'stream']],
    ['exact status', 'status=503', ['failed']],
    ['status class', 'status=4xx', ['unsupported']],
    ['error code', 'code=unsupported_operation', ['unsupported']],
    ['free text (case-insensitive, in bodies too)', 'q=NEEDLE-IN', ['json']],
    ['free text in request ids', 'q=stream-b', ['stream']],
    ['two filters together', 'virtualKey=team-a&status=200', ['long', 'json']],
  ])('filters by %s', async (_name, query, expected) => {
    const page = await logs(url, query);
    expect(page.data.map((r) => r.request_id)).toEqual(expected.map((k) => ids[k]));
  });

  it('filters by the Groq key that served', async () => {
    const all = (await logs(url)).data;
    const keyId = (await byRequest(ids.json)).key_id!;
    const page = await logs(url, `keyId=${keyId}`);
    expect(page.data.map((r) => r.request_id)).toEqual(
      all.filter((r) => r.key_id === keyId).map((r) => r.request_id),
    );
    expect(page.data.map((r) => r.request_id)).toContain(ids.json);
    expect((await logs(url, 'keyId=key-none')).data).toEqual([]);
  });

  it('filters by time: from is inclusive, to exclusive', async () => {
    const all = (await logs(url)).data;
    const stream = all.find((r) => r.request_id === ids.stream)!;
    const from = encodeURIComponent(stream.time);
    const after = (await logs(url, `from=${from}`)).data.map((r) => r.request_id);
    expect(after).toContain(ids.stream);
    expect(after).not.toContain(ids.json);
    const before = (await logs(url, `to=${Date.parse(stream.time)}`)).data.map((r) => r.request_id);
    expect(before).toEqual([ids.json]);
    expect((await logs(url, 'from=2000-01-01&to=2000-01-02')).data).toEqual([]);
  });

  it('pages with limit and next_cursor until the last page, which has none', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await logs(url, `limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.data.map((r) => r.request_id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([ids.long, ids.unsupported, ids.failed, ids.stream, ids.json]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=5000', 'limit'],
    ['from=yesterday', 'from'],
    ['status=abc', 'status'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['from=2026-02-01&to=2026-01-01', 'from'],
    // Past what a Date holds; 20 digits is past Postgres's bigint too.
    ['from=99999999999999999', 'from'],
    ['to=12345678901234567890', 'to'],
    // A misspelled filter is refused, not ignored (which answered every record, unfiltered).
    ['virtual_key=team-b', 'virtual_key'],
    ['limit=2&Model=x', 'Model'],
  ])('answers 400 naming the parameter for %s', async (query, param) => {
    const { status, json } = await adminGet<{
      error: { param: string; code: string; message: string };
    }>(url, `/admin/logs?${query}`);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({
      param,
      code: 'invalid_query_parameter',
      type: 'invalid_request_error',
    });
    expect(json.error.message).toContain(param);
  });

  it('answers 404 for an unknown request id and 401 without the admin key', async () => {
    const missing = await adminGet<{ error: { code: string } }>(url, '/admin/logs/no-such-request');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('log_not_found');
    for (const path of ['/admin/logs', '/admin/logs/x', '/admin/logs/export', '/admin/stats']) {
      expect((await adminGet(url, path, null)).status).toBe(401);
      expect((await adminGet(url, path, 'wrong-admin-key')).status).toBe(401);
    }
  });

  it('answers stats by model: counts, error rate, latency percentiles, tokens and cost', async () => {
    const { status, json } = await adminGet<{ data: Record<string, unknown>[] }>(
      url,
      '/admin/stats?groupBy=model',
    );
    expect(status).toBe(200);
    const big = json.data.find((row) => row.group === BIG)!;
    // Grouped by the model that served; a call that failed before one did has none.
    const records = (await logs(url)).data.filter((r) => r.model === BIG);
    expect(big).toMatchObject({
      requests: records.length,
      errors: records.filter((r) => r.status >= 400).length,
    });
    expect(big.error_rate).toBeCloseTo((big.errors as number) / records.length, 6);
    const latencies = records.map((r) => r.latency_ms).sort((a, b) => a - b);
    expect(big.latency_p50_ms).toBe(latencies[Math.ceil(latencies.length * 0.5) - 1]);
    expect(big.latency_p95_ms).toBe(latencies[Math.ceil(latencies.length * 0.95) - 1]);
    expect(big.total_tokens).toBe(records.reduce((sum, r) => sum + (r.total_tokens ?? 0), 0));
    expect(big.cost_usd).toBeGreaterThan(0);
  });

  it('answers stats by status in minute buckets, and checks its parameters', async () => {
    const { json } = await adminGet<{ interval: string; data: Record<string, unknown>[] }>(
      url,
      '/admin/stats?groupBy=status&interval=1m',
    );
    expect(json.interval).toBe('1m');
    const total = json.data.reduce((sum, row) => sum + (row.requests as number), 0);
    expect(total).toBe(5);
    expect(json.data.every((row) => /T\d\d:\d\d:00\.000Z$/.test(row.start as string))).toBe(true);
    expect(new Set(json.data.map((row) => row.group))).toEqual(new Set(['200', '400', '503']));
    const bad = await adminGet<{ error: { param: string } }>(url, '/admin/stats?groupBy=colour');
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('groupBy');
    const tooMany = await adminGet<{ error: { param: string } }>(
      url,
      '/admin/stats?interval=1m&from=2020-01-01',
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.param).toBe('interval');
    // A time no Date holds: 400, not 503.
    const huge = await adminGet<{ error: { param: string } }>(
      url,
      '/admin/stats?from=99999999999999999',
    );
    expect(huge.status).toBe(400);
    expect(huge.json.error.param).toBe('from');
    const misspelled = await adminGet<{ error: { param: string } }>(
      url,
      '/admin/stats?group_by=model',
    );
    expect(misspelled.status).toBe(400);
    expect(misspelled.json.error.param).toBe('group_by');
  });

  it('exports NDJSON and CSV, oldest first, saying the schema version', async () => {
    const ndjson = await fetch(`${url}/admin/logs/export?format=ndjson&virtualKey=team-a`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(ndjson.status).toBe(200);
    expect(ndjson.headers.get('content-type')).toBe('application/x-ndjson');
    expect(ndjson.headers.get('x-gateway-logs-schema-version')).toBe('1');
    const lines = (await ndjson.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LogRecord);
    expect(lines.map((r) => r.request_id)).toEqual([ids.json, ids.failed, ids.long]);
    expect(lines[0].schema_version).toBe(1);

    const csv = await fetch(`${url}/admin/logs/export?format=csv`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = (await csv.text()).trimEnd().split('\r\n');
    const header = rows[0].split(',');
    expect(header.slice(0, 4)).toEqual(['id', 'schema_version', 'time', 'request_id']);
    expect(rows).toHaveLength(6);
    expect(rows[1].split(',')[header.indexOf('request_id')]).toBe(ids.json);

    const bad = await adminGet<{ error: { param: string } }>(url, '/admin/logs/export?format=xml');
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('format');
    const misspelled = await adminGet<{ error: { param: string } }>(
      url,
      '/admin/logs/export?format=csv&virtual_key=team-a',
    );
    expect(misspelled.status).toBe(400);
    expect(misspelled.json.error.param).toBe('virtual_key');
  });

  it('records an abandoned stream as 499 when it ends', async () => {
    const controller = new AbortController();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${KEY_B}`,
        'x-request-id': 'logs-e2e-abandoned',
      },
      body: JSON.stringify({
        model: SMALL,
        messages: [{ role: 'user', content: 'a long answer, please, word after word after word' }],
        stream: true,
      }),
      signal: controller.signal,
    });
    await response.body!.getReader().read();
    controller.abort();
    const [record] = await waitForLogs(url, 1, 'q=logs-e2e-abandoned');
    expect(record).toMatchObject({ status: 499, stream: true, virtual_key_id: 'team-b' });
  });

  it('names the key and model of a JSON call its client left while Groq was answering', async () => {
    const controller = new AbortController();
    const sent = stack.emulator.chatRequests().length;
    const call = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${KEY_B}`,
        'x-request-id': 'logs-e2e-left-mid-attempt',
      },
      body: JSON.stringify({ model: SMALL, messages: [{ role: 'user', content: '[fault:hang]' }] }),
      signal: controller.signal,
    }).then(
      () => 'answered',
      (error: { name: string }) => error.name,
    );
    await waitFor(() => stack.emulator.chatRequests().length > sent);
    controller.abort();
    expect(await call).toBe('AbortError');
    const [record] = await waitForLogs(url, 1, 'q=logs-e2e-left-mid-attempt');
    const sentWith = String(stack.emulator.chatRequests()[sent].headers.authorization);
    expect(record).toMatchObject({ status: 499, stream: false, model: SMALL, attempts: 1 });
    // The record names the key the request went to Groq with (ids key-1.., sent as gsk_..._N).
    expect(record.key_id).toMatch(/^key-\d$/);
    expect(sentWith.endsWith(String(record.key_id).replace('key-', '_'))).toBe(true);
  });

  it('erases by request id, by virtual key and by time, saying how many', async () => {
    const del = async (query: string) => {
      const response = await fetch(`${url}/admin/logs${query}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    const none = await del('');
    expect(none.status).toBe(400);
    expect((none.json.error as { param: string }).param).toBe('virtualKey');
    // A time no Date holds is refused before anything is erased (it erased, then answered 500).
    const stored = (await logs(url)).data.length;
    const huge = await del('?before=99999999999999999');
    expect(huge.status).toBe(400);
    expect(huge.json.error).toMatchObject({ param: 'before', code: 'invalid_query_parameter' });
    expect((await logs(url)).data).toHaveLength(stored);
    // A parameter erasure does not take is refused, not ignored (which erased all of team-b).
    const withFrom = await del('?virtualKey=team-b&from=2026-06-01');
    expect(withFrom.status).toBe(400);
    expect(withFrom.json.error).toMatchObject({ param: 'from', code: 'invalid_query_parameter' });
    expect((withFrom.json.error as { message: string }).message).toContain('requestId');
    expect((await logs(url)).data).toHaveLength(stored);
    expect((await del(`?requestId=${ids.failed}`)).json).toEqual({
      object: 'logs.deleted',
      deleted: 1,
    });
    expect((await adminGet(url, `/admin/logs/${ids.failed}`)).status).toBe(404);
    const teamB = (await logs(url, 'virtualKey=team-b')).data.length;
    expect((await del('?virtualKey=team-b')).json.deleted).toBe(teamB);
    expect((await logs(url, 'virtualKey=team-b')).data).toEqual([]);
    expect((await del('?before=2000-01-01')).json.deleted).toBe(0);
    expect((await del(`?before=${Date.now() + 1000}`)).json.deleted).toBe(2);
    expect((await logs(url)).data).toEqual([]);
  });

  it('counts what it wrote in /metrics and never drops at this load', async () => {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(
      metricValue(metrics, 'groq_gateway_request_logs_written_total', { sink: 'store' }),
    ).toBeGreaterThanOrEqual(6);
    expect(metricValue(metrics, 'groq_gateway_request_logs_dropped_total', { sink: 'store' })).toBe(
      0,
    );
  });
  it("records the team of the call's virtual key (issue 20)", async () => {
    const created = await fetch(`${url}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'finance-bot', team: 'finance' }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    await client(key, 'logs-e2e-team').chat.completions.create({
      model: SMALL,
      messages: [{ role: 'user', content: 'a call on a team key' }],
    });
    const [record] = await waitForLogs(url, 1, 'q=logs-e2e-team');
    expect(record).toMatchObject({ virtual_key_id: 'finance-bot', team_id: 'finance' });
    // A key without a team: none.
    await client(KEY_A, 'logs-e2e-no-team').chat.completions.create({
      model: SMALL,
      messages: [{ role: 'user', content: 'a call on a teamless key' }],
    });
    const [teamless] = await waitForLogs(url, 1, 'q=logs-e2e-no-team');
    expect(teamless).toMatchObject({ virtual_key_id: 'team-a', team_id: null });
  });
});
