/**
 * The last `capacity` items, newest first when read: a fixed-size ring, so a burst never grows
 * memory. What admin views show as "recent" on this replica (audit lines, alert deliveries,
 * guardrail events).
 */
export class RecentRing<T> {
  private readonly items: T[] = [];
  private next = 0;
  private total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be >= 1');
  }

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    this.total++;
  }

  /** Newest first, lazily: a reader that stops early (a page is full) walks no further. */
  *newestFirst(): Generator<T> {
    for (let i = 1; i <= this.items.length; i++)
      yield this.items[(this.next - i + this.items.length) % this.items.length];
  }

  /** Newest first. */
  list(): T[] {
    return [...this.newestFirst()];
  }

  get size(): number {
    return this.items.length;
  }

  /** Every item ever pushed, those the ring no longer holds included. */
  get seen(): number {
    return this.total;
  }

  /** Items pushed out of the ring because it was full. */
  get dropped(): number {
    return this.total - this.items.length;
  }
}
