import type { TeamRecord, VirtualKeyRecord } from '../../config/governance-config';
import {
  Admission,
  AdmissionRequest,
  GovernanceStore,
  KeyUsage,
  TeamUsage,
  UsageRecord,
  WINDOW_MS,
} from './governance-store';
import { planReservation } from './reservation';

/** Retry-after when only reservations in flight stand in the way: they settle within seconds. */
export const RESERVATIONS_RETRY_MS = 1_000;

interface KeyCounters {
  /** Admission times in the window, oldest first. */
  requests: number[];
  /** Tokens by the second they were reported in. */
  tokens: Map<number, number>;
  /** Reservations of calls in flight, by id, each with its lease's end. */
  reservations: Map<string, { tokens: number; costNanoUsd: number; expiresAt: number }>;
}

/**
 * Counters in this process: exact for one replica, and lost on restart (use Redis for more).
 * The same rules as the Redis scripts, in the same order, so the two stores answer alike.
 */
export class MemoryGovernanceStore implements GovernanceStore {
  readonly shared = false;
  private readonly counters = new Map<string, KeyCounters>();
  private readonly spend = new Map<string, number>();
  private readonly keys = new Map<string, VirtualKeyRecord>();
  private readonly teams = new Map<string, TeamRecord>();
  /** A team's calls in flight under its budget: cost and lease end, by reservation id. */
  private readonly teamReservations = new Map<
    string,
    Map<string, { costNanoUsd: number; expiresAt: number }>
  >();
  private version = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  admit(request: AdmissionRequest): Promise<Admission> {
    const now = this.clock();
    const counters = this.prune(request.keyId, now);
    const buckets = [...counters.tokens.entries()].sort((a, b) => a[0] - b[0]);
    const tokensInWindow = buckets.reduce((sum, [, n]) => sum + n, 0);
    const spentNanoUsd = request.budget
      ? (this.spend.get(spendKey(request.keyId, request.budget.period)) ?? 0)
      : 0;
    let reservedTokens = 0;
    let reservedNanoUsd = 0;
    for (const held of counters.reservations.values()) {
      reservedTokens += held.tokens;
      reservedNanoUsd += held.costNanoUsd;
    }
    const base = {
      requestsInWindow: counters.requests.length,
      tokensInWindow,
      spentNanoUsd,
      reservedTokens,
      reservedNanoUsd,
      requestsResetMs: counters.requests.length ? counters.requests[0] + WINDOW_MS : now,
      tokensResetMs: buckets.length ? (buckets[0][0] + 1) * 1000 + WINDOW_MS : now,
    };
    const team = request.teamBudget;
    const teamHeld = team ? this.teamHeld(team.teamId, now) : undefined;
    let teamReservedNanoUsd = 0;
    for (const held of teamHeld?.values() ?? []) teamReservedNanoUsd += held.costNanoUsd;
    const teamSpentNanoUsd = team
      ? (this.spend.get(teamSpendKey(team.teamId, team.period)) ?? 0)
      : undefined;
    if (team) Object.assign(base, { teamSpentNanoUsd, teamReservedNanoUsd });
    const budgetRefusal = (retryAfterMs?: number) =>
      done({ ...base, admitted: false, reason: 'budget', retryAfterMs });
    if (request.budget && spentNanoUsd >= request.budget.limitNanoUsd)
      return budgetRefusal(request.budget.endsAtMs - now);
    if (team && (teamSpentNanoUsd ?? 0) >= team.limitNanoUsd)
      return done({
        ...base,
        admitted: false,
        reason: 'team-budget',
        retryAfterMs: team.endsAtMs - now,
      });
    if (!request.reserve && request.tokensPerMinute && tokensInWindow >= request.tokensPerMinute) {
      return done({
        ...base,
        admitted: false,
        reason: 'tokens',
        retryAfterMs: tokensRetryAfter(buckets, tokensInWindow, request.tokensPerMinute, now),
      });
    }
    const plan = request.reserve
      ? planReservation(
          {
            tokensPerMinute: request.tokensPerMinute || undefined,
            budgetNanoUsd: request.budget?.limitNanoUsd,
            tokensInWindow,
            reservedTokens,
            spentNanoUsd,
            reservedNanoUsd,
            teamBudgetNanoUsd: team?.limitNanoUsd,
            teamSpentNanoUsd,
            teamReservedNanoUsd,
          },
          request.reserve,
        )
      : undefined;
    if (plan && !plan.ok) {
      const retryAfterMs =
        plan.reason === 'tokens'
          ? plan.blockedBySettled && request.tokensPerMinute
            ? tokensRetryAfter(
                buckets,
                tokensInWindow + reservedTokens + (request.reserve?.promptTokens ?? 0) + 1,
                request.tokensPerMinute,
                now,
              )
            : RESERVATIONS_RETRY_MS
          : plan.reason === 'budget'
            ? plan.blockedBySettled && request.budget
              ? request.budget.endsAtMs - now
              : RESERVATIONS_RETRY_MS
            : plan.reason === 'team-budget'
              ? plan.blockedBySettled && team
                ? team.endsAtMs - now
                : RESERVATIONS_RETRY_MS
              : undefined;
      return done({ ...base, admitted: false, reason: plan.reason, retryAfterMs });
    }
    if (request.requestsPerMinute && counters.requests.length >= request.requestsPerMinute) {
      return done({
        ...base,
        admitted: false,
        reason: 'requests',
        retryAfterMs: base.requestsResetMs - now,
      });
    }
    counters.requests.push(now);
    let reservation: Admission['reservation'];
    if (plan?.ok && request.reserve) {
      reservation = {
        id: request.reserve.id,
        tokens: plan.tokens,
        costNanoUsd: plan.costNanoUsd,
        outputTokens: plan.outputTokens,
      };
      counters.reservations.set(reservation.id, {
        tokens: plan.tokens,
        costNanoUsd: plan.costNanoUsd,
        expiresAt: now + request.reserve.leaseMs,
      });
      teamHeld?.set(reservation.id, {
        costNanoUsd: plan.costNanoUsd,
        expiresAt: now + request.reserve.leaseMs,
      });
    }
    return done({
      ...base,
      admitted: true,
      requestsInWindow: counters.requests.length,
      requestsResetMs: counters.requests[0] + WINDOW_MS,
      reservedTokens: reservedTokens + (reservation?.tokens ?? 0),
      reservedNanoUsd: reservedNanoUsd + (reservation?.costNanoUsd ?? 0),
      ...(team && {
        teamReservedNanoUsd:
          teamReservedNanoUsd + (teamHeld && reservation ? reservation.costNanoUsd : 0),
      }),
      reservation,
    });
  }

