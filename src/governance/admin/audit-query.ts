import {
  decodeCursor,
  DEFAULT_PAGE,
  encodeCursor,
  invalid,
  MAX_PAGE,
  text,
  time,
  type Params,
} from '../../request-logs/log-query';
import type { AuditQuery, AuditRing } from '../audit-ring';

/** The query of `GET /admin/audit`, checked: a bad value is a 400 naming it. */
export function parseAuditQuery(params: Params): AuditQuery {
  const fromMs = time(params, 'from');
  const toMs = time(params, 'to');
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs)
    throw invalid('from', 'from must not be after to.');
  const rawLimit = text(params, 'limit');
  let limit = DEFAULT_PAGE;
  if (rawLimit !== undefined) {
    limit = Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
      throw invalid('limit', `limit must be a whole number from 1 to ${MAX_PAGE}.`);
  }
  const rawCursor = text(params, 'cursor');
  let before: AuditQuery['before'];
  if (rawCursor !== undefined) {
    const cursor = decodeCursor(rawCursor);
    const seq = Number(cursor.id);
    if (!Number.isSafeInteger(seq) || seq < 1)
      throw invalid('cursor', 'cursor is not one this API gave out; pass next_cursor as it came.');
    before = { timeMs: cursor.timeMs, seq };
  }
  return {
    fromMs,
    toMs,
    actor: text(params, 'actor'),
    action: text(params, 'action'),
    limit,
    before,
  };
}

/** One page, newest first, with the cursor of the next (null on the last page). */
export function auditPage(
  ring: AuditRing,
  query: AuditQuery,
): { data: Array<Record<string, unknown>>; next_cursor: string | null } {
  const { data, more } = ring.query(query);
  const last = data[data.length - 1];
  return {
    data: data.map((stored) => stored.line),
    next_cursor: more && last ? encodeCursor({ timeMs: last.timeMs, id: String(last.seq) }) : null,
  };
}
