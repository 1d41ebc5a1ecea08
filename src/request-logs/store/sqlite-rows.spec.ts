import Database from 'better-sqlite3';
import { toRow } from './row-mapping';
import { sqliteRowWriter } from './sqlite-rows';
import type { LogRecord } from '../log-record';

function record(id: string, status: number): LogRecord {
  return {
    id,
    schema_version: 1,
    time: '2026-11-30T20:00:00.000Z',
    request_id: `req-${id}`,
    trace_id: 't'.repeat(32),
    method: 'POST',
    path: '/v1/chat/completions',
    route: '/v1/chat/completions',
    api_family: 'chat',
    virtual_key_id: null,
    team_id: null,
    model_asked: 'groq/llama-3.3-70b-versatile',
    model: 'groq/llama-3.3-70b-versatile',
    model_route: null,
    key_id: 'key-1',
    status,
    error_code: null,
    attempts: 1,
    retries: 0,
    fallbacks: 0,
    fallback_used: false,
    stream: true,
    latency_ms: 12.5,
    time_to_first_token_ms: null,
    prompt_tokens: 6,
    cached_tokens: 0,
    completion_tokens: undefined as unknown as number,
    reasoning_tokens: 0,
    total_tokens: 16,
    cost_usd: 0.0000114,
    guardrails: null,
    client_address: null,
    user_agent: 'jest',
    request_body: null,
    response_body: null,
  } as LogRecord;
}

describe('sqliteRowWriter', () => {
  it('writes a batch in one prepared statement; a stored id is left as it was', () => {
    const database = new Database(':memory:');
    const columns = Object.keys(toRow(record('a', 200)));
    database.exec(
      `CREATE TABLE request_logs (${columns.map((c) => (c === 'id' ? 'id text primary key' : `"${c}"`)).join(', ')})`,
    );
    const write = sqliteRowWriter(database);
    write([toRow(record('a', 200)), toRow(record('b', 429))]);
    // A retried batch: 'a' again (with another status) is not written over.
    write([toRow(record('a', 500)), toRow(record('c', 499))]);
    const rows = database
      .prepare(
        'SELECT id, status, stream, completion_tokens, time_ms FROM request_logs ORDER BY id',
      )
      .all();
    expect(rows).toEqual([
      {
        id: 'a',
        status: 200,
        stream: 1,
        completion_tokens: null,
        time_ms: Date.parse('2026-11-30T20:00:00.000Z'),
      },
      {
        id: 'b',
        status: 429,
        stream: 1,
        completion_tokens: null,
        time_ms: Date.parse('2026-11-30T20:00:00.000Z'),
      },
      {
        id: 'c',
        status: 499,
        stream: 1,
        completion_tokens: null,
        time_ms: Date.parse('2026-11-30T20:00:00.000Z'),
      },
    ]);
  });
});
