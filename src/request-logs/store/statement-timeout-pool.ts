import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type { Pool, PoolClient } from 'pg';

/** Kysely's own transaction statements (`CompiledQuery.raw('begin')` and its kin). */
const BEGIN = /^\s*(begin|start transaction)\s*;?\s*$/i;
const END = /^\s*(commit|rollback)\s*;?\s*$/i;

/**
 * A pg pool for Kysely whose every statement runs with `statement_timeout` `timeoutMs` (0: none),
 * set by `SET LOCAL` inside the statement's transaction: its own (`begin; set local ...`, the
 * statement, `commit`) or the one Kysely began. So the setting holds for exactly the store's
 * statements, over whatever the role, the database or the URL set, and it works through a pooler
 * in transaction mode (PgBouncer), which refuses `statement_timeout` as a startup parameter and may
 * serve each transaction from another server connection. A statement outside a transaction costs
 * two more round trips: the store's statements are batches, retention and admin queries, never one
 * per call.
 */
export function statementTimeoutPool(pool: Pool, timeoutMs: number): PostgresPool {
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0)
    throw new Error(`statement_timeout must be a whole number of ms, got ${timeoutMs}`);
  const setTimeout = `set local statement_timeout = ${timeoutMs}`;
  return {
    connect: async () => withTimeout(await pool.connect(), setTimeout),
    end: () => pool.end(),
  };
}

function withTimeout(client: PoolClient, setTimeout: string): PostgresPoolClient {
  let inTransaction = false;
  // A connection whose transaction could not be ended is not handed to the next caller.
  let broken = false;
  const run = async <R>(
    sql: string,
    parameters: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> => {
    if (BEGIN.test(sql)) {
      const begun = await client.query(sql, [...parameters]);
      inTransaction = true;
      // Kysely does not roll back a transaction whose begin failed: never pool it half begun.
      await client.query(setTimeout).catch((error: unknown) => {
        broken = true;
        throw error;
      });
      return begun as unknown as PostgresQueryResult<R>;
    }
    if (END.test(sql)) {
      inTransaction = false;
      return (await client.query(sql, [...parameters])) as unknown as PostgresQueryResult<R>;
    }
    if (inTransaction)
      return (await client.query(sql, [...parameters])) as unknown as PostgresQueryResult<R>;
    try {
      await client.query(`begin; ${setTimeout}`);
      const result = await client.query(sql, [...parameters]);
      await client.query('commit');
      return result as unknown as PostgresQueryResult<R>;
    } catch (error) {
      await client.query('rollback').catch(() => (broken = true));
      throw error;
    }
  };
  return {
    query: ((sqlOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) =>
      typeof sqlOrCursor === 'string'
        ? run(sqlOrCursor, parameters ?? [])
        : client.query(sqlOrCursor as never)) as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(destroy || broken),
  };
}
