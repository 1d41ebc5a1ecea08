import { RecentRing } from '../common/recent-ring';

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
  private readonly lines: RecentRing<StoredAuditLine> | undefined;
  private nextSeq = 1;

  constructor(readonly capacity: number) {
    // A capacity of 0 keeps nothing (the route then answers an empty page).
    this.lines = capacity > 0 ? new RecentRing(capacity) : undefined;
  }

  add(timeMs: number, line: Record<string, unknown>): void {
    this.lines?.push({ seq: this.nextSeq++, timeMs, line });
  }

  get size(): number {
    return this.lines?.size ?? 0;
  }

  /** Lines dropped from the ring because it was full (still in the stream or file sink). */
  get dropped(): number {
    return this.lines?.dropped ?? 0;
  }

  /** Newest first; one more than `limit` is looked for to know whether a next page exists. */
  query(query: AuditQuery): { data: StoredAuditLine[]; more: boolean } {
    const data: StoredAuditLine[] = [];
    for (const stored of this.lines?.newestFirst() ?? []) {
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
