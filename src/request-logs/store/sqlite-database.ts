import Database from 'better-sqlite3';

/**
 * The SQLite store's file, opened the same way by its two threads (sqlite-thread.ts; or by one
 * connection in the calling thread for tests and tools): WAL, so the query thread never waits on
 * the writer, and synchronous=NORMAL (a crash can lose the last transactions, never corrupt the
 * file).
 *
 * A lock held elsewhere (another process) fails a statement after 50 ms: a failed batch is
 * retried by the write queue, and a store that stays locked shows in its failure count (and in
 * alerts' `store_unavailable`) within a second rather than after a long wait. Where the store
 * runs in the calling thread (no compiled worker) a longer wait would also stall its event loop.
 */
export function openSqliteDatabase(file: string): Database.Database {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 50');
  return database;
}