  record(usage: UsageRecord): Promise<void> {
    const now = this.clock();
    const counters = this.prune(usage.keyId, now);
    if (usage.reservationId) {
      const held = counters.reservations.delete(usage.reservationId);
      if (usage.team) this.teamHeld(usage.team.teamId, now).delete(usage.reservationId);
      // Settled already (a retry whose first attempt landed): counted once.
      if (!held && usage.onlyIfHeld) return Promise.resolve();
    }
    if (usage.tokens > 0) {
      const second = Math.floor(now / 1000);
      counters.tokens.set(second, (counters.tokens.get(second) ?? 0) + usage.tokens);
    }
    if (usage.budgetPeriod && usage.costNanoUsd > 0) {
      const key = spendKey(usage.keyId, usage.budgetPeriod.period);
      this.spend.set(key, (this.spend.get(key) ?? 0) + usage.costNanoUsd);
    }
    if (usage.team) {
      if (usage.costNanoUsd > 0) {
        const key = teamSpendKey(usage.team.teamId, usage.team.period);
        this.spend.set(key, (this.spend.get(key) ?? 0) + usage.costNanoUsd);
      }
    }
    return Promise.resolve();
  }

  renew(
    keyId: string,
    reservationIds: readonly string[],
    leaseMs: number,
    teamId?: string,
  ): Promise<void> {
    const now = this.clock();
    const counters = this.prune(keyId, now);
    const teamHeld = teamId === undefined ? undefined : this.teamHeld(teamId, now);
    for (const id of reservationIds) {
      for (const held of [counters.reservations.get(id), teamHeld?.get(id)])
        if (held) held.expiresAt = Math.max(held.expiresAt, now + leaseMs);
    }
    return Promise.resolve();
  }

