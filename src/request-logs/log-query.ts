import { GatewayError } from '../common/errors/gateway-error';

/** What the query API, the export, the stats and the erasure filter by. */
export interface LogFilter {
  fromMs?: number;
  toMs?: number;
  model?: string;
  virtualKey?: string;
  keyId?: string;
  /** An exact status, or a class such as 4xx (given as its lower and upper bounds). */
  status?: { min: number; max: number };
  code?: string;
  /** Free text, matched case-insensitively in ids, models, error code, path, user agent, bodies. */
  q?: string;
  requestId?: string;
  /** Erasure only: records that started before this time. */
  beforeMs?: number;
  /**
   * Set by access control, never from a query parameter: only records of these teams (none: no
   * record), for a developer or viewer (issue 20). Undefined: every team.
   */
  teams?: readonly string[];
  /** Set by access control: false when the caller may not see bodies, so `q` does not search them. */
  searchBodies?: boolean;
}

export interface PageQuery {
  filter: LogFilter;
  limit: number;
  cursor?: Cursor;
}

/** Where the next page starts: newest first, by (time, id). */
export interface Cursor {
  timeMs: number;
  id: string;
}

export type Params = Record<string, string | string[] | undefined>;

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

/** The filter's parameters, which every reading endpoint takes (and erasure does not). */
export const FILTER_PARAMS: readonly string[] = [
  'from',
  'to',
  'model',
  'virtualKey',
  'keyId',
  'status',
  'code',
  'q',
];
/** What `DELETE /admin/logs` takes: nothing else, so nothing it would ignore widens an erasure. */
export const ERASURE_PARAMS: readonly string[] = ['virtualKey', 'before', 'requestId'];

/**
 * The filter of `GET /admin/logs` and its export, checked; a bad value is a 400 naming it. So is
 * a parameter that is neither a filter nor one of `others` (the endpoint's own): a misspelled
 * filter (`virtual_key=`) would otherwise answer everything, unfiltered.
 */
export function parseFilter(params: Params, others: readonly string[] = []): LogFilter {
  const accepted = [...FILTER_PARAMS, ...others];
  onlyParams(
    params,
    accepted,
    (name) =>
      `Unknown query parameter '${name}'; this endpoint takes ${accepted.join(', ')} (names are case-sensitive).`,
  );
  const filter: LogFilter = {
    fromMs: time(params, 'from'),
    toMs: time(params, 'to'),
    model: text(params, 'model'),
    virtualKey: text(params, 'virtualKey'),
    keyId: text(params, 'keyId'),
    status: status(params),
    code: text(params, 'code'),
    q: text(params, 'q'),
  };
  if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs > filter.toMs)
    throw invalid('from', 'from must not be after to.');
  return filter;
}

export function parsePage(params: Params): PageQuery {
  const rawLimit = text(params, 'limit');
  let limit = DEFAULT_PAGE;
  if (rawLimit !== undefined) {
    limit = Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
      throw invalid('limit', `limit must be a whole number from 1 to ${MAX_PAGE}.`);
  }
  const rawCursor = text(params, 'cursor');
  return {
    filter: parseFilter(params, ['limit', 'cursor']),
    limit,
    cursor: rawCursor === undefined ? undefined : decodeCursor(rawCursor),
  };
}

