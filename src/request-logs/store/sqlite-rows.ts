import type { Database, Statement } from 'better-sqlite3';
import type { LogRecord } from '../log-record';
import type { RecordWriter } from './record-writer';
import { toRow } from './row-mapping';
import type { RequestLogRow } from './schema';

/** Writes a batch of rows in one transaction; a row whose id is stored already is left as it was. */
export type RowWriter = (rows: readonly RequestLogRow[]) => void;

/**
 * The SQLite store's batch insert: one statement prepared once and run per row inside one
 * transaction. Through Kysely every batch compiled a new many-row INSERT (its own SQL for each
 * batch size) and SQLite prepared it again; together about 40 µs of each request's CPU when
 * profiled under load. Columns are the row's own keys (every row of `toRow` has them all).
 */
export function sqliteRowWriter(database: Database): RowWriter {
  const writers = new Map<string, (rows: readonly RequestLogRow[]) => void>();
  return (rows) => {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]);
    const key = columns.join(',');
    let write = writers.get(key);
    if (!write) {
      const insert: Statement = database.prepare(
        `INSERT INTO request_logs (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns
          .map(() => '?')
          .join(', ')}) ON CONFLICT (id) DO NOTHING`,
      );
      write = database.transaction((batch: readonly RequestLogRow[]) => {
        for (const row of batch) {
          const fields = row as unknown as Record<string, unknown>;
          insert.run(columns.map((column) => bindable(fields[column])));
        }
      });
      writers.set(key, write);
    }
    write(rows);
  };
}

/** What SQLite can bind: a missing value is NULL (as Kysely left it out), a boolean 0 or 1. */
function bindable(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** Batches written in the calling thread, on the query connection (tests, tools, `inThread`). */
export function inThreadWriter(database: Database): RecordWriter {
  const writeRows = sqliteRowWriter(database);
  return {
    write: (records: readonly LogRecord[]) => {
      writeRows(records.map(toRow));
      return Promise.resolve();
    },
    // The query connection closes the database.
    close: () => Promise.resolve(),
  };
}
