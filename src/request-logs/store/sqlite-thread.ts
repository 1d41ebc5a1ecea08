import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LogRecord } from '../log-record';
import { QueryTimeoutError } from './query-timeout';
import type { RecordWriter } from './record-writer';
import { toRowValues } from './row-mapping';
import type { RowValues } from './sqlite-rows';

export interface ThreadRequest {
  seq: number;
  /**
   * A batch, as its rows' values: arrays of strings and numbers cost a third of the records'
   * structured clone to send and half to receive (measured: 1.0 and 2.8 µs a row against 3.1 and
   * 5.3 for the record objects), and mapping them is about 0.9 µs a record here.
   */
  rows?: readonly RowValues[];
  statement?: { sql: string; parameters: readonly unknown[] };
  close?: true;
}

export interface ThreadReply {
  seq: number;
  /** Sent once, with seq 0, when the thread has opened the file and takes statements. */
  ready?: true;
  /** What a statement read (a SELECT), or what it changed. */
  rows?: unknown[];
  changes?: number;
  lastInsertRowid?: number;
  error?: string;
  /** The failed statement's SQLite code (better-sqlite3's, e.g. SQLITE_CONSTRAINT_NOTNULL). */
  code?: string;
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

/** One started worker: its own list of what waits on it, so a dead one fails only its own. */
interface Running {
  id: number;
  thread: Worker;
  pending: Map<number, Waiting>;
  /** Left to finish a statement past its deadline; counted until it exits. */
  abandoned: boolean;
  /** Resolved once the thread has opened the file: a deadline counts from then, not from its start. */
  ready: Promise<void>;
}

/** How one statement runs (the query API's reader passes both; the writer neither). */
export interface StatementOptions {
  /** Past this, the statement fails with QueryTimeoutError and its thread is replaced. */
  deadlineMs?: number;
  /** Runs only on this thread (the one a transaction began on), else fails: see `current`. */
  onThread?: number;
}

/**
 * Threads left running a statement past its deadline, at most: each holds a CPU until its
 * statement ends, so beyond this a statement with a deadline is refused before it starts (a
 * dashboard refreshing a slow query must not start thread after thread).
 */
export const MAX_ABANDONED_THREADS = 2;

/**
 * A SQLite connection on a worker thread of its own: the store runs one for its batches,
 * retention and erasure, and one for its queries (sqlite-thread-dialect.ts). On the event loop a
 * batch of 500 rows held it for about 15 ms, a stats query over a large store for seconds; here
 * the event loop only hands a batch or a statement over (a structured clone) and gets the answer.
 *
 * The thread is started on the first request and again after it died (what was on it then fails
 * with the reason; the write queue retries a batch). It keeps the process alive only while a
 * request is on it. Once closed it takes nothing more.
 *
 * A statement given a deadline (the query API's) that runs past it fails with QueryTimeoutError,
 * and its thread is replaced: better-sqlite3 runs a statement in C++ and nothing interrupts it
 * from outside (`terminate()` takes effect when the thread returns to JS), so the old thread is
 * left to end its statement and die, and later statements go to a new one.
 */
export class SqliteThread implements RecordWriter {
  private worker?: Running;
  private seq = 0;
  private started = 0;
  private abandoned = 0;
  private closed = false;
  private closing?: Promise<void>;

  constructor(
    private readonly file: string,
    private readonly script: string = SQLITE_WORKER_SCRIPT,
  ) {}

  /** The thread statements go to now (undefined before the first, or after it died). */
  get current(): number | undefined {
    return this.worker?.id;
  }

  async write(records: readonly LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.send({ seq: ++this.seq, rows: records.map(toRowValues) });
  }

  async execute(sql: string, parameters: readonly unknown[]): Promise<number> {
    return (await this.query(sql, parameters)).changes ?? 0;
  }

  /** Runs one statement in the thread: its rows when it reads, what it changed otherwise. */
  async query(
    sql: string,
    parameters: readonly unknown[],
    options: StatementOptions = {},
  ): Promise<StatementResult> {
    const { rows, changes, lastInsertRowid } = await this.send(
      { seq: ++this.seq, statement: { sql, parameters } },
      options,
    );
    return { rows, changes, lastInsertRowid };
  }

