import {
  CompiledQuery,
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
 */
export function sqliteThreadDialect(thread: SqliteThread): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new SqliteThreadDriver(thread),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}

/** SQLite's one connection (as Kysely's SqliteDriver), held by one query or transaction at a time. */
class SqliteThreadDriver implements Driver {
  private readonly connection: DatabaseConnection;
  private held?: Promise<void>;
  private release?: () => void;

  constructor(private readonly thread: SqliteThread) {
    this.connection = {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        const result = await thread.query(query.sql, query.parameters);
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
    while (this.held) await this.held;
    this.held = new Promise((resolve) => (this.release = resolve));
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.release;
    this.held = undefined;
    this.release = undefined;
    release?.();
  }

  destroy(): Promise<void> {
    return this.thread.close();
  }
}