/** `DELETE /admin/logs`: at least one of virtualKey, before, requestId, so nothing is erased by accident. */
export function parseErasure(params: Params): LogFilter {
  // Any other parameter would be ignored, so erase more than asked (virtualKey=x&from=... erased
  // all of x's records): refused instead.
  onlyParams(
    params,
    ERASURE_PARAMS,
    (name) =>
      `Erasure takes only virtualKey, before (a time) and requestId, alone or together; '${name}' is not one of them, so nothing was erased.`,
  );
  const filter: LogFilter = {
    virtualKey: text(params, 'virtualKey'),
    beforeMs: time(params, 'before'),
    requestId: text(params, 'requestId'),
  };
  if (!filter.virtualKey && filter.beforeMs === undefined && !filter.requestId)
    throw invalid(
      'virtualKey',
      'Say what to erase: virtualKey, before (a time) or requestId, alone or together.',
    );
  return filter;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.timeMs}:${cursor.id}`).toString('base64url');
}

export function decodeCursor(raw: string): Cursor {
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  const at = text.indexOf(':');
  const time = text.slice(0, Math.max(0, at));
  const timeMs = Number(time);
  const id = text.slice(at + 1);
  // A record id is a UUID: a control character is no id of ours, and Postgres refuses a NUL (503).
  if (
    at <= 0 ||
    !/^-?\d+$/.test(time) ||
    !Number.isSafeInteger(timeMs) ||
    id === '' ||
    hasControlCharacter(id)
  )
    throw invalid('cursor', 'cursor is not one this API gave out; pass next_cursor as it came.');
  // The store's times are those a query may name, as `from` and `to` are checked.
  if (timeMs < MIN_TIME_MS || timeMs > MAX_TIME_MS)
    throw invalid(
      'cursor',
      'cursor is not one this API gave out (its time is outside the years 0000 to 9999); pass next_cursor as it came.',
    );
  return { timeMs, id };
}

/**
 * The times a query may name: years 0000 to 9999. Well inside what a JS Date holds (so the time
 * prints as ISO 8601), the JS safe integers and Postgres's bigint.
 */
export const MIN_TIME_MS = Date.parse('0000-01-01T00:00:00.000Z');
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** ISO 8601 (`2026-11-30T17:00:00Z`, `2026-11-30`) or milliseconds since the epoch. */
export function time(params: Params, name: string): number | undefined {
  const raw = text(params, name);
  if (raw === undefined) return undefined;
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms))
    throw invalid(
      name,
      `${name} must be an ISO 8601 time (e.g. 2026-11-30T17:00:00Z) or milliseconds since the epoch.`,
    );
  if (!Number.isSafeInteger(ms) || ms < MIN_TIME_MS || ms > MAX_TIME_MS)
    throw invalid(
      name,
      `${name} must be a time from the year 0000 to 9999 (in milliseconds since the epoch, at most ${MAX_TIME_MS}).`,
    );
  return ms;
}

function status(params: Params): LogFilter['status'] {
  const raw = text(params, 'status');
  if (raw === undefined) return undefined;
  if (/^[1-5]xx$/i.test(raw)) {
    const min = Number(raw[0]) * 100;
    return { min, max: min + 99 };
  }
  const value = Number(raw);
  if (!/^\d{3}$/.test(raw) || value < 100 || value > 599)
    throw invalid('status', 'status must be an HTTP status (e.g. 429) or a class (e.g. 5xx).');
  return { min: value, max: value };
}

export function text(params: Params, name: string): string | undefined {
  const raw = params[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed.length > 512) throw invalid(name, `${name} is longer than 512 characters.`);
  // Postgres refuses a NUL in text (the query failed: 503), and no stored text holds one.
  if (hasControlCharacter(trimmed))
    throw invalid(
      name,
      `${name} holds a control character (such as NUL, a tab or a line break); leave it out.`,
    );
  return trimmed === '' ? undefined : trimmed;
}

/** Whether the text holds a C0 or C1 control character or DEL (U+0000-U+001F, U+007F-U+009F). */
export function hasControlCharacter(text: string): boolean {
  return /\p{Cc}/u.test(text);
}

/** A 400 naming the first parameter not in `accepted` (its name cut short in the message). */
function onlyParams(
  params: Params,
  accepted: readonly string[],
  message: (shown: string) => string,
): void {
  for (const name of Object.keys(params))
    if (!accepted.includes(name))
      throw invalid(name, message(name.length > 64 ? `${name.slice(0, 64)}…` : name));
}

export function invalid(param: string, message: string): GatewayError {
  return new GatewayError({ status: 400, message, code: 'invalid_query_parameter', param });
}
