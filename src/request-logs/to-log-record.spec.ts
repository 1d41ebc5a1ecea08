import type { EndedCall } from '../call/ended-call';
import { noNul } from './no-nul';
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

  it("keeps the text's own U+FFFD at the cut (a NUL it had), dropping only a split character", () => {
    const marker = Buffer.byteLength('…[truncated]');
    expect(truncateUtf8(`ab\uFFFD\uFFFD${'x'.repeat(50)}`, 8 + marker)).toBe(
      'ab\uFFFD\uFFFD…[truncated]',
    );
    expect(truncateUtf8(`ab\uFFFD\uFFFD${'x'.repeat(50)}`, 7 + marker)).toBe(
      'ab\uFFFD…[truncated]',
    );
  });
});

describe('a NUL in the call', () => {
  /**
   * The call with a NUL in every text it carries (as a client's model or body may hold one), but
   * its API family and error code: the gateway's own codes (their types list them).
   */
  const withNuls: EndedCall = {
    ...call,
    requestId: 'req\u0000',
    traceId: 'trace\u0000',
    method: 'POST\u0000',
    path: '/v1/chat/completions\u0000',
    httpRoute: '/v1/chat/completions\u0000',
    virtualKeyId: 'vk\u0000',
    teamId: 'team\u0000',
    modelAsked: 'groq/llama\u0000\u0000-needle',
    model: 'llama\u0000',
    modelRoute: { id: 'route\u0000', target: 'm\u0000' } as EndedCall['modelRoute'],
    keyId: 'key\u0000',
    guardrails: [{ policy: 'pii\u0000', stage: 'input', outcome: 'flagged', category: 'S1\u0000' }],
    clientAddress: '10.0.0.1\u0000',
    userAgent: 'agent\u0000',
    requestBody: 'raw\u0000body',
    responseBody: Buffer.from('error\u0000'),
  };

  /** Every string in the record, guardrails' too, with where it is. */
  function texts(value: unknown, at = ''): [string, string][] {
    if (typeof value === 'string') return [[at, value]];
    if (value === null || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([key, v]) => texts(v, `${at}.${key}`));
  }

  it('is U+FFFD in every text of the record, so the store, the exports and the live tail see the same', () => {
    const record = toLogRecord(withNuls, { ...options, bodies: 'full', clientAddress: true });
    const found = texts(record);
    expect(found.filter(([, text]) => text.includes('\u0000'))).toEqual([]);
    // Every text of the call is there (none left out as null).
    expect(found.filter(([, text]) => text.includes('\uFFFD')).map(([at]) => at)).toEqual([
      '.request_id',
      '.trace_id',
      '.method',
      '.path',
      '.route',
      '.virtual_key_id',
      '.team_id',
      '.model_asked',
      '.model',
      '.model_route',
      '.key_id',
      '.guardrails.0.policy',
      '.guardrails.0.category',
      '.client_address',
      '.user_agent',
      '.request_body',
      '.response_body',
    ]);
    expect(record.model_asked).toBe('groq/llama\uFFFD\uFFFD-needle');
    expect(record.request_body).toBe('raw\uFFFDbody');
    // A body parsed from JSON holds a NUL escaped (\u0000 as text), which no store minds.
    expect(
      toLogRecord({ ...call, requestBody: { content: 'a\u0000b' } }, { ...options, bodies: 'full' })
        .request_body,
    ).toBe('{"content":"a\\u0000b"}');
  });

  it('is replaced before a redacted body is cut, so the cut holds (U+FFFD is three bytes)', () => {
    const cut = bodyText('\u0000'.repeat(64), { ...options, bodies: 'redacted' })!;
    expect(cut.includes('\u0000')).toBe(false);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(64);
    expect(cut).toMatch(/^\uFFFD+…\[truncated\]$/);
  });

  it('leaves text without one as it is, and null as null', () => {
    expect(noNul('groq/llama-3.3-70b-versatile')).toBe('groq/llama-3.3-70b-versatile');
    expect(noNul(null)).toBeNull();
    expect(noNul(undefined)).toBeUndefined();
    expect(toLogRecord(call, options).guardrails).toBeNull();
    const guarded = toLogRecord(
      { ...call, guardrails: [{ policy: 'pii', stage: 'input', outcome: 'pass' }] },
      options,
    );
    expect(guarded.guardrails).toEqual([{ policy: 'pii', stage: 'input', outcome: 'pass' }]);
  });
});
