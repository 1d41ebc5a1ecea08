import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Pool, types } from 'pg';
import type { LogsDatabase } from './schema';
import { sqliteRowWriter, type RowWriter } from './sqlite-rows';

export type LogsDialect = 'sqlite' | 'postgres';

/**
 * The SQLite store: one file, WAL so readers (the query API) never wait on the writer. Queries go
 * through Kysely; batches are written by a prepared statement of their own (sqlite-rows.ts).
 */
export function openSqlite(dataDir: string): { db: Kysely<LogsDatabase>; writeRows: RowWriter } {
  mkdirSync(dataDir, { recursive: true });
  const database = new Database(join(dataDir, 'requests.sqlite'));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  // better-sqlite3 is synchronous: a lock held elsewhere (another process) must fail fast rather
  // than stall the event loop; the write queue retries the batch later.
  database.pragma('busy_timeout = 50');
  return {
    db: new Kysely<LogsDatabase>({ dialect: new SqliteDialect({ database }) }),
    writeRows: sqliteRowWriter(database),
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