  teamUsage(teamId: string, period: string): Promise<TeamUsage> {
    const held = this.teamHeld(teamId, this.clock());
    let reservedNanoUsd = 0;
    for (const h of held.values()) reservedNanoUsd += h.costNanoUsd;
    return Promise.resolve({
      spentNanoUsd: this.spend.get(teamSpendKey(teamId, period)) ?? 0,
      reservations: held.size,
      reservedNanoUsd,
    });
  }

  loadTeams(): Promise<TeamRecord[]> {
    return Promise.resolve([...this.teams.values()]);
  }

  saveTeam(record: TeamRecord): Promise<void> {
    this.teams.set(record.id, record);
    this.version++;
    return Promise.resolve();
  }

  deleteTeam(id: string): Promise<void> {
    this.teams.delete(id);
    this.version++;
    return Promise.resolve();
  }

  /** A team's reservations, leases past their end dropped. */
  private teamHeld(teamId: string, now: number) {
    let held = this.teamReservations.get(teamId);
    if (!held) {
      held = new Map();
      this.teamReservations.set(teamId, held);
    }
    for (const [id, h] of held) if (h.expiresAt <= now) held.delete(id);
    return held;
  }

  usage(keyId: string, budgetPeriod?: string): Promise<KeyUsage> {
    const counters = this.prune(keyId, this.clock());
    let tokens = 0;
    for (const n of counters.tokens.values()) tokens += n;
    let reservedTokens = 0;
    let reservedNanoUsd = 0;
    for (const held of counters.reservations.values()) {
      reservedTokens += held.tokens;
      reservedNanoUsd += held.costNanoUsd;
    }
    return Promise.resolve({
      requestsInWindow: counters.requests.length,
      tokensInWindow: tokens,
      spentNanoUsd: budgetPeriod ? (this.spend.get(spendKey(keyId, budgetPeriod)) ?? 0) : 0,
      reservations: counters.reservations.size,
      reservedTokens,
      reservedNanoUsd,
    });
  }

  loadKeys(): Promise<VirtualKeyRecord[]> {
    return Promise.resolve([...this.keys.values()]);
  }

  saveKey(record: VirtualKeyRecord): Promise<void> {
    this.keys.set(record.id, record);
    this.version++;
    return Promise.resolve();
  }

  keysVersion(): Promise<number> {
    return Promise.resolve(this.version);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private prune(keyId: string, now: number): KeyCounters {
    let counters = this.counters.get(keyId);
    if (!counters) {
      counters = { requests: [], tokens: new Map(), reservations: new Map() };
      this.counters.set(keyId, counters);
    }
    const since = now - WINDOW_MS;
    let expired = 0;
    while (expired < counters.requests.length && counters.requests[expired] <= since) expired++;
    if (expired) counters.requests.splice(0, expired);
    for (const second of counters.tokens.keys()) {
      if ((second + 1) * 1000 <= since) counters.tokens.delete(second);
    }
    // A lease past its end: the replica holding it died, or its call never settled.
    for (const [id, held] of counters.reservations)
      if (held.expiresAt <= now) counters.reservations.delete(id);
    return counters;
  }
}

function spendKey(keyId: string, period: string): string {
  return `${keyId}\u0000${period}`;
}

function teamSpendKey(teamId: string, period: string): string {
  return `team\u0001${teamId}\u0000${period}`;
}

function done(admission: Admission): Promise<Admission> {
  return Promise.resolve(admission);
}

/** How long until enough of the oldest token buckets leave the window to go under the limit. */
export function tokensRetryAfter(
  buckets: Array<[number, number]>,
  total: number,
  limit: number,
  now: number,
): number {
  let left = total;
  for (const [second, tokens] of buckets) {
    left -= tokens;
    if (left < limit) return Math.max(1, (second + 1) * 1000 + WINDOW_MS - now);
  }
  return WINDOW_MS;
}
