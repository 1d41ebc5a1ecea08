import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { SqliteThread } from './sqlite-thread';

/**
 * Kysely's SQLite dialect with its statements run on a SqliteThread: better-sqlite3 is
 * synchronous, so on the event loop a stats query or a text search over a large store (seconds
 * on 500,000 records) held every call in flight. The SQL is Kysely's SQLite SQL, the same as
 * SqliteDialect runs; only where it runs differs.
 *
 * Two dialects over one thread: `db` (migrations, counts) and `reads` (the query API), whose
 * every statement has `deadlineMs`. They share the thread's one connection, so one statement or
 * transaction of either runs at a time, and a migration is never cut by the query deadline.
 */
export function sqliteThreadDialects(
  thread: SqliteThread,
  deadlineMs?: number,
): { db: Dialect; reads: Dialect } {
  const lock = new ConnectionLock();
  const dialect = (deadline: number | undefined, owner: boolean): Dialect => ({
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new SqliteThreadDriver(thread, lock, deadline, owner),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  });
  return { db: dialect(undefined, true), reads: dialect(deadlineMs, false) };
}

/** SQLite's one connection (as Kysely's SqliteDriver), held by one query or transaction at a time. */
class ConnectionLock {
  private held?: Promise<void>;
  private release?: () => void;

  async acquire(): Promise<void> {
    while (this.held) await this.held;
    this.held = new Promise((resolve) => (this.release = resolve));
  }

  free(): void {
    const release = this.release;
    this.held = undefined;
    this.release = undefined;
    release?.();
  }
}

class SqliteThreadDriver implements Driver {
  private readonly connection: DatabaseConnection;
  /**
   * The thread a transaction began on. Should it be replaced (a deadline) or die mid-transaction,
   * the transaction's later statements must fail, not run on the new thread each committed on
   * its own; its rollback has nothing left to do (the old connection's transaction ends with it).
   */
  private transactionThread?: number;

  constructor(
    private readonly thread: SqliteThread,
    private readonly lock: ConnectionLock,
    deadlineMs: number | undefined,
    /** Whether destroying this driver closes the thread (the other dialect's does not). */
    private readonly owner: boolean,
  ) {
    this.connection = {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        const result = await thread.query(query.sql, query.parameters, {
          deadlineMs,
          onThread: this.transactionThread,
        });
        return {
          rows: (result.rows ?? []) as R[],
          numAffectedRows: result.changes === undefined ? undefined : BigInt(result.changes),
          insertId:
            result.lastInsertRowid === undefined ? undefined : BigInt(result.lastInsertRowid),
        };
      },
      streamQuery: () => {
        throw new Error('the request log store does not stream queries');
      },
    };
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.lock.acquire();
    return this.connection;
  }

  async beginTransaction(): Promise<void> {
    await this.control('begin', undefined);
    this.transactionThread = this.thread.current;
  }

  async commitTransaction(): Promise<void> {
    await this.control('commit', this.transactionThread);
    this.transactionThread = undefined;
  }

  async rollbackTransaction(): Promise<void> {
    const began = this.transactionThread;
    this.transactionThread = undefined;
    if (began !== undefined && began !== this.thread.current) return;
    await this.control('rollback', began);
  }

  /**
   * Transaction control: never given the deadline, so never refused while abandoned threads
   * finish (a refused rollback would leave the shared connection inside BEGIN) nor cut; still
   * held to the transaction's thread, so a commit on a replaced one fails.
   */
  private async control(
    statement: 'begin' | 'commit' | 'rollback',
    onThread: number | undefined,
  ): Promise<void> {
    await this.thread.query(statement, [], { onThread });
  }

  async releaseConnection(): Promise<void> {
    this.transactionThread = undefined;
    this.lock.free();
  }

  destroy(): Promise<void> {
    return this.owner ? this.thread.close() : Promise.resolve();
  }
}
