import Database from 'better-sqlite3';

/**
 * The SQLite store's file, opened the same way by the query connection and by the writer thread:
 * WAL, so readers (the query API) never wait on the writer, and synchronous=NORMAL (a crash can
 * lose the last transactions, never corrupt the file).
 *
 * A lock held elsewhere (another process) fails a statement after 50 ms: better-sqlite3 is
 * synchronous, so on the event loop a longer wait would stall every call; on the writer thread a
 * failed batch is retried by the write queue, and a store that stays locked shows in its failure
 * count (and in alerts' `store_unavailable`) within a second rather than after a long wait.
 */
export function openSqliteDatabase(file: string): Database.Database {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 50');
  return database;
}
