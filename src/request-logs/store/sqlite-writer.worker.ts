import { parentPort, workerData } from 'node:worker_threads';
import type { LogRecord } from '../log-record';
import { openSqliteDatabase } from './sqlite-database';
import { sqliteRowWriter } from './sqlite-rows';
import type { WriterReply, WriterRequest } from './sqlite-writer-thread';

/**
 * The SQLite writer thread: batches of records in, one transaction each, an answer per batch.
 * Off the event loop a batch of 500 rows (about 15 ms of SQLite work) holds up no call.
 */
const { file } = workerData as { file: string };
const database = openSqliteDatabase(file);
const writeRows = sqliteRowWriter(database);
const port = parentPort;
if (!port) throw new Error('sqlite-writer.worker runs as a worker thread');

port.on('message', (request: WriterRequest) => {
  if (request.close) {
    database.close();
    port.postMessage({ seq: request.seq } satisfies WriterReply);
    port.close();
    return;
  }
  let reply: WriterReply;
  try {
    if (request.statement) {
      const { sql, parameters } = request.statement;
      reply = { seq: request.seq, changes: database.prepare(sql).run(...parameters).changes };
    } else {
      writeRows(request.records as LogRecord[]);
      reply = { seq: request.seq };
    }
  } catch (error) {
    reply = { seq: request.seq, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
