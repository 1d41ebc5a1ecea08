import type { TeamRecord, VirtualKeyRecord } from '../../config/governance-config';
import type { ReservationDenial, ReserveRequest } from './reservation';

/** The sliding window every per-minute limit counts over. */
export const WINDOW_MS = 60_000;

export interface AdmissionRequest {
  keyId: string;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** The budget for this period in nano-dollars, and the period's label. */
  budget?: { limitNanoUsd: number; period: string; endsAtMs: number };
  /** The call's worst case, taken from the token window and budget until it settles. */
  reserve?: ReserveRequest;
  /**
   * The key's team's budget (issue 20): the team's spend this period plus its calls in flight
   * must stay within it, checked and reserved in the same atomic step as the key's own limits.
   */
  teamBudget?: { teamId: string; limitNanoUsd: number; period: string; endsAtMs: number };
}

export type DenialReason = 'requests' | ReservationDenial;

/** What an admitted call holds until it settles. */
export interface Reservation {
  id: string;
  tokens: number;
  costNanoUsd: number;
  outputTokens: number;
}

export interface Admission {
  admitted: boolean;
  reason?: DenialReason;
  /** When a refused request could succeed, for `retry-after`. */
  retryAfterMs?: number;
  /** Requests in the window, this one included when admitted. */
  requestsInWindow: number;
  tokensInWindow: number;
  spentNanoUsd: number;
  /** When the oldest request in the window leaves it (the request limit's reset). */
  requestsResetMs: number;
  tokensResetMs: number;
  /** In flight for the key (this call's included when admitted). */
  reservedTokens: number;
  reservedNanoUsd: number;
  /** This call's, when it asked for one and was admitted. */
  reservation?: Reservation;
  /** With a team budget: the team's spend this period and what its calls in flight hold. */
  teamSpentNanoUsd?: number;
  teamReservedNanoUsd?: number;
}

export interface UsageRecord {
  keyId: string;
  /** The admission's reservation, released as the real use is counted. */
  reservationId?: string;
  /**
   * A retry of a settlement that may have landed (its answer was lost): the use is counted only
   * if the reservation is still held, so it is never counted twice.
   */
  onlyIfHeld?: boolean;
  tokens: number;
  costNanoUsd: number;
  budgetPeriod?: { period: string; endsAtMs: number };
  /** The key's team: its spend this period grows by the cost, its reservation is released. */
  team?: { teamId: string; period: string; endsAtMs: number };
}

export interface TeamUsage {
  spentNanoUsd: number;
  /** The team's calls in flight and what they hold (only counted under a team budget). */
  reservations: number;
  reservedNanoUsd: number;
}

export interface KeyUsage {
  requestsInWindow: number;
  tokensInWindow: number;
  spentNanoUsd: number;
  /** Calls admitted and not yet settled, and what they hold. */
  reservations: number;
  reservedTokens: number;
  reservedNanoUsd: number;
}

/**
 * Where counters and admin-made keys live: in this process, or in Redis for every replica. Each
 * admission is one atomic step (check every limit, then count the request), so replicas sharing
 * a store never admit more than a limit between them.
 */
export interface GovernanceStore {
  readonly shared: boolean;
  admit(request: AdmissionRequest): Promise<Admission>;
  record(usage: UsageRecord): Promise<void>;
  /**
   * Extends the leases of reservations still held (calls in flight) to now + `leaseMs`, the
   * key's and, with `teamId`, the same calls' holds on their team's budget; an id already settled
   * or expired is left alone (never brought back).
   */
  renew(
    keyId: string,
    reservationIds: readonly string[],
    leaseMs: number,
    teamId?: string,
  ): Promise<void>;
  usage(keyId: string, budgetPeriod?: string): Promise<KeyUsage>;
  /** Keys made through the admin API (config keys are not stored). */
  loadKeys(): Promise<VirtualKeyRecord[]>;
  saveKey(record: VirtualKeyRecord): Promise<void>;
  /** Teams made through the admin API (config teams are not stored). */
  loadTeams(): Promise<TeamRecord[]>;
  saveTeam(record: TeamRecord): Promise<void>;
  deleteTeam(id: string): Promise<void>;
  teamUsage(teamId: string, period: string): Promise<TeamUsage>;
  /** Changes whenever a key or a team is saved, so replicas know when to reload. */
  keysVersion(): Promise<number>;
  close(): Promise<void>;
}