  /** Ends the thread after what was handed over before; a second call waits for the first. */
  close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    const worker = this.worker;
    this.closed = true;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.thread.once('exit', () => resolve()));
    // The close request queues behind what is on the thread: batches handed over are written.
    await this.post(worker, { seq: ++this.seq, close: true }).catch(() => undefined);
    await Promise.race([exited, delay(5_000).then(() => worker.thread.terminate())]);
  }

  private send(request: ThreadRequest, options: StatementOptions = {}): Promise<ThreadReply> {
    if (this.closed) return Promise.reject(new Error('the SQLite store is closed'));
    if (options.onThread !== undefined && options.onThread !== this.worker?.id)
      return Promise.reject(
        new Error('the SQLite thread of this transaction was replaced; it was rolled back'),
      );
    if (options.deadlineMs !== undefined && this.abandoned >= MAX_ABANDONED_THREADS)
      return Promise.reject(
        new QueryTimeoutError(
          'busy',
          `${this.abandoned} SQLite threads are still running statements past their deadline`,
        ),
      );
    let worker: Running;
    try {
      worker = this.worker ??= this.start();
    } catch (error) {
      // new Worker() throws when the thread cannot be made (ERR_WORKER_INIT_FAILED, EAGAIN under
      // resource pressure): this request fails with why, the next one tries again.
      return Promise.reject(new Error(`the SQLite thread could not start: ${messageOf(error)}`));
    }
    return this.post(worker, request, options.deadlineMs);
  }

  private post(worker: Running, request: ThreadRequest, deadlineMs?: number): Promise<ThreadReply> {
    return new Promise<ThreadReply>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      if (deadlineMs !== undefined)
        void worker.ready.then(() => {
          if (!settled)
            timer = setTimeout(() => this.abandon(worker, deadlineMs), deadlineMs).unref();
        });
      worker.pending.set(request.seq, {
        resolve: (reply) => {
          settled = true;
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
      });
      worker.thread.ref();
      worker.thread.postMessage(request);
    });
  }

  /**
   * A statement on `worker` ran past its deadline: what waits on it fails, the thread is told to
   * end (it does once its statement returns) and no longer keeps the process alive, and a new
   * thread is started at once, so the next statement does not wait for one. This runs from a
   * timer, where a throw would end the process: a thread that cannot be started now is started
   * by the next statement (which fails with why, if it still cannot).
   */
  private abandon(worker: Running, deadlineMs: number): void {
    if (worker.abandoned) return;
    worker.abandoned = true;
    this.abandoned++;
    const error = new QueryTimeoutError('deadline', `the statement ran past ${deadlineMs} ms`);
    for (const waiting of worker.pending.values()) waiting.reject(error);
    worker.pending.clear();
    worker.thread.unref();
    void worker.thread.terminate();
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (this.closed) return;
    try {
      this.worker = this.start();
    } catch {
      // Left to send(), above.
    }
  }

  private start(): Running {
    const thread = new Worker(this.script, {
      workerData: { file: this.file },
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    let opened = () => {};
    const worker: Running = {
      id: ++this.started,
      thread,
      pending: new Map<number, Waiting>(),
      abandoned: false,
      ready: new Promise((resolve) => (opened = resolve)),
    };
    const { pending } = worker;
    thread.unref();
    thread.on('message', (reply: ThreadReply) => {
      if (reply.ready) {
        opened();
        return;
      }
      const waiting = pending.get(reply.seq);
      pending.delete(reply.seq);
      if (pending.size === 0) thread.unref();
      if (reply.error === undefined) waiting?.resolve(reply);
      else waiting?.reject(threadError(reply.error, reply.code));
    });
    const gone = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of pending.values()) waiting.reject(new Error(reason));
      pending.clear();
    };
    thread.on('error', (error) => gone(`the SQLite thread failed: ${error.message}`));
    thread.on('exit', (code) => {
      if (worker.abandoned) this.abandoned--;
      gone(`the SQLite thread exited (code ${code})`);
    });
    return worker;
  }
}

/** A statement's failure as the thread reported it, with SQLite's code as better-sqlite3 sets it. */
function threadError(message: string, code: string | undefined): Error {
  const error = new Error(message);
  return code === undefined ? error : Object.assign(error, { code });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
