import Redis from 'ioredis';
import { FAIL_FAST_REDIS_OPTIONS } from '../../common/redis/redis-connection';
import type { Session } from './session';
import type { SessionStore } from './session-store';

const PREFIX = 'gw:auth:';
const INDEX = `${PREFIX}sessions`;

/**
 * Sessions in Redis (REDIS_URL), shared by every replica: `gw:auth:session:<id>` holds the
 * session as JSON and expires with it; the sorted set `gw:auth:sessions` (score: expiry) lists
 * them for the admin API. One-time entries are `SET NX` and `GETDEL`, atomic across replicas.
 */
export class RedisSessionStore implements SessionStore {
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(url, { ...FAIL_FAST_REDIS_OPTIONS, commandTimeout: 2_000 });
    // Errors reach the caller of each command; ioredis reconnects in the background.
    this.redis.on('error', () => undefined);
  }

  async save(session: Session, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    await this.redis
      .multi()
      .set(sessionKey(session.id), JSON.stringify(session), 'PX', ttl)
      .zadd(INDEX, Date.now() + ttl, session.id)
      .exec()
      .then(failOnError);
  }

  async get(id: string): Promise<Session | undefined> {
    const text = await this.redis.get(sessionKey(id));
    return text ? (JSON.parse(text) as Session) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    const results = await this.redis
      .multi()
      .del(sessionKey(id))
      .zrem(INDEX, id)
      .exec()
      .then(failOnError);
    return results[0] === 1;
  }

  async list(): Promise<Session[]> {
    const now = Date.now();
    await this.redis.zremrangebyscore(INDEX, '-inf', now);
    const ids = await this.redis.zrangebyscore(INDEX, now, '+inf');
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(ids.map(sessionKey));
    const gone = ids.filter((_, index) => texts[index] === null);
    if (gone.length > 0) await this.redis.zrem(INDEX, ...gone);
    return texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as Session);
  }

  async putOnce(key: string, value: string, ttlMs: number): Promise<boolean> {
    const set = await this.redis.set(
      `${PREFIX}${key}`,
      value,
      'PX',
      Math.max(1, Math.ceil(ttlMs)),
      'NX',
    );
    return set === 'OK';
  }

  async take(key: string): Promise<string | undefined> {
    return (await this.redis.getdel(`${PREFIX}${key}`)) ?? undefined;
  }

  async peek(key: string): Promise<string | undefined> {
    return (await this.redis.get(`${PREFIX}${key}`)) ?? undefined;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function sessionKey(id: string): string {
  return `${PREFIX}session:${id}`;
}

function failOnError(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('Redis transaction aborted');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
