import type { LogRecord } from '../log-record';

/**
 * How a store's batches reach the SQLite file: written on a thread of their own (the gateway's
 * default, see sqlite-writer-thread.ts) or in the calling thread (tests, tools). A record whose id
 * is stored already is left as it was, so a retried batch writes nothing twice.
 */
export interface RecordWriter {
  write(records: readonly LogRecord[]): Promise<void>;
  close(): Promise<void>;
}
