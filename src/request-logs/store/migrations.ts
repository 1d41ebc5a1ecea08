import { Kysely, Migration, MigrationProvider, Migrator, sql } from 'kysely';

/** The indexes migration 0002 makes partial: most rows have no value there. */
const PARTIAL_INDEXES: [string, string][] = [
  ['request_logs_virtual_key', 'virtual_key_id'],
  ['request_logs_team', 'team_id'],
  ['request_logs_error_code', 'error_code'],
];

/**
 * Versioned migrations, in order; run at start-up by every replica (Kysely's migrator takes a
 * lock, so two replicas starting together on one Postgres run each migration once). Append new
 * ones; never edit one that has shipped.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_request_logs': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('request_logs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('schema_version', 'integer', (c) => c.notNull())
        .addColumn('time_ms', 'bigint', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('trace_id', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('api_family', 'text', (c) => c.notNull())
        .addColumn('virtual_key_id', 'text')
        .addColumn('team_id', 'text')
        .addColumn('model_asked', 'text')
        .addColumn('model', 'text')
        .addColumn('model_route', 'text')
        .addColumn('key_id', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('retries', 'integer', (c) => c.notNull())
        .addColumn('fallbacks', 'integer', (c) => c.notNull())
        .addColumn('stream', 'integer', (c) => c.notNull())
        .addColumn('latency_ms', 'double precision', (c) => c.notNull())
        .addColumn('time_to_first_token_ms', 'double precision')
        .addColumn('prompt_tokens', 'integer')
        .addColumn('cached_tokens', 'integer')
        .addColumn('completion_tokens', 'integer')
        .addColumn('reasoning_tokens', 'integer')
        .addColumn('total_tokens', 'integer')
        .addColumn('cost_usd', 'double precision')
        .addColumn('guardrails', 'text')
        .addColumn('client_address', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('request_body', 'text')
        .addColumn('response_body', 'text')
        .execute();
      // Newest first, paged by (time, id); each filter of the query API has its own index.
      const indexes: [string, string[]][] = [
        ['request_logs_time', ['time_ms', 'id']],
        ['request_logs_request_id', ['request_id']],
        ['request_logs_virtual_key', ['virtual_key_id', 'time_ms']],
        ['request_logs_team', ['team_id', 'time_ms']],
        ['request_logs_model', ['model', 'time_ms']],
        ['request_logs_status', ['status', 'time_ms']],
        ['request_logs_error_code', ['error_code', 'time_ms']],
        ['request_logs_key', ['key_id', 'time_ms']],
      ];
      for (const [name, columns] of indexes) {
        await db.schema.createIndex(name).on('request_logs').columns(columns).execute();
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('request_logs').execute();
    },
  },
  /**
   * Cheaper writes, the same query plans. Every index costs each write a B-tree insert:
   *  - `model` goes: the model filter is `model = ? OR model_asked = ?`, which no single-column
   *    index serves (both stores scan the time index for it, with or without this one);
   *  - error code, virtual key and team become partial (`... IS NOT NULL`): most calls have no
   *    error code, and without virtual keys none has a key or team, so those rows cost nothing
   *    there; a filter `= value` implies NOT NULL, so SQLite and Postgres still use them.
   */
  '0002_request_logs_cheaper_indexes': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('request_logs_model').execute();
      for (const [name, column] of PARTIAL_INDEXES) {
        await db.schema.dropIndex(name).execute();
        await db.schema
          .createIndex(name)
          .on('request_logs')
          .columns([column, 'time_ms'])
          .where(sql.ref(column), 'is not', null)
          .execute();
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const [name, column] of PARTIAL_INDEXES) {
        await db.schema.dropIndex(name).execute();
        await db.schema.createIndex(name).on('request_logs').columns([column, 'time_ms']).execute();
      }
      await db.schema
        .createIndex('request_logs_model')
        .on('request_logs')
        .columns(['model', 'time_ms'])
        .execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

/** Brings the schema up to date; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'request_logs_migrations',
    migrationLockTableName: 'request_logs_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(
      `request logs migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** The schema's version as migrations left it, for /admin/stats and start-up logs. */
export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1) ?? '';
