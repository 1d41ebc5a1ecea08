/**
 * The last `capacity` events, newest first when read: a fixed-size ring, so a burst never grows
 * memory. What the dashboard shows as "recent" on this replica.
 */
export class RecentEvents<T> {
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

  /** Newest first. */
  list(): T[] {
    const older = this.items.slice(this.next);
    const newer = this.items.slice(0, this.next);
    return [...older, ...newer].reverse();
  }

  /** Every event ever pushed, those the ring no longer holds included. */
  get seen(): number {
    return this.total;
  }
}
