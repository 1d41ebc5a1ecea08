import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LogRecord } from '../log-record';
import type { RecordWriter } from './record-writer';

export interface ThreadRequest {
  seq: number;
  records?: readonly LogRecord[];
  statement?: { sql: string; parameters: readonly unknown[] };
  close?: true;
}

export interface ThreadReply {
  seq: number;
  /** What a statement read (a SELECT), or what it changed. */
  rows?: unknown[];
  changes?: number;
  lastInsertRowid?: number;
  error?: string;
}

/** One statement's result, as better-sqlite3 gives it in the thread. */
export type StatementResult = Pick<ThreadReply, 'rows' | 'changes' | 'lastInsertRowid'>;

/** The compiled worker beside this file (absent when the sources run uncompiled, as in jest). */
export const SQLITE_WORKER_SCRIPT = join(__dirname, 'sqlite-thread.worker.js');

export function sqliteThreadAvailable(script: string = SQLITE_WORKER_SCRIPT): boolean {
  return existsSync(script);
}

/**
 * Writes the SQLite store's batches on a worker thread. On the event loop a batch of 500 rows held
 * it for about 15 ms (29 µs a record, profiled): every call in flight waited, and the store cost
 * 15 % of throughput. Here the event loop only hands the records over (a structured clone).
 *
 * The thread is started on the first write and again after it died (a write then fails with the
 * reason, and the queue retries it). It keeps the process alive only while a batch is on it.
 */
export class SqliteThread implements RecordWriter {
  private worker?: Worker;
  private seq = 0;
  private readonly pending = new Map<
    number,
    { resolve(reply: ThreadReply): void; reject(error: Error): void }
  >();

  constructor(
    private readonly file: string,
    private readonly script: string = SQLITE_WORKER_SCRIPT,
  ) {}

  async write(records: readonly LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.send({ seq: ++this.seq, records });
  }

  async execute(sql: string, parameters: readonly unknown[]): Promise<number> {
    return (await this.query(sql, parameters)).changes ?? 0;
  }

  /** Runs one statement in the thread: its rows when it reads, what it changed otherwise. */
  async query(sql: string, parameters: readonly unknown[]): Promise<StatementResult> {
    const { rows, changes, lastInsertRowid } = await this.send({
      seq: ++this.seq,
      statement: { sql, parameters },
    });
    return { rows, changes, lastInsertRowid };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // The close request queues behind any batch still on the thread: those are written first.
    await this.send({ seq: ++this.seq, close: true }).catch(() => undefined);
    await Promise.race([exited, delay(5_000).then(() => worker.terminate())]);
  }

  private send(request: ThreadRequest): Promise<ThreadReply> {
    const worker = (this.worker ??= this.start());
    return new Promise<ThreadReply>((resolve, reject) => {
      this.pending.set(request.seq, { resolve, reject });
      worker.ref();
      worker.postMessage(request);
    });
  }

  private start(): Worker {
    const worker = new Worker(this.script, { workerData: { file: this.file } });
    worker.unref();
    worker.on('message', (reply: ThreadReply) => {
      const waiting = this.pending.get(reply.seq);
      this.pending.delete(reply.seq);
      if (this.pending.size === 0) worker.unref();
      if (reply.error === undefined) waiting?.resolve(reply);
      else waiting?.reject(new Error(reply.error));
    });
    const gone = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(new Error(reason));
      this.pending.clear();
    };
    worker.on('error', (error) => gone(`the SQLite writer thread failed: ${error.message}`));
    worker.on('exit', (code) => gone(`the SQLite writer thread exited (code ${code})`));
    return worker;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
