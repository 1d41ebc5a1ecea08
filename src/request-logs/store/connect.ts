import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Pool, types } from 'pg';
import type { RecordWriter } from './record-writer';
import type { LogsDatabase } from './schema';
import { openSqliteDatabase } from './sqlite-database';
import { inThreadWriter } from './sqlite-rows';
import { SqliteThread, sqliteThreadAvailable } from './sqlite-thread';
import { sqliteThreadDialect } from './sqlite-thread-dialect';

export type LogsDialect = 'sqlite' | 'postgres';

/**
 * The SQLite store: one file and two threads of its own (sqlite-thread.ts), one writing batches,
 * retention and erasure with a statement prepared once, one answering Kysely's queries (the query
 * API, migrations), so neither holds the event loop. Where the compiled worker is not there (the
 * sources run by jest) or `inThread` is asked, both run in this thread on one connection.
 */
export function openSqlite(
  dataDir: string,
  options: { inThread?: boolean } = {},
): { db: Kysely<LogsDatabase>; writer: RecordWriter } {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'requests.sqlite');
  if (!options.inThread && sqliteThreadAvailable()) {
    return {
      db: new Kysely<LogsDatabase>({ dialect: sqliteThreadDialect(new SqliteThread(file)) }),
      writer: new SqliteThread(file),
    };
  }
  const database = openSqliteDatabase(file);
  return {
    db: new Kysely<LogsDatabase>({ dialect: new SqliteDialect({ database }) }),
    writer: inThreadWriter(database),
  };
}

/** bigint (COUNT, time_ms) and numeric (SUM of bigints) as numbers: they fit doubles here. */
const INT8 = 20;
const NUMERIC = 1700;
const parsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return types.getTypeParser(oid, format);
  }) as typeof types.getTypeParser,
};

/** The Postgres store, shared by every replica. */
export function openPostgres(url: string): Kysely<LogsDatabase> {
  const pool = new Pool({
    connectionString: url,
    max: 5,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    types: parsers,
  });
  // An idle client's error (the server restarted) must not crash the process; the next query
  // reports it to the write queue, which retries.
  pool.on('error', () => undefined);
  return new Kysely<LogsDatabase>({ dialect: new PostgresDialect({ pool }) });
}
