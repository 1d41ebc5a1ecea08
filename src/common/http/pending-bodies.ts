/** Why a body still arriving was given up on. */
export type BodyAbandonReason = 'timeout' | 'evicted' | 'shutting_down';

interface Pending {
  deadline: number;
  abandon: (reason: BodyAbandonReason) => void;
}

/**
 * The request bodies still arriving, oldest first. A body not complete by its deadline is
 * abandoned ('timeout'); when the cap is reached, the oldest is abandoned to make room for the
 * new one ('evicted'), so a flood of bodies that never finish cannot hold sockets (file
 * descriptors) without bound nor lock out a real request, whose body arrives in milliseconds.
 * Deadlines are swept every `sweepMs`, not one timer per request: a body is refused within
 * `sweepMs` of its deadline.
 */
export class PendingBodies {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly timeoutMs: number,
    private readonly cap: number,
    private readonly sweepMs = 250,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Registers a body that started arriving; the returned function says it ended. */
  add(abandon: (reason: BodyAbandonReason) => void): () => void {
    while (this.pending.size >= this.cap) this.abandonOldest('evicted');
    const id = this.nextId++;
    this.pending.set(id, { deadline: this.now() + this.timeoutMs, abandon });
    this.sweeper ??= setInterval(() => this.sweep(), this.sweepMs).unref();
    return () => this.remove(id);
  }

  /** Abandons every body still arriving (shutdown: they will never be served). */
  abandonAll(reason: BodyAbandonReason): void {
    while (this.pending.size > 0) this.abandonOldest(reason);
  }

  /** Abandons the bodies past their deadline. Public for tests; runs on a timer. */
  sweep(): void {
    const now = this.now();
    for (const [id, body] of this.pending) {
      // Insertion order is deadline order: the first one not yet due ends the sweep.
      if (body.deadline > now) break;
      this.pending.delete(id);
      body.abandon('timeout');
    }
    this.stopIfIdle();
  }

  private abandonOldest(reason: BodyAbandonReason): void {
    const first = this.pending.entries().next();
    if (first.done) return;
    const [id, body] = first.value;
    this.pending.delete(id);
    body.abandon(reason);
  }

  private remove(id: number): void {
    // The sweeper stops at its next run when nothing is pending (not here: per request).
    this.pending.delete(id);
  }

  private stopIfIdle(): void {
    if (this.pending.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
