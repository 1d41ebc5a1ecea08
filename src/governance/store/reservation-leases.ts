/**
 * Keeps the leases of calls in flight alive. A reservation is a lease so that one held by a
 * replica that died frees itself; a call that runs longer than the lease (a long stream) would
 * otherwise lose its hold half-way and let other calls spend what it is still using. While a call
 * is in flight its replica renews its lease every third of `leaseMs`, in one store call per key;
 * the call's settlement stops it. A replica that dies stops renewing, so its holds still expire.
 * A call under a team budget (issue 20) holds its cost against the team too: that hold is renewed
 * in the same store call.
 */
export class ReservationLeases {
  private readonly held = new Map<string, { keyId: string; teamId?: string; since: number }>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly leaseMs: number,
    /**
     * Extends the named reservations of one key (and of its team's budget, when given) to now +
     * leaseMs (those still held).
     */
    private readonly renew: (
      keyId: string,
      ids: string[],
      leaseMs: number,
      teamId?: string,
    ) => Promise<void>,
    private readonly onError: (error: Error) => void,
    private readonly now: () => number = Date.now,
    /** A hold nobody settles is not renewed past this (a safety net: every call settles). */
    private readonly maxHoldMs = 86_400_000,
  ) {}

  /** How many reservations this replica is keeping alive. */
  get size(): number {
    return this.held.size;
  }

  /**
   * Starts renewing a reservation the store just granted; `teamId` when the call also holds
   * against its team's budget.
   */
  hold(keyId: string, reservationId: string, teamId?: string): void {
    this.held.set(reservationId, { keyId, teamId, since: this.now() });
    if (!this.timer) {
      this.timer = setInterval(() => void this.renewAll(), Math.max(100, this.leaseMs / 3));
      this.timer.unref();
    }
  }

  /** The call settled (or failed): its reservation is no longer renewed. */
  release(reservationId: string): void {
    this.held.delete(reservationId);
    if (this.held.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One renewal round: every hold older than a third of the lease, grouped by key and team. */
  async renewAll(): Promise<void> {
    const now = this.now();
    const groups = new Map<string, { keyId: string; teamId?: string; ids: string[] }>();
    for (const [id, { keyId, teamId, since }] of this.held) {
      if (now - since > this.maxHoldMs) {
        this.held.delete(id);
        continue;
      }
      if (now - since < this.leaseMs / 3) continue;
      const group = `${keyId}\u0000${teamId ?? ''}`;
      const found = groups.get(group);
      if (found) found.ids.push(id);
      else groups.set(group, { keyId, teamId, ids: [id] });
    }
    if (this.held.size === 0) this.stop();
    await Promise.all(
      [...groups.values()].map(({ keyId, teamId, ids }) =>
        this.renew(keyId, ids, this.leaseMs, teamId).catch((error: unknown) =>
          this.onError(error as Error),
        ),
      ),
    );
  }
}
