/**
 * Why a query of the query API was stopped: it ran past LOGS_QUERY_TIMEOUT_MS (`deadline`), or it
 * was refused before it started because earlier ones that did are still running (`busy`, SQLite).
 */
export type QueryTimeoutKind = 'deadline' | 'busy';

export class QueryTimeoutError extends Error {
  constructor(
    readonly kind: QueryTimeoutKind,
    message: string,
  ) {
    super(message);
    this.name = 'QueryTimeoutError';
  }
}

/** Postgres's `query_canceled`: what `statement_timeout` raises (or an operator's cancel). */
const PG_QUERY_CANCELED = '57014';

/** How a store's error says a query was stopped for time, or undefined when it does not. */
export function queryTimeoutOf(error: unknown): QueryTimeoutKind | undefined {
  if (error instanceof QueryTimeoutError) return error.kind;
  const code = (error as { code?: unknown } | null)?.code;
  return code === PG_QUERY_CANCELED ? 'deadline' : undefined;
}
