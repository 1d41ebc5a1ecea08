/** Whether a request-log sink (the store, an export) works now, and if not, why in a few words. */
export interface SinkHealth {
  available: boolean;
  /** For people on call: never a URL, a key or a record. */
  reason?: string;
}

export interface SinkState {
  /** The store could not be opened or migrated yet (its last attempt failed). */
  openFailing?: { error: unknown };
  /** The last write failed (and none succeeded since). */
  writeFailing?: { error: unknown };
  /** An idle store's last probe failed (Postgres: nothing to write, so nothing else would tell). */
  probeFailing?: { error: unknown };
  /** The queue holds its capacity: new records are dropped (or, in block mode, admission waits). */
  queueFull?: { length: number; block: boolean };
}

/**
 * A sink's health from what its queue and store say: the first problem found, in the order a
 * person would fix them. Feeds alerts' `store_unavailable`.
 */
export function sinkHealth(state: SinkState): SinkHealth {
  if (state.openFailing)
    return {
      available: false,
      reason: `cannot be opened (${errorReason(state.openFailing.error)})`,
    };
  if (state.writeFailing)
    return { available: false, reason: `writes fail (${errorReason(state.writeFailing.error)})` };
  if (state.probeFailing)
    return {
      available: false,
      reason: `does not answer (${errorReason(state.probeFailing.error)})`,
    };
  if (state.queueFull) {
    const { length, block } = state.queueFull;
    return {
      available: false,
      reason: block
        ? `cannot keep up: its queue is full (${length} records) and new calls wait at admission`
        : `cannot keep up: its queue is full (${length} records) and new records are dropped`,
    };
  }
  return { available: true };
}

/**
 * An error in a few words for a message that leaves the gateway (Slack, mail...): its system code
 * when it has one (ECONNREFUSED, SQLITE_READONLY), else its message without any URL, at most 160
 * characters.
 */
export function errorReason(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const text = message
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) && !text.includes(code))
    return `${code}: ${text}`;
  return text || 'unknown error';
}
