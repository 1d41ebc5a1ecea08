import Database from 'better-sqlite3';
import type { EndedCall } from '../../call/ended-call';
import { toLogRecord } from '../to-log-record';
import { toRow } from './row-mapping';
import { sqliteRowWriter } from './sqlite-rows';

const STARTED = Date.UTC(2026, 10, 30, 20, 0, 0);

/** The row of an ended streamed call; its usage lacks completion_tokens (stored as NULL). */
function row(id: string, status: number) {
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
  return toRow(toLogRecord(call, { bodies: 'off', bodyMaxBytes: 0, clientAddress: false }, id));
}

describe('sqliteRowWriter', () => {
  it('writes a batch in one prepared statement; a stored id is left as it was', () => {
    const database = new Database(':memory:');
    const columns = Object.keys(row('a', 200));
    database.exec(
      `CREATE TABLE request_logs (${columns.map((c) => (c === 'id' ? 'id text primary key' : `"${c}"`)).join(', ')})`,
    );
    const write = sqliteRowWriter(database);
    write([row('a', 200), row('b', 429)]);
    // A retried batch: 'a' again (with another status) is not written over.
    write([row('a', 500), row('c', 499)]);
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
});
