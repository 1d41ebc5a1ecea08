import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { EndedCall } from '../../call/ended-call';
import { toLogRecord } from '../to-log-record';
import { migrateToLatest } from './migrations';
import { fromRow } from './row-mapping';
import type { RequestLogRow } from './schema';
import { sqliteRowWriter } from './sqlite-rows';

describe('row mapping', () => {
  it('stores the record of a call whose model held a NUL in SQLite whole, searchable past it', async () => {
    const call = {
      requestId: 'req-1',
      traceId: 'a'.repeat(32),
      method: 'POST',
      path: '/v1/chat/completions',
      httpRoute: '/v1/chat/completions',
      apiFamily: 'chat',
      status: 404,
      startedAtMs: Date.UTC(2026, 10, 30, 20),
      durationMs: 3,
      stream: false,
      modelAsked: 'groq/llama\u0000\u0000-needle',
      attempts: 0,
      retries: 0,
      fallbacks: 0,
    } as EndedCall;
    const record = toLogRecord(call, { bodies: 'off', bodyMaxBytes: 64, clientAddress: false });
    const database = new Database(':memory:');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    await migrateToLatest(db);
    sqliteRowWriter(database)([record]);
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
