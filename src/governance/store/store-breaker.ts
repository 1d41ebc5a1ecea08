import {
  CircuitBreaker,
  type BreakerPolicy,
  type BreakerTransition,
} from '../../common/resilience/circuit-breaker';
import type { TeamRecord, VirtualKeyRecord } from '../../config/governance-config';
import type {
  Admission,
  AdmissionRequest,
  GovernanceStore,
  KeyUsage,
  TeamUsage,
  UsageRecord,
} from './governance-store';

/** A few failures in a row (timeouts included) and the store is skipped until a probe answers. */
export const STORE_BREAKER_POLICY: BreakerPolicy = { failureThreshold: 3, cooldownMs: 1_000 };

/** Thrown at once, without asking the store, while its breaker is open. */
export class StoreBreakerOpenError extends Error {
  constructor() {
    super('store circuit breaker open: skipped until a probe answers');
  }
}

/**
 * A breaker in front of a shared store (Redis). A hung Redis (SIGSTOP, a network partition)
 * answers nothing, so every command would wait the full command timeout; after a few failures
 * in a row calls fail at once instead (the caller applies `onStoreFailure`), and a background
 * probe (`ping`, never a request's own call) closes the breaker when Redis answers again.
 */
export class StoreBreaker {
  private readonly breaker: CircuitBreaker;

  constructor(
    private readonly ping: () => Promise<unknown>,
    private readonly onTransition: (transition: 'opened' | 'closed', reason: string) => void,
    policy: BreakerPolicy = STORE_BREAKER_POLICY,
    private readonly now: () => number = Date.now,
  ) {
    this.breaker = new CircuitBreaker(policy);
  }

  /** True while calls go to the store (closed); false while they fail fast. */
  get closed(): boolean {
    return this.breaker.isClosed();
  }

  /** Runs `call` through the breaker. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    if (!this.breaker.isClosed()) {
      this.probeInBackground();
      throw new StoreBreakerOpenError();
    }
    try {
      const result = await call();
      this.settled(this.breaker.success(), '');
      return result;
    } catch (error) {
      this.settled(this.breaker.failure(this.now()), (error as Error).message);
      throw error;
    }
  }

  private probeInBackground(): void {
    if (!this.breaker.tryProbe(this.now())) return;
    this.ping().then(
      () => this.settled(this.breaker.success(), 'probe answered'),
      (error: unknown) => this.settled(this.breaker.failure(this.now()), (error as Error).message),
    );
  }

  private settled(transition: BreakerTransition, reason: string): void {
    if (transition) this.onTransition(transition, reason);
  }
}

/**
 * A store whose every call goes through `breaker`: the same answers while Redis answers, an
 * immediate StoreBreakerOpenError while it does not.
 */
export class BreakerGuardedStore implements GovernanceStore {
  readonly shared: boolean;

  constructor(
    private readonly store: GovernanceStore,
    private readonly breaker: StoreBreaker,
  ) {
    this.shared = store.shared;
  }

  admit(request: AdmissionRequest): Promise<Admission> {
    return this.breaker.run(() => this.store.admit(request));
  }

  record(usage: UsageRecord): Promise<void> {
    return this.breaker.run(() => this.store.record(usage));
  }

  renew(
    keyId: string,
    reservationIds: readonly string[],
    leaseMs: number,
    teamId?: string,
  ): Promise<void> {
    return this.breaker.run(() => this.store.renew(keyId, reservationIds, leaseMs, teamId));
  }

  usage(keyId: string, budgetPeriod?: string): Promise<KeyUsage> {
    return this.breaker.run(() => this.store.usage(keyId, budgetPeriod));
  }

  loadKeys(): Promise<VirtualKeyRecord[]> {
    return this.breaker.run(() => this.store.loadKeys());
  }

  saveKey(record: VirtualKeyRecord): Promise<void> {
    return this.breaker.run(() => this.store.saveKey(record));
  }

  loadTeams(): Promise<TeamRecord[]> {
    return this.breaker.run(() => this.store.loadTeams());
  }

  saveTeam(record: TeamRecord): Promise<void> {
    return this.breaker.run(() => this.store.saveTeam(record));
  }

  deleteTeam(id: string): Promise<void> {
    return this.breaker.run(() => this.store.deleteTeam(id));
  }

  teamUsage(teamId: string, period: string): Promise<TeamUsage> {
    return this.breaker.run(() => this.store.teamUsage(teamId, period));
  }

  keysVersion(): Promise<number> {
    return this.breaker.run(() => this.store.keysVersion());
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
