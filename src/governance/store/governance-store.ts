import type { VirtualKeyRecord } from '../../config/governance-config';
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
}

export interface UsageRecord {
  keyId: string;
  /** The admission's reservation, released as the real use is counted. */
  reservationId?: string;
  tokens: number;
  costNanoUsd: number;
  budgetPeriod?: { period: string; endsAtMs: number };
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
   * Extends the leases of reservations still held (calls in flight) to now + `leaseMs`; an id
   * already settled or expired is left alone (never brought back).
   */
  renew(keyId: string, reservationIds: readonly string[], leaseMs: number): Promise<void>;
  usage(keyId: string, budgetPeriod?: string): Promise<KeyUsage>;
  /** Keys made through the admin API (config keys are not stored). */
  loadKeys(): Promise<VirtualKeyRecord[]>;
  saveKey(record: VirtualKeyRecord): Promise<void>;
  /** Changes whenever a key is saved, so replicas know when to reload. */
  keysVersion(): Promise<number>;
  close(): Promise<void>;
}
