/** One audit line as written, with its place in this replica's ring. */
export interface StoredAuditLine {
  /** Increasing within this process: ties on `time` are ordered by it. */
  seq: number;
  timeMs: number;
  line: Record<string, unknown>;
}

/** What `GET /admin/audit` filters by. */
export interface AuditQuery {
  fromMs?: number;
  toMs?: number;
  actor?: string;
  action?: string;
  limit: number;
  /** Lines strictly older than this (from the previous page's last line). */
  before?: { timeMs: number; seq: number };
}

/**
 * The newest audit lines of this process, at most `capacity` (the oldest dropped first, and
 * counted), so `GET /admin/audit` can answer without a log pipeline. Pure: no I/O.
 */
export class AuditRing {
  private readonly lines: StoredAuditLine[] = [];
  private start = 0;
  private nextSeq = 1;
  /** Lines dropped from the ring because it was full (still in the stream or file sink). */
  dropped = 0;

  constructor(readonly capacity: number) {}

  add(timeMs: number, line: Record<string, unknown>): void {
    if (this.capacity <= 0) return;
    const stored = { seq: this.nextSeq++, timeMs, line };
    if (this.lines.length < this.capacity) {
      this.lines.push(stored);
      return;
    }
    this.lines[this.start] = stored;
    this.start = (this.start + 1) % this.capacity;
    this.dropped++;
  }

  get size(): number {
    return this.lines.length;
  }

  /** Newest first; one more than `limit` is looked for to know whether a next page exists. */
  query(query: AuditQuery): { data: StoredAuditLine[]; more: boolean } {
    const data: StoredAuditLine[] = [];
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const stored = this.lines[(this.start + i) % this.lines.length];
      if (!matches(stored, query)) continue;
      if (data.length === query.limit) return { data, more: true };
      data.push(stored);
    }
    return { data, more: false };
  }
}

function matches(stored: StoredAuditLine, query: AuditQuery): boolean {
  const { timeMs, seq, line } = stored;
  if (query.before) {
    const b = query.before;
    if (timeMs > b.timeMs || (timeMs === b.timeMs && seq >= b.seq)) return false;
  }
  if (query.fromMs !== undefined && timeMs < query.fromMs) return false;
  if (query.toMs !== undefined && timeMs > query.toMs) return false;
  if (query.actor !== undefined && line.actor !== query.actor) return false;
  if (query.action !== undefined && line.action !== query.action) return false;
  return true;
}
