import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import {
  FAIL_FAST_REDIS_OPTIONS,
  whenReady,
  retargetRedis,
} from '../../common/redis/redis-connection';
import type { TeamRecord, VirtualKeyRecord } from '../../config/governance-config';
import {
  Admission,
  AdmissionRequest,
  DenialReason,
  GovernanceStore,
  KeyUsage,
  TeamUsage,
  UsageRecord,
  WINDOW_MS,
} from './governance-store';
import {
  ADMIT_SCRIPT,
  RECORD_SCRIPT,
  RENEW_SCRIPT,
  TEAM_USAGE_SCRIPT,
  USAGE_SCRIPT,
} from './redis-scripts';

type AdmitReply = [
  number,
  string,
  number,
  number,
  number,
  string,
  number,
  number,
  number,
  string,
  number,
  string,
  number,
  string,
  string,
];

interface ScriptedRedis extends Redis {
  gwAdmit(...args: Array<string | number>): Promise<AdmitReply>;
  gwRecord(...args: Array<string | number>): Promise<number>;
  gwRenew(...args: Array<string | number>): Promise<number>;
  gwUsage(
    ...args: Array<string | number>
  ): Promise<[number, number, string, number, number, string]>;
  gwTeamUsage(...args: Array<string | number>): Promise<[string, number, string]>;
}

const KEYS_HASH = 'gw:keys';
const KEYS_VERSION = 'gw:keys:version';
const TEAMS_HASH = 'gw:teams';

/**
 * Counters and admin-made keys in Redis, shared by every replica and kept across restarts.
 * Commands fail fast while Redis is away, so the gateway's failure policy decides instead of a
 * request waiting.
 * A key's counters share a hash tag (`{id}`), so they sit in one Redis Cluster slot.
 */
export class RedisGovernanceStore implements GovernanceStore {
  readonly shared = true;
  private readonly redis: ScriptedRedis;

  constructor(url: string, onError: (error: Error) => void) {
    const redis = new Redis(url, { ...FAIL_FAST_REDIS_OPTIONS, commandTimeout: 1_000 });
    redis.on('error', onError);
    redis.defineCommand('gwAdmit', { numberOfKeys: 6, lua: ADMIT_SCRIPT });
    redis.defineCommand('gwRecord', { numberOfKeys: 5, lua: RECORD_SCRIPT });
    // One or two keys (the team's hash too): the number of keys is the first argument.
    redis.defineCommand('gwRenew', { lua: RENEW_SCRIPT });
    redis.defineCommand('gwUsage', { numberOfKeys: 4, lua: USAGE_SCRIPT });
    redis.defineCommand('gwTeamUsage', { numberOfKeys: 2, lua: TEAM_USAGE_SCRIPT });
    this.redis = redis as ScriptedRedis;
  }

  /** Reconnects to another URL (a rotated REDIS_URL), keeping the scripts defined. */
  retarget(url: string): void {
    retargetRedis(this.redis, url);
  }

  /** Resolves once connected, or after `timeoutMs` (the failure policy covers the rest). */
  ready(timeoutMs: number): Promise<boolean> {
    return whenReady(this.redis, timeoutMs);
  }

  /** One cheap round trip: the store breaker's probe. */
  ping(): Promise<string> {
    return this.redis.ping();
  }

  async admit(request: AdmissionRequest): Promise<Admission> {
    const reserve = request.reserve;
    const team = request.teamBudget;
    const [
      admitted,
      reason,
      retryAfterMs,
      requests,
      tokens,
      spent,
      requestsReset,
      tokensReset,
      reservedTokens,
      reservedCost,
      ownTokens,
      ownCost,
      ownOutput,
      teamSpent,
      teamReserved,
    ] = await this.redis.gwAdmit(
      requestsKey(request.keyId),
      tokensKey(request.keyId),
      spendKey(request.keyId, request.budget?.period ?? 'none'),
      reservationsKey(request.keyId),
      teamSpendKey(team?.teamId ?? '', team?.period ?? 'none'),
      teamReservationsKey(team?.teamId ?? ''),
      WINDOW_MS,
      request.requestsPerMinute ?? 0,
      request.tokensPerMinute ?? 0,
      request.budget ? request.budget.limitNanoUsd : -1,
      request.budget ? request.budget.endsAtMs : 0,
      randomUUID(),
      reserve ? 1 : 0,
      reserve?.id ?? '',
      reserve?.promptTokens ?? 0,
      reserve?.explicitOutputTokens ?? -1,
      reserve?.outputCap ?? 0,
      reserve?.inputNanoPerToken ?? 0,
      reserve?.outputNanoPerToken ?? 0,
      reserve?.leaseMs ?? 0,
      team ? team.limitNanoUsd : -1,
      team ? team.endsAtMs : 0,
    );
    const refused = admitted !== 1;
    return {
      admitted: !refused,
      reason: reason ? (reason as DenialReason) : undefined,
      retryAfterMs: refused && retryAfterMs > 0 ? retryAfterMs : undefined,
      requestsInWindow: requests,
      tokensInWindow: tokens,
      spentNanoUsd: Number(spent),
      requestsResetMs: requestsReset,
      tokensResetMs: tokensReset,
      reservedTokens,
      reservedNanoUsd: Number(reservedCost),
      ...(team && {
        teamSpentNanoUsd: Number(teamSpent),
        teamReservedNanoUsd: Number(teamReserved),
      }),
      reservation:
        reserve && !refused
          ? {
              id: reserve.id,
              tokens: ownTokens,
              costNanoUsd: Number(ownCost),
              outputTokens: ownOutput,
            }
          : undefined,
    };
  }

