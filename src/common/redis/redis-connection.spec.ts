import Redis from 'ioredis';
import { retargetRedis } from './redis-connection';

describe('retargetRedis', () => {
  it("replaces a connection's address and credentials with the new URL's", () => {
    const redis = new Redis('redis://:old-password@127.0.0.1:6390/1', { lazyConnect: true });
    redis.on('error', () => undefined);
    retargetRedis(redis, 'redis://gateway:new-password@127.0.0.2:6391/4');
    expect(redis.options).toMatchObject({
      host: '127.0.0.2',
      port: 6391,
      username: 'gateway',
      password: 'new-password',
      db: 4,
    });
    redis.disconnect();
  });
});
