import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteDatabase } from './sqlite-database';
import { sqliteRowInserter, type RowValues } from './sqlite-rows';
import type { ThreadReply, ThreadRequest } from './sqlite-thread';

/**
 * A SQLite thread: batches of rows in (one transaction each) and single statements (a query's
 * rows back, or what a DELETE changed), an answer for each, in the order they came. The store runs
 * two: one writes batches, retention and erasure; one answers the query API. Off the event loop a
 * batch of 500 rows (about 15 ms of SQLite work) or a stats query over a large store (seconds)
 * holds up no call.
 */
const { file } = workerData as { file: string };
const database = openSqliteDatabase(file);
const insertRows = sqliteRowInserter(database);
const port = parentPort;
if (!port) throw new Error('sqlite-thread.worker runs as a worker thread');
port.postMessage({ seq: 0, ready: true } satisfies ThreadReply);

port.on('message', (request: ThreadRequest) => {
  if (request.close) {
    database.close();
    port.postMessage({ seq: request.seq } satisfies ThreadReply);
    port.close();
    return;
  }
  let reply: ThreadReply;
  try {
    if (request.statement) {
      const { sql, parameters } = request.statement;
      const statement = database.prepare(sql);
      if (statement.reader) {
        reply = { seq: request.seq, rows: statement.all(...parameters) };
      } else {
        const { changes, lastInsertRowid } = statement.run(...parameters);
        reply = { seq: request.seq, changes, lastInsertRowid: Number(lastInsertRowid) };
      }
    } else {
      insertRows(request.rows as RowValues[]);
      reply = { seq: request.seq };
    }
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    reply = {
      seq: request.seq,
      error: error instanceof Error ? error.message : String(error),
      ...(typeof code === 'string' && { code }),
    };
  }
  port.postMessage(reply);
});
