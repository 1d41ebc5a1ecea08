import { randomUUID } from 'node:crypto';
import type { Counts } from '../rules/window-counts';

/** Counts on their way to the fleet, by second, under one id that every retry keeps. */
export interface CountBatch {
  id: string;
  counts: Map<number, Counts>;
}

/**
 * This replica's counts not yet known to be in the fleet. A flush that fails (a Redis that hangs
 * times out) may still have been applied once Redis resumes, so its batch is retried as it was,
 * under the same id, and the fleet applies an id at most once; counts taken since go in a batch
 * of their own. A batch is kept only as long as a window could still read one of its seconds.
 */
export class CountBatches {
  private readonly unsent: CountBatch[] = [];

  constructor(private readonly newId: () => string = randomUUID) {}

  /** Closes `pending` into a batch (it is cleared) and returns every batch still to add, oldest first. */
  take(pending: Map<number, Counts>, oldestSecond: number): readonly CountBatch[] {
    if (pending.size > 0) {
      this.unsent.push({ id: this.newId(), counts: new Map(pending) });
      pending.clear();
    }
    for (const batch of this.unsent) {
      for (const second of batch.counts.keys()) {
        if (second <= oldestSecond) batch.counts.delete(second);
      }
    }
    const live = this.unsent.filter((batch) => batch.counts.size > 0);
    this.unsent.splice(0, this.unsent.length, ...live);
    return [...this.unsent];
  }

  /** The fleet has this batch: it is not sent again. */
  added(batch: CountBatch): void {
    const at = this.unsent.indexOf(batch);
    if (at >= 0) this.unsent.splice(at, 1);
  }
}
