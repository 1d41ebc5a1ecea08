import type { RequestLogsConfig } from '../../config/request-logs-config';
import type { LogStore } from './log-store';
import { WRITER_NICENESS } from './thread-priority';

/**
 * The configured store, its modules loaded on demand: Kysely, the driver and the SQL layer cost
 * start-up time, and `pg` is not needed by a SQLite gateway (nor better-sqlite3 by a Postgres one).
 */
export async function openStore(config: RequestLogsConfig): Promise<LogStore | undefined> {
  if (config.store === 'off') return undefined;
  const { LogStore } = await import('./log-store');
  const connect = await import('./connect');
  if (config.store === 'sqlite') {
    const { db, writer } = connect.openSqlite(config.dataDir, {
      writerNiceness: writerNicenessFor(config),
    });
    return new LogStore(db, writer);
  }
  return new LogStore(connect.openPostgres(config.postgresUrl ?? ''));
}

/**
 * The writer thread runs below the calls' priority when records may be dropped (the default); with
 * `LOGS_ON_OVERFLOW=block` (audit use: admission waits for the queue) at the calls' own, since
 * then the calls wait for it.
 */
export function writerNicenessFor(config: Pick<RequestLogsConfig, 'onOverflow'>): number {
  return config.onOverflow === 'block' ? 0 : WRITER_NICENESS;
}
