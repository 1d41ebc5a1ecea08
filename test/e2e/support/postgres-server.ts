/** Kept with the bench, which measures the Postgres request log store too. */
export { startPostgres, type PostgresServer } from '../../../bench/src/postgres-server';
