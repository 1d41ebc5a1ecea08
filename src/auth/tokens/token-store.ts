import Redis from 'ioredis';
import { FAIL_FAST_REDIS_OPTIONS, retargetRedis } from '../../common/redis/redis-connection';
import type { AccessTokenRecord } from './access-token';

/** Where personal access tokens live: this process, or Redis for every replica. */
export interface TokenStore {
  byDigest(tokenSha256: string): Promise<AccessTokenRecord | undefined>;
  all(): Promise<AccessTokenRecord[]>;
  save(record: AccessTokenRecord): Promise<void>;
  /** Removes a token; the record removed, or undefined when there was none. */
  remove(id: string): Promise<AccessTokenRecord | undefined>;
  close(): Promise<void>;
}

export class MemoryTokenStore implements TokenStore {
  private readonly byId = new Map<string, AccessTokenRecord>();
  private readonly idByDigest = new Map<string, string>();

  byDigest(tokenSha256: string): Promise<AccessTokenRecord | undefined> {
    const id = this.idByDigest.get(tokenSha256);
    return Promise.resolve(id === undefined ? undefined : this.byId.get(id));
  }

  all(): Promise<AccessTokenRecord[]> {
    return Promise.resolve([...this.byId.values()]);
  }

  save(record: AccessTokenRecord): Promise<void> {
    this.byId.set(record.id, record);
    this.idByDigest.set(record.tokenSha256, record.id);
    return Promise.resolve();
  }

  remove(id: string): Promise<AccessTokenRecord | undefined> {
    const record = this.byId.get(id);
    if (record) {
      this.byId.delete(id);
      this.idByDigest.delete(record.tokenSha256);
    }
    return Promise.resolve(record);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const BY_ID = 'gw:tokens';
const BY_DIGEST = 'gw:tokens:digest';

/** Tokens in two Redis hashes (id -> record, digest -> id), written together in MULTI. */
export class RedisTokenStore implements TokenStore {
  private readonly redis: Redis;

  constructor(url: string, onError: (error: Error) => void) {
    this.redis = new Redis(url, { ...FAIL_FAST_REDIS_OPTIONS, commandTimeout: 1_000 });
    this.redis.on('error', onError);
  }

  retarget(url: string): void {
    retargetRedis(this.redis, url);
  }

  async byDigest(tokenSha256: string): Promise<AccessTokenRecord | undefined> {
    const id = await this.redis.hget(BY_DIGEST, tokenSha256);
    if (id === null) return undefined;
    const json = await this.redis.hget(BY_ID, id);
    return json === null ? undefined : (JSON.parse(json) as AccessTokenRecord);
  }

  async all(): Promise<AccessTokenRecord[]> {
    const all = await this.redis.hgetall(BY_ID);
    return Object.values(all).map((json) => JSON.parse(json) as AccessTokenRecord);
  }

  async save(record: AccessTokenRecord): Promise<void> {
    await this.redis
      .multi()
      .hset(BY_ID, record.id, JSON.stringify(record))
      .hset(BY_DIGEST, record.tokenSha256, record.id)
      .exec();
  }

  async remove(id: string): Promise<AccessTokenRecord | undefined> {
    const json = await this.redis.hget(BY_ID, id);
    if (json === null) return undefined;
    const record = JSON.parse(json) as AccessTokenRecord;
    await this.redis.multi().hdel(BY_ID, id).hdel(BY_DIGEST, record.tokenSha256).exec();
    return record;
  }

  close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }
}
