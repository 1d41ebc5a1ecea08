import type { LogFilter } from './log-query';
import type { LogRecord } from './log-record';

/** What the live tail filters by: the list's filter without times (the tail is always now). */
export type TailFilter = Omit<LogFilter, 'fromMs' | 'toMs' | 'beforeMs' | 'requestId'>;

/** Whether a new record matches the tail's filter, as `GET /admin/logs` would match it. */
export function matchesTail(record: LogRecord, filter: TailFilter): boolean {
  if (filter.teams !== undefined && (!record.team_id || !filter.teams.includes(record.team_id)))
    return false;
  if (filter.model !== undefined && record.model !== filter.model) return false;
  if (filter.virtualKey !== undefined && record.virtual_key_id !== filter.virtualKey) return false;
  if (filter.keyId !== undefined && record.key_id !== filter.keyId) return false;
  if (filter.code !== undefined && record.error_code !== filter.code) return false;
  if (
    filter.status !== undefined &&
    (record.status < filter.status.min || record.status > filter.status.max)
  )
    return false;
  if (filter.q !== undefined) {
    const needle = filter.q.toLowerCase();
    const haystack = [
      record.request_id,
      record.trace_id,
      record.model,
      record.model_asked,
      record.error_code,
      record.path,
      record.user_agent,
      record.virtual_key_id,
      ...(filter.searchBodies === false ? [] : [record.request_body, record.response_body]),
    ];
    if (!haystack.some((value) => value?.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/** The record as the tail sends it: no bodies (open the record for them, where allowed). */
export function tailView(record: LogRecord): Omit<LogRecord, 'request_body' | 'response_body'> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { request_body, response_body, ...rest } = record;
  return rest;
}
