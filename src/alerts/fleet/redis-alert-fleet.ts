import Redis from 'ioredis';
import { FAIL_FAST_REDIS_OPTIONS, retargetRedis } from '../../common/redis/redis-connection';
import type { AlertState } from '../alert-state';
import { sumCounts, type Counts } from '../rules/window-counts';
import type { AlertFleet, LocalSignals } from './alert-fleet';

// One hash tag: every alerts key sits in one Redis Cluster slot.
const PREFIX = 'gw:alerts:{fleet}';
const LEADER = `${PREFIX}:leader`;
const SIGNALS = `${PREFIX}:signals`;
const STATES = `${PREFIX}:states`;
const second = (s: number) => `${PREFIX}:s:${s}`;
const batchKey = (id: string) => `${PREFIX}:batch:${id}`;

/** Takes the lock when free, or extends it when held by this instance; 1 when held. */
const LEAD_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

/**
 * One batch of counts, applied at most once: KEYS[1] marks the batch as added (SET NX), KEYS[2..]
 * are its seconds. ARGV[1]: the mark's TTL, ARGV[2]: a second's TTL (s); then for each second the
 * number of its fields and the field, value pairs. 1 when applied now, 0 when it already was.
 */
const ADD_SCRIPT = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local at = 3
for i = 2, #KEYS do
  local fields = tonumber(ARGV[at])
  at = at + 1
  for _ = 1, fields do
    redis.call('HINCRBY', KEYS[i], ARGV[at], ARGV[at + 1])
    at = at + 2
  end
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
return 1`;

interface LeadingRedis extends Redis {
  gwAlertsLead(key: string, instance: string, ttlMs: number): Promise<number>;
  gwAlertsAdd(keys: number, ...keysThenArgs: Array<string | number>): Promise<number>;
}

/**
 * The fleet in Redis. Each replica adds its per-second counts (HINCRBY, one script a batch, each
 * batch applied at most once) and publishes its signals; one replica at a time holds a lock with
 * an expiry and evaluates fleet-wide counts and every replica's signals, and only it sends. If it dies, the lock
 * expires and another takes over, reading the alert states where the last one left them.
 */
export class RedisAlertFleet implements AlertFleet {
  readonly shared = true;
  private readonly redis: LeadingRedis;

  constructor(
    url: string,
    private readonly instance: string,
    /** How long the lock and a replica's signals outlive their last renewal. */
    private readonly leaseMs: number,
    private readonly keepSeconds: number,
  ) {
    const redis = new Redis(url, { ...FAIL_FAST_REDIS_OPTIONS, commandTimeout: 1_000 });
    // Outages are seen as failed calls below (and raise store_unavailable).
    redis.on('error', () => undefined);
    redis.defineCommand('gwAlertsLead', { numberOfKeys: 1, lua: LEAD_SCRIPT });
    redis.defineCommand('gwAlertsAdd', { lua: ADD_SCRIPT });
    this.redis = redis as LeadingRedis;
  }

  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  /** A rotated REDIS_URL (a new password, a moved server): reconnect there. */
  retarget(url: string): void {
    retargetRedis(this.redis, url);
  }

  /**
   * One script a batch: a batch sent again (its first try timed out, but may still run once a hung
   * Redis resumes) finds its mark and adds nothing. The mark lives as long as the seconds do.
   */
  async add(counts: ReadonlyMap<number, Counts>, batchId: string): Promise<void> {
    if (counts.size === 0) return;
    const ttl = this.keepSeconds + 60;
    const keys = [batchKey(batchId)];
    const args: Array<string | number> = [ttl, ttl];
    for (const [s, part] of counts) {
      const fields = Object.entries(part);
      keys.push(second(s));
      args.push(fields.length, ...fields.flat());
    }
    await this.redis.gwAlertsAdd(keys.length, ...keys, ...args);
  }

  async windows(nowSec: number, lengths: readonly number[]): Promise<Map<number, Counts>> {
    const longest = Math.max(0, ...lengths);
    const result = new Map<number, Counts>();
    if (longest === 0) return result;
    const pipeline = this.redis.pipeline();
    for (let s = nowSec - longest + 1; s <= nowSec; s++) pipeline.hgetall(second(s));
    const replies = await execOrThrow(pipeline);
    // replies[i] is the second nowSec - longest + 1 + i.
    const perSecond = replies.map((reply) => numbers(reply as Record<string, string>));
    for (const length of lengths) result.set(length, sumCounts(perSecond.slice(longest - length)));
    return result;
  }

  async exchange(mine: LocalSignals): Promise<LocalSignals[]> {
    const all = await this.redis
      .multi()
      .hset(SIGNALS, this.instance, JSON.stringify(mine))
      .hgetall(SIGNALS)
      .exec();
    const stored = (all?.[1]?.[1] ?? {}) as Record<string, string>;
    const live: LocalSignals[] = [];
    const stale: string[] = [];
    for (const [instance, text] of Object.entries(stored)) {
      try {
        const signals = JSON.parse(text) as LocalSignals;
        if (mine.atMs - signals.atMs <= this.leaseMs) live.push(signals);
        else stale.push(instance);
      } catch {
        stale.push(instance);
      }
    }
    // A replica that stopped takes its signals with it once they are older than the lease.
    if (stale.length > 0) await this.redis.hdel(SIGNALS, ...stale).catch(() => undefined);
    return live;
  }

  async lead(): Promise<boolean> {
    return (await this.redis.gwAlertsLead(LEADER, this.instance, this.leaseMs)) === 1;
  }

  async loadStates(): Promise<AlertState[]> {
    const stored = await this.redis.hgetall(STATES);
    return Object.values(stored).flatMap((text) => {
      try {
        return [JSON.parse(text) as AlertState];
      } catch {
        return [];
      }
    });
  }

  async saveStates(states: readonly AlertState[]): Promise<void> {
    if (states.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const state of states) pipeline.hset(STATES, state.alertKey, JSON.stringify(state));
    await execOrThrow(pipeline);
  }

  async close(): Promise<void> {
    // Hand the lock over at once rather than after its expiry.
    await this.redis
      .eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        LEADER,
        this.instance,
      )
      .catch(() => undefined);
    this.redis.disconnect();
  }
}

async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

function numbers(hash: Record<string, string> | null): Counts {
  const counts: Counts = {};
  for (const [field, value] of Object.entries(hash ?? {})) counts[field] = Number(value) || 0;
  return counts;
}
