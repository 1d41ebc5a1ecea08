import type { EndedCall } from '../call/ended-call';
import { bodyText, toLogRecord, truncateUtf8, type RecordOptions } from './to-log-record';

const call: EndedCall = {
  requestId: 'req-1',
  traceId: 'a'.repeat(32),
  method: 'POST',
  path: '/v1/chat/completions',
  httpRoute: '/v1/chat/completions',
  apiFamily: 'chat',
  status: 200,
  startedAtMs: Date.UTC(2026, 10, 30, 17, 0, 0),
  durationMs: 12.34567,
  firstByteMs: 3.2,
  stream: true,
  modelAsked: 'groq/llama-3.3-70b-versatile',
  model: 'groq/llama-3.3-70b-versatile',
  keyId: 'key-1',
  virtualKeyId: 'team-a',
  attempts: 2,
  retries: 0,
  fallbacks: 1,
  usage: {
    prompt_tokens: 10,
    completion_tokens: 5,
    total_tokens: 15,
    prompt_tokens_details: { cached_tokens: 4 },
  },
  clientAddress: '10.0.0.7',
  userAgent: 'sdk/1',
  requestBody: { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
  overheadMs: 1,
  upstreamStarted: true,
  estimatePromptTokens: () => 2,
};

const options: RecordOptions = { bodies: 'off', bodyMaxBytes: 64, clientAddress: false };

describe('toLogRecord', () => {
  it('maps the ended call into the flat record, with the schema version and the given id', () => {
    expect(toLogRecord(call, options, 'id-1')).toMatchObject({
      id: 'id-1',
      schema_version: 1,
      time: '2026-11-30T17:00:00.000Z',
      request_id: 'req-1',
      virtual_key_id: 'team-a',
      status: 200,
      attempts: 2,
      fallback_used: true,
      stream: true,
      latency_ms: 12.346,
      time_to_first_token_ms: 3.2,
      prompt_tokens: 10,
      cached_tokens: 4,
      completion_tokens: 5,
      reasoning_tokens: 0,
      total_tokens: 15,
      cost_usd: null,
      client_address: null,
      request_body: null,
      response_body: null,
    });
  });

  it('keeps the client address only with LOGS_CLIENT_ADDRESS, and asks for the cost when the event has none', () => {
    const record = toLogRecord(call, { ...options, clientAddress: true, costOf: () => 0.25 });
    expect(record.client_address).toBe('10.0.0.7');
    expect(record.cost_usd).toBe(0.25);
    expect(toLogRecord({ ...call, costUsd: 1 }, { ...options, costOf: () => 2 }).cost_usd).toBe(1);
  });

  it('leaves tokens null when no usage came', () => {
    const record = toLogRecord({ ...call, usage: undefined }, options);
    expect([record.prompt_tokens, record.cached_tokens, record.total_tokens]).toEqual([
      null,
      null,
      null,
    ]);
  });
});

describe('bodies', () => {
  it('are off by default, whole when full, cut at the byte limit when redacted', () => {
    const body = { content: 'x'.repeat(100) };
    expect(bodyText(body, options)).toBeNull();
    expect(bodyText(body, { ...options, bodies: 'full' })).toBe(JSON.stringify(body));
    const cut = bodyText(body, { ...options, bodies: 'redacted' })!;
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(64);
    expect(cut.endsWith('…[truncated]')).toBe(true);
    expect(bodyText(Buffer.from('{"a":1}'), { ...options, bodies: 'full' })).toBe('{"a":1}');
  });

  it('never splits a UTF-8 character when cutting', () => {
    const cut = truncateUtf8('é'.repeat(50), 30);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(30);
    expect(cut).toMatch(/^é+…\[truncated\]$/);
    expect(truncateUtf8('short', 30)).toBe('short');
  });
});
