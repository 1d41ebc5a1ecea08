import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { LOG_SCHEMA_VERSION, type LogRecord } from '../log-record';
import { migrateToLatest } from './migrations';
import { fromRow, noNul, ROW_COLUMNS, toRow, toRowValues } from './row-mapping';
import type { RequestLogRow } from './schema';
import { sqliteRowWriter } from './sqlite-rows';

/** A record whose every text field holds a NUL (as a client's `model` or body may). */
function withNuls(): LogRecord {
  return {
    id: 'id\u0000',
    schema_version: LOG_SCHEMA_VERSION,
    time: '2026-11-30T20:00:00.000Z',
    request_id: 'req\u0000',
    trace_id: 'trace\u0000',
    method: 'POST\u0000',
    path: '/v1/chat/completions\u0000',
    route: '/v1/chat/completions\u0000',
    api_family: 'chat\u0000',
    virtual_key_id: 'vk\u0000',
    team_id: 'team\u0000',
    model_asked: 'groq/llama\u0000\u0000-needle',
    model: 'llama\u0000',
    model_route: 'route\u0000',
    key_id: 'key\u0000',
    status: 400,
    error_code: 'model_not_found\u0000',
    attempts: 1,
    retries: 0,
    fallbacks: 0,
    fallback_used: false,
    stream: false,
    latency_ms: 3,
    time_to_first_token_ms: null,
    prompt_tokens: null,
    cached_tokens: null,
    completion_tokens: null,
    reasoning_tokens: null,
    total_tokens: null,
    cost_usd: null,
    guardrails: [{ policy: 'pii\u0000', stage: 'input', outcome: 'redacted' }],
    client_address: '10.0.0.1\u0000',
    user_agent: 'agent\u0000',
    request_body: '{"model":"groq/llama\\u0000"}\u0000',
    response_body: 'error\u0000',
  };
}

describe('row mapping: no U+0000 reaches a store', () => {
  it('makes each NUL of each text field U+FFFD, in toRow and toRowValues alike', () => {
    const record = withNuls();
    const row = toRow(record);
    for (const [column, value] of Object.entries(row))
      if (typeof value === 'string')
        expect([column, value.includes('\u0000')]).toEqual([column, false]);
    expect(row.model_asked).toBe('groq/llama\uFFFD\uFFFD-needle');
    expect(row.request_body).toBe('{"model":"groq/llama\\u0000"}\uFFFD');
    // The guardrails' JSON escapes a NUL as text (\u0000), which both stores take.
    expect(row.guardrails).toBe(JSON.stringify(record.guardrails));
    expect(toRowValues(record)).toEqual(ROW_COLUMNS.map((column) => row[column]));
  });

  it('leaves text without a NUL as it is, and null as null', () => {
    expect(noNul('groq/llama-3.3-70b-versatile')).toBe('groq/llama-3.3-70b-versatile');
    expect(noNul(null)).toBeNull();
    expect(noNul(undefined)).toBeUndefined();
    const clean = { ...withNuls(), model_asked: 'm', model: null };
    expect(toRow(clean)).toMatchObject({ model_asked: 'm', model: null });
  });

  it('writes a record with a NUL to SQLite whole, readable and searchable past it', async () => {
    const database = new Database(':memory:');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    await migrateToLatest(db);
    sqliteRowWriter(database)([withNuls()]);
    const stored = database.prepare('SELECT * FROM request_logs').get() as RequestLogRow;
    expect(fromRow(stored).model_asked).toBe('groq/llama\uFFFD\uFFFD-needle');
    // SQLite stops reading text at a NUL (length, LIKE): with U+FFFD the text after it is found.
    const found = database
      .prepare("SELECT count(*) AS n FROM request_logs WHERE model_asked LIKE '%needle%'")
      .get() as { n: number };
    expect(found.n).toBe(1);
    await db.destroy();
  });
});
