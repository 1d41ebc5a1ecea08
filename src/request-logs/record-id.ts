import { timeOrderedUuid } from '../call/ids';

/**
 * A record id: a version-7 UUID (time-ordered, see `timeOrderedUuid`), so the store's primary key
 * grows at its end. Drawn per record, never the request id: a caller may send the same
 * `x-request-id` twice, and exports deduplicate by record id.
 */
export function newRecordId(nowMs: number = Date.now()): string {
  return timeOrderedUuid(nowMs);
}