  async record(usage: UsageRecord): Promise<void> {
    await this.redis.gwRecord(
      tokensKey(usage.keyId),
      spendKey(usage.keyId, usage.budgetPeriod?.period ?? 'none'),
      reservationsKey(usage.keyId),
      teamSpendKey(usage.team?.teamId ?? '', usage.team?.period ?? 'none'),
      teamReservationsKey(usage.team?.teamId ?? ''),
      usage.tokens,
      usage.budgetPeriod ? usage.costNanoUsd : 0,
      usage.budgetPeriod?.endsAtMs ?? 0,
      WINDOW_MS,
      usage.reservationId ?? '',
      usage.team ? usage.costNanoUsd : 0,
      usage.team?.endsAtMs ?? 0,
      usage.onlyIfHeld ? 1 : 0,
    );
  }

  async renew(
    keyId: string,
    reservationIds: readonly string[],
    leaseMs: number,
    teamId?: string,
  ): Promise<void> {
    if (reservationIds.length === 0) return;
    // The key's holds and, under a team budget, the same calls' holds on the team: one script.
    await this.redis.gwRenew(
      teamId === undefined ? 1 : 2,
      reservationsKey(keyId),
      ...(teamId === undefined ? [] : [teamReservationsKey(teamId)]),
      leaseMs,
      ...reservationIds,
    );
  }

  async teamUsage(teamId: string, period: string): Promise<TeamUsage> {
    const [spent, reservations, reserved] = await this.redis.gwTeamUsage(
      teamSpendKey(teamId, period),
      teamReservationsKey(teamId),
    );
    return {
      spentNanoUsd: Number(spent),
      reservations,
      reservedNanoUsd: Number(reserved),
    };
  }

  async loadTeams(): Promise<TeamRecord[]> {
    const all = await this.redis.hgetall(TEAMS_HASH);
    return Object.values(all).map((json) => JSON.parse(json) as TeamRecord);
  }

  async saveTeam(record: TeamRecord): Promise<void> {
    await this.redis
      .multi()
      .hset(TEAMS_HASH, record.id, JSON.stringify(record))
      .incr(KEYS_VERSION)
      .exec();
  }

  async deleteTeam(id: string): Promise<void> {
    await this.redis.multi().hdel(TEAMS_HASH, id).incr(KEYS_VERSION).exec();
  }

  async usage(keyId: string, budgetPeriod?: string): Promise<KeyUsage> {
    const [requests, tokens, spent, reservations, reservedTokens, reservedCost] =
      await this.redis.gwUsage(
        requestsKey(keyId),
        tokensKey(keyId),
        spendKey(keyId, budgetPeriod ?? 'none'),
        reservationsKey(keyId),
        WINDOW_MS,
      );
    return {
      requestsInWindow: requests,
      tokensInWindow: tokens,
      spentNanoUsd: budgetPeriod ? Number(spent) : 0,
      reservations,
      reservedTokens,
      reservedNanoUsd: Number(reservedCost),
    };
  }

  async loadKeys(): Promise<VirtualKeyRecord[]> {
    const all = await this.redis.hgetall(KEYS_HASH);
    return Object.values(all).map((json) => JSON.parse(json) as VirtualKeyRecord);
  }

  async saveKey(record: VirtualKeyRecord): Promise<void> {
    await this.redis
      .multi()
      .hset(KEYS_HASH, record.id, JSON.stringify(record))
      .incr(KEYS_VERSION)
      .exec();
  }

  async keysVersion(): Promise<number> {
    return Number((await this.redis.get(KEYS_VERSION)) ?? 0);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }
}

const requestsKey = (id: string) => `gw:{${id}}:requests`;
const tokensKey = (id: string) => `gw:{${id}}:tokens`;
const spendKey = (id: string, period: string) => `gw:{${id}}:spend:${period}`;
const reservationsKey = (id: string) => `gw:{${id}}:reservations`;
// A team's counters: under their own hash tag, so a call with a team touches two slots (plain
// Redis and Sentinel; the gateway does not speak Redis Cluster).
const teamSpendKey = (id: string, period: string) => `gw:team:{${id}}:spend:${period}`;
const teamReservationsKey = (id: string) => `gw:team:{${id}}:reservations`;
