import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Pool, types } from 'pg';
import type { RecordWriter } from './record-writer';
import type { LogsDatabase } from './schema';
import { openSqliteDatabase } from './sqlite-database';
import { inThreadWriter } from './sqlite-rows';
import { SQLITE_WORKER_SCRIPT, SqliteThread, sqliteThreadAvailable } from './sqlite-thread';
import { sqliteThreadDialects } from './sqlite-thread-dialect';
import { statementTimeoutPool } from './statement-timeout-pool';

export type LogsDialect = 'sqlite' | 'postgres';

/** What a LogStore runs on. */
export interface StoreConnections {
  /** Migrations, counts, and on Postgres the writes, retention and erasure: no deadline. */
  db: Kysely<LogsDatabase>;
  /** The query API's statements, each cut at the query deadline when one is given. */
  reads: Kysely<LogsDatabase>;
  /** SQLite's own batch writer (a thread, a statement prepared once); Postgres writes through `db`. */
  writer?: RecordWriter;
}

export interface OpenOptions {
  /** The query API's deadline per statement (LOGS_QUERY_TIMEOUT_MS); none when undefined. */
  queryTimeoutMs?: number;
}

/**
 * The SQLite store: one file and two threads of its own (sqlite-thread.ts), one writing batches,
 * retention and erasure with a statement prepared once, one answering Kysely's queries (the query
 * API, migrations), so neither holds the event loop. Where the compiled worker is not there (the
 * sources run by jest) or `inThread` is asked, both run in this thread on one connection, and
 * nothing can stop a query there: the deadline needs the threads.
 */
export function openSqlite(
  dataDir: string,
  options: OpenOptions & { inThread?: boolean; workerScript?: string } = {},
): StoreConnections {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'requests.sqlite');
  const script = options.workerScript ?? SQLITE_WORKER_SCRIPT;
  if (!options.inThread && sqliteThreadAvailable(script)) {
    const dialects = sqliteThreadDialects(new SqliteThread(file, script), options.queryTimeoutMs);
    return {
      db: new Kysely<LogsDatabase>({ dialect: dialects.db }),
      reads: new Kysely<LogsDatabase>({ dialect: dialects.reads }),
      writer: new SqliteThread(file, script),
    };
  }
  const database = openSqliteDatabase(file);
  const db = new Kysely<LogsDatabase>({ dialect: new SqliteDialect({ database }) });
  return { db, reads: db, writer: inThreadWriter(database) };
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

/**
 * The Postgres store, shared by every replica. Every statement of the store runs with its own
 * `statement_timeout` (statement-timeout-pool.ts: `SET LOCAL` in its transaction): none for the
 * writes, retention, erasure and migrations, so no default of the role, the database or the URL
 * cuts them; LOGS_QUERY_TIMEOUT_MS for the query API, whose statements the server cancels past
 * it (error 57014). The query API has a pool of its own, so a slow dashboard cannot take the
 * connections the writes need. pg opens a pool's connections on demand and closes idle ones after
 * 30 s, so a replica nobody queries holds none for it.
 */
export function openPostgres(url: string, options: OpenOptions = {}): StoreConnections {
  const db = new Kysely<LogsDatabase>({
    dialect: new PostgresDialect({ pool: statementTimeoutPool(pool(url), 0) }),
  });
  if (options.queryTimeoutMs === undefined) return { db, reads: db };
  const reads = new Kysely<LogsDatabase>({
    dialect: new PostgresDialect({
      pool: statementTimeoutPool(pool(url), options.queryTimeoutMs),
    }),
  });
  return { db, reads };
}

function pool(url: string): Pool {
  const made = new Pool({
    connectionString: url,
    max: 5,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    types: parsers,
  });
  // An idle client's error (the server restarted) must not crash the process; the next query
  // reports it to the write queue, which retries.
  made.on('error', () => undefined);
  return made;
}
