export interface BatchQueueOptions<T> {
  /** Items held at most; beyond it `push` drops (drop mode) or admission waits (block mode). */
  capacity: number;
  batchSize: number;
  /** A partial batch is written at the latest this long after its first item came. */
  flushIntervalMs: number;
  /** Attempts per batch before it is given up (`onGiveUp`); Infinity keeps retrying. */
  maxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  write(batch: readonly T[]): Promise<void>;
  /**
   * Whether a failed write is the sink refusing an item of the batch for good (a data error the
   * same item meets on every retry), not the sink failing. The batch is then halved and each half
   * written in turn, down to single items, so the refused ones are dropped (`onRefused`) and the
   * rest written; safe only for a sink that writes a batch whole or not at all, or skips an item
   * it already holds. Unset: every error is a failure, retried (and given up after maxAttempts).
   */
  refuses?(error: unknown): boolean;
  onWritten?(count: number): void;
  onError?(error: unknown, attempt: number): void;
  onGiveUp?(count: number, error: unknown): void;
  /** An item the sink refused on its own (see `refuses`); it has left the queue. */
  onRefused?(item: T, error: unknown): void;
}

interface Queued<T> {
  item: T;
  at: number;
}

/**
 * A bounded queue written in batches off the request path: one write at a time, retried with
 * exponential backoff while the items stay queued (so a slow or dead sink fills the queue, and
 * only then are new items dropped, counted by the caller). An item the sink refuses for good
 * (`refuses`) is found, dropped and reported, so it holds up nothing queued behind it. Nothing
 * here ever awaits on `push`.
 */
export class BatchQueue<T> {
  private items: Queued<T>[] = [];
  private writing = false;
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private waiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private failingSince?: number;
  private lastError?: unknown;
  /** Items of the batch being written that have left the queue (written, or refused). */
  private settled = 0;
  /** Set by drain: past it, a refused batch is not halved further. */
  private deadlineMs?: number;

  constructor(private readonly options: BatchQueueOptions<T>) {}

  /** Since when writes fail (the last one failed), with its error; undefined once one succeeds. */
  get failing(): { sinceMs: number; error: unknown } | undefined {
    return this.failingSince === undefined
      ? undefined
      : { sinceMs: this.failingSince, error: this.lastError };
  }

  get length(): number {
    return this.items.length;
  }

  get full(): boolean {
    return this.items.length >= this.options.capacity;
  }

  /** Seconds the oldest queued item has waited (the export lag). */
  lagSeconds(now = Date.now()): number {
    return this.items.length ? (now - this.items[0].at) / 1000 : 0;
  }

  /** Queues an item unless the queue is full; false means it was not taken (count it). */
  push(item: T): boolean {
    if (this.full) return false;
    this.add(item);
    return true;
  }

  /** Queues even when full: block mode, where admission already waited (see `whenRoom`). */
  pushOver(item: T): void {
    this.add(item);
  }

  /** Resolves once the queue has room (block mode's admission waits here). */
  whenRoom(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Writes what is queued until it is empty or the deadline passes (shutdown); resolves with how
   * many items are left unwritten.
   */
  async drain(deadlineMs: number): Promise<number> {
    this.closed = true;
    this.deadlineMs = deadlineMs;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.items.length > 0 && Date.now() < deadlineMs) {
      if (!this.writing) void this.writeBatch();
      const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      const left = deadlineMs - Date.now();
      await Promise.race([idle, sleep(Math.max(0, left))]);
      // A failed write backs off through its timer; while draining, retry at once (bounded by
      // the deadline) with a short pause so a dead sink does not spin.
      if (!this.writing && this.items.length > 0 && this.failures > 0)
        await sleep(Math.min(100, Math.max(0, deadlineMs - Date.now())));
    }
    return this.items.length;
  }

  private add(item: T): void {
    this.items.push({ item, at: Date.now() });
    if (this.writing || this.closed) return;
    if (this.items.length >= this.options.batchSize && this.failures === 0) {
      this.schedule(0);
    } else if (!this.timer) {
      this.schedule(this.options.flushIntervalMs);
    }
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeBatch();
    }, delayMs);
    this.timer.unref();
  }

  private async writeBatch(): Promise<void> {
    if (this.writing || this.items.length === 0) return;
    this.writing = true;
    const size = Math.min(this.options.batchSize, this.items.length);
    this.settled = 0;
    let retryIn: number | undefined;
    try {
      await this.writeHead(size);
      this.failures = 0;
      this.failingSince = undefined;
      this.lastError = undefined;
    } catch (error) {
      this.failures++;
      this.failingSince ??= Date.now();
      this.lastError = error;
      this.options.onError?.(error, this.failures);
      if (this.failures >= this.options.maxAttempts) {
        // What is left of the batch: a refusal may have settled its first items already.
        const left = size - this.settled;
        this.items.splice(0, left);
        this.failures = 0;
        this.options.onGiveUp?.(left, error);
      } else {
        retryIn = Math.min(
          this.options.retryMaxDelayMs,
          this.options.retryBaseDelayMs * 2 ** (this.failures - 1),
        );
      }
    } finally {
      this.writing = false;
    }
    this.wakeWaiters();
    if (this.closed) return;
    if (retryIn !== undefined) this.schedule(retryIn);
    else if (this.items.length >= this.options.batchSize) this.schedule(0);
    else if (this.items.length > 0) this.schedule(this.options.flushIntervalMs);
  }

  /**
   * Writes the first `count` queued items and takes them off the queue. When the sink refuses an
   * item for good (`refuses`), writes each half the same way, so only the refused items are left
   * out: about 2 log2(count) writes for one refused item. Throws on any other failure, with what
   * was written or refused before it off the queue (`settled`) and the rest still queued.
   */
  private async writeHead(count: number): Promise<void> {
    const batch = this.items.slice(0, count).map((q) => q.item);
    try {
      await this.options.write(batch);
    } catch (error) {
      if (!this.options.refuses?.(error)) throw error;
      // Shutting down past the deadline: what is left is counted as unwritten and the sink is
      // being closed, so the halving stops here (its items stay queued).
      if (this.pastDeadline()) throw error;
      if (count > 1) {
        const half = Math.ceil(count / 2);
        await this.writeHead(half);
        await this.writeHead(count - half);
        return;
      }
      this.items.shift();
      this.settled++;
      this.options.onRefused?.(batch[0], error);
      // Block mode: admission waits for room, which each settled item makes.
      this.wakeWaiters();
      return;
    }
    this.items.splice(0, count);
    this.settled += count;
    this.options.onWritten?.(count);
    this.wakeWaiters();
  }

  private pastDeadline(): boolean {
    return this.deadlineMs !== undefined && Date.now() >= this.deadlineMs;
  }

  private wakeWaiters(): void {
    const idle = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of idle) resolve();
    while (this.waiters.length > 0 && !this.full) this.waiters.shift()?.();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
