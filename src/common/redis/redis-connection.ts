import Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';

/**
 * How the gateway talks to Redis: a command fails at once while Redis is away (no offline queue,
 * one retry, short timeouts) so a request never waits on it, and ioredis keeps reconnecting in
 * the background, backing off to 2 s.
 */
export const FAIL_FAST_REDIS_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  retryStrategy: (times) => Math.min(times * 100, 2_000),
};

/** Resolves true once the connection is ready, or false after `timeoutMs`. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const ADDRESS_OPTIONS = ['host', 'port', 'path', 'username', 'password', 'db', 'tls'] as const;

/**
 * Points a live connection at another Redis URL (a rotated password or a moved server): the
 * connection's address options are replaced and it reconnects, keeping its defined scripts,
 * its subscriptions and its listeners. Commands in flight fail as on any disconnect.
 */
export function retargetRedis(redis: Redis, url: string): void {
  // ioredis parses the URL itself; a connection never opened borrows the result. (Not
  // `redis.constructor`: ioredis mixes EventEmitter in, so that is EventEmitter.)
  const parsed = new Redis(url, { lazyConnect: true });
  const options = redis.options as unknown as Record<string, unknown>;
  const from = parsed.options as unknown as Record<string, unknown>;
  for (const name of ADDRESS_OPTIONS) options[name] = from[name];
  parsed.disconnect();
  redis.disconnect(true);
}
