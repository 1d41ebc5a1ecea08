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
 * A thread's young generation, at most: by V8's default it may grow to tens of MB before a
 * scavenge, in each of the store's two threads. A batch or a page in flight is well under a MB.
 * (A 100k-record export grew the gateway's peak memory by 4-12 MB on a quiet machine and once by
 * 72 MB on a busy one.)
 */
const YOUNG_GENERATION_MB = 8;

type Waiting = { resolve(reply: ThreadReply): void; reject(error: Error): void };

/**
 * A SQLite connection on a worker thread of its own: the store runs one for its batches,
 * retention and erasure, and one for its queries (sqlite-thread-dialect.ts). On the event loop a
 * batch of 500 rows held it for about 15 ms, a stats query over a large store for seconds; here
 * the event loop only hands a batch or a statement over (a structured clone) and gets the answer.
 *
 * The thread is started on the first request and again after it died (what was on it then fails
 * with the reason; the write queue retries a batch). It keeps the process alive only while a
 * request is on it. Once closed it takes nothing more.
 */
export class SqliteThread implements RecordWriter {
  private worker?: { thread: Worker; pending: Map<number, Waiting> };
  private seq = 0;
  private closed = false;

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
    const worker = this.worker?.thread;
    this.closed = true;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // The close request queues behind what is on the thread: batches handed over are written.
    await this.post({ seq: ++this.seq, close: true }).catch(() => undefined);
    await Promise.race([exited, delay(5_000).then(() => worker.terminate())]);
  }

  private send(request: ThreadRequest): Promise<ThreadReply> {
    if (this.closed) return Promise.reject(new Error('the SQLite store is closed'));
    return this.post(request);
  }

  private post(request: ThreadRequest): Promise<ThreadReply> {
    const { thread, pending } = (this.worker ??= this.start());
    return new Promise<ThreadReply>((resolve, reject) => {
      pending.set(request.seq, { resolve, reject });
      thread.ref();
      thread.postMessage(request);
    });
  }

  /** A new thread with its own list of what waits on it: a dead one fails only its own. */
  private start(): { thread: Worker; pending: Map<number, Waiting> } {
    const thread = new Worker(this.script, {
      workerData: { file: this.file },
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    const pending = new Map<number, Waiting>();
    const worker = { thread, pending };
    thread.unref();
    thread.on('message', (reply: ThreadReply) => {
      const waiting = pending.get(reply.seq);
      pending.delete(reply.seq);
      if (pending.size === 0) thread.unref();
      if (reply.error === undefined) waiting?.resolve(reply);
      else waiting?.reject(new Error(reply.error));
    });
    const gone = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of pending.values()) waiting.reject(new Error(reason));
      pending.clear();
    };
    thread.on('error', (error) => gone(`the SQLite thread failed: ${error.message}`));
    thread.on('exit', (code) => gone(`the SQLite thread exited (code ${code})`));
    return worker;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
