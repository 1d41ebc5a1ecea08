import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Pool, types } from 'pg';
import type { RecordWriter } from './record-writer';
import type { LogsDatabase } from './schema';
import { openSqliteDatabase } from './sqlite-database';
import { inThreadWriter } from './sqlite-rows';
import { SqliteWriterThread, writerThreadAvailable } from './sqlite-writer-thread';

export type LogsDialect = 'sqlite' | 'postgres';

/**
 * The SQLite store: one file. Queries go through Kysely on the event loop; batches are written by
 * a worker thread with a prepared statement of its own (sqlite-writer-thread.ts), or in this
 * thread where the compiled worker is not there (the sources run by jest) or `inThread` is asked.
 */
export function openSqlite(
  dataDir: string,
  options: { inThread?: boolean } = {},
): { db: Kysely<LogsDatabase>; writer: RecordWriter } {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'requests.sqlite');
  const database = openSqliteDatabase(file);
  const writer =
    options.inThread || !writerThreadAvailable()
      ? inThreadWriter(database)
      : new SqliteWriterThread(file);
  return { db: new Kysely<LogsDatabase>({ dialect: new SqliteDialect({ database }) }), writer };
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
