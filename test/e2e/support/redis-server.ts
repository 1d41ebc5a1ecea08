/** The tests' real redis-server: the same helper the bench uses (bench/src/redis-server.ts). */
export { startRedisServer, type RedisServer } from '../../../bench/src/redis-server';
