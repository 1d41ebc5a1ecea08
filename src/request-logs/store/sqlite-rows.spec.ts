import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { EndedCall } from '../../call/ended-call';
import type { LogRecord } from '../log-record';
import { toLogRecord } from '../to-log-record';
import { migrateToLatest } from './migrations';
import { fromRow, ROW_COLUMNS, toRow, toRowValues } from './row-mapping';
import type { RequestLogRow } from './schema';
import { sqliteRowWriter } from './sqlite-rows';

const STARTED = Date.UTC(2026, 10, 30, 20, 0, 0);

/** The record of an ended streamed call; its usage lacks completion_tokens (stored as NULL). */
function record(id: string, status: number) {
  const call = {
    requestId: `req-${id}`,
    traceId: 't'.repeat(32),
    method: 'POST',
    path: '/v1/chat/completions',
    httpRoute: '/v1/chat/completions',
    apiFamily: 'chat',
    status,
    startedAtMs: STARTED,
    durationMs: 12.5,
    stream: true,
    attempts: 1,
    retries: 0,
    fallbacks: 0,
    usage: { prompt_tokens: 6, total_tokens: 6 },
  } as unknown as EndedCall;
  return toLogRecord(call, { bodies: 'off', bodyMaxBytes: 0, clientAddress: false }, id);
}

describe('sqliteRowWriter', () => {
  it('writes a batch in one prepared statement; a stored id is left as it was', () => {
    const database = new Database(':memory:');
    database.exec(
      `CREATE TABLE request_logs (${ROW_COLUMNS.map((c) => (c === 'id' ? 'id text primary key' : `"${c}"`)).join(', ')})`,
    );
    const write = sqliteRowWriter(database);
    write([record('a', 200), record('b', 429)]);
    // A retried batch: 'a' again (with another status) is not written over.
    write([record('a', 500), record('c', 499)]);
    const stored = database
      .prepare(
        'SELECT id, status, stream, completion_tokens, time_ms FROM request_logs ORDER BY id',
      )
      .all();
    expect(stored).toEqual(
      [
        ['a', 200],
        ['b', 429],
        ['c', 499],
      ].map(([id, status]) => ({
        id,
        status,
        stream: 1,
        completion_tokens: null,
        time_ms: STARTED,
      })),
    );
  });

  it('stores each field in its own column through the real schema, and reads back the record', async () => {
    const database = new Database(':memory:');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    await migrateToLatest(db);
    // Every value distinct, so two columns swapped in ROW_COLUMNS or toRowValues show.
    const full: LogRecord = {
      ...record('f', 429),
      time: '2026-11-30T20:00:00.123Z',
      path: '/openai/v1/chat/completions',
      virtual_key_id: 'vk-1',
      team_id: 'team-1',
      model_asked: 'groq/llama-3.3-70b-versatile',
      model: 'llama-3.3-70b-versatile',
      model_route: 'fast:llama-3.1-8b-instant',
      key_id: 'key-2',
      error_code: 'rate_limit_exceeded',
      attempts: 7,
      retries: 5,
      fallbacks: 2,
      fallback_used: true,
      stream: false,
      latency_ms: 812.125,
      time_to_first_token_ms: 95.5,
      prompt_tokens: 11,
      cached_tokens: 12,
      completion_tokens: 13,
      reasoning_tokens: 14,
      total_tokens: 38,
      cost_usd: 0.000123,
      guardrails: [{ policy: 'pii', stage: 'input', outcome: 'redacted', category: 'email' }],
      client_address: '10.0.0.9',
      user_agent: 'OpenAI/JS 6.1.0',
      request_body: '{"model":"x"}',
      response_body: '{"id":"y"}',
    };
    const values = toRowValues(full);
    expect(new Set(values).size).toBe(values.length);
    sqliteRowWriter(database)([full]);
    const stored = database.prepare('SELECT * FROM request_logs').get() as RequestLogRow;
    expect(stored).toEqual(toRow(full));
    expect(fromRow(stored)).toEqual(full);
    await db.destroy();
  });
});
