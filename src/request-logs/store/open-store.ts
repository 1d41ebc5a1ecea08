import type { RequestLogsConfig } from '../../config/request-logs-config';
import type { LogStore } from './log-store';

/**
 * The configured store, its modules loaded on demand: Kysely, the driver and the SQL layer cost
 * start-up time, and `pg` is not needed by a SQLite gateway (nor better-sqlite3 by a Postgres one).
 */
export async function openStore(config: RequestLogsConfig): Promise<LogStore | undefined> {
  if (config.store === 'off') return undefined;
  const { LogStore } = await import('./log-store');
  const connect = await import('./connect');
  const options = { queryTimeoutMs: config.queryTimeoutMs };
  return new LogStore(
    config.store === 'sqlite'
      ? connect.openSqlite(config.dataDir, options)
      : connect.openPostgres(config.postgresUrl ?? '', options),
  );
}
