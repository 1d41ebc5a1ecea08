import Database from 'better-sqlite3';
import type { EndedCall } from '../../call/ended-call';
import type { LogRecord } from '../log-record';
import { toLogRecord } from '../to-log-record';
import { ROW_COLUMNS, toRow, toRowValues } from './row-mapping';
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

  it('binds the values toRow maps, column by column, missing ones as NULL', () => {
    const full = {
      ...record('f', 200),
      virtual_key_id: 'vk-1',
      team_id: 'team-1',
      model_route: 'fast:llama-3.1-8b-instant',
      error_code: 'rate_limit_exceeded',
      guardrails: [{ policy: 'pii', stage: 'input', outcome: 'redacted', category: 'email' }],
      client_address: '10.0.0.9',
      user_agent: 'OpenAI/JS 6.1.0',
      request_body: '{"model":"x"}',
      response_body: '{"id":"y"}',
    };
    expect(toRowValues(full)).toEqual(ROW_COLUMNS.map((column) => toRow(full)[column] ?? null));
    const sparse = { ...record('s', 499), user_agent: undefined } as unknown as LogRecord;
    expect(toRowValues(sparse)).toEqual(ROW_COLUMNS.map((column) => toRow(sparse)[column] ?? null));
    expect(new Set(ROW_COLUMNS).size).toBe(Object.keys(toRow(full)).length);
  });
});
