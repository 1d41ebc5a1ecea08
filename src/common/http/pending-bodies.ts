/** Why a body still arriving was given up on. */
export type BodyAbandonReason = 'timeout' | 'evicted' | 'shutting_down';

/** A body still arriving, as its reader registers it. */
export interface PendingBody {
  abandon(reason: BodyAbandonReason): void;
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
  /** Each body with its deadline, in insertion (so deadline) order. */
  private readonly pending = new Map<PendingBody, number>();
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

  /** Registers a body that started arriving (no allocation: the hot path of every JSON call). */
  add(body: PendingBody): void {
    while (this.pending.size >= this.cap) this.abandonOldest('evicted');
    this.pending.set(body, this.now() + this.timeoutMs);
    this.sweeper ??= setInterval(() => this.sweep(), this.sweepMs).unref();
  }

  /** Says a body ended (or was refused): it is no longer watched. */
  remove(body: PendingBody): void {
    // The sweeper stops at its next run when nothing is pending (not here: per request).
    this.pending.delete(body);
  }

  /** Abandons every body still arriving (shutdown: they will never be served). */
  abandonAll(reason: BodyAbandonReason): void {
    while (this.pending.size > 0) this.abandonOldest(reason);
  }

  /** Abandons the bodies past their deadline. Public for tests; runs on a timer. */
  sweep(): void {
    const now = this.now();
    for (const [body, deadline] of this.pending) {
      // Insertion order is deadline order: the first one not yet due ends the sweep.
      if (deadline > now) break;
      this.pending.delete(body);
      body.abandon('timeout');
    }
    this.stopIfIdle();
  }

  private abandonOldest(reason: BodyAbandonReason): void {
    const first = this.pending.keys().next();
    if (first.done) return;
    const body = first.value;
    this.pending.delete(body);
    body.abandon(reason);
  }

  private stopIfIdle(): void {
    if (this.pending.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
