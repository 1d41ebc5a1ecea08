import type { LogRecord } from '../log-record';

/**
 * How a store's batches reach the SQLite file: written on a thread of their own (the gateway's
 * default, see sqlite-thread.ts) or in the calling thread (tests, tools). A record whose id
 * is stored already is left as it was, so a retried batch writes nothing twice.
 */
export interface RecordWriter {
  write(records: readonly LogRecord[]): Promise<void>;
  /**
   * Runs one data-changing statement (retention, erasure) where the batches are written, after
   * the batches handed over before it; answers how many rows it changed. On the writer thread a
   * DELETE of many rows never holds the event loop.
   */
  execute(sql: string, parameters: readonly unknown[]): Promise<number>;
  close(): Promise<void>;
}
