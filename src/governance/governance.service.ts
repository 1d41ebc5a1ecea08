import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DEFAULT_GROQ_PRICES } from './default-prices';
import { ConfigService } from '@nestjs/config';
import type { AllConfig, GatewayConfig } from '../config/gateway-config';
import { LiveConfig } from '../config/live-config';
import { isGovernanceEnabled, type ModelPrice } from '../config/governance-config';
import { bareModelId } from '../providers/model-router';
import { isPricedByBreakdown } from './default-prices';
import { MetricsService } from '../metrics/metrics.service';
import { AuditLog } from './audit-log';
import { KeyRegistry } from './key-registry';
import type { GovernanceStore } from './store/governance-store';
import { MemoryGovernanceStore } from './store/memory-store';
import { RedisGovernanceStore } from './store/redis-store';
import { ReservationLeases } from './store/reservation-leases';
import { SettlementRetries } from './store/settlement-retries';
import { BreakerGuardedStore, StoreBreaker, StoreBreakerOpenError } from './store/store-breaker';

const KEY_REFRESH_MS = 1_000;

/**
 * Governance's shared state: the store, the key registry, the audit log, the price list. The
 * per-call work is split in two: GovernanceAdmission (authenticate at the guard, then admit the
 * validated, routed call against its key's limits) and GovernanceUsage (settle what an admitted
 * call used, from its `ended` event).
 */
@Injectable()
export class GovernanceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Governance');
  readonly config: GatewayConfig;
  readonly store: GovernanceStore;
  readonly registry: KeyRegistry;
  readonly audit: AuditLog;
  /** The leases of this replica's calls in flight, renewed until each call settles. */
  readonly leases: ReservationLeases;
  /** Settlements and releases, tried again in the background while the store cannot take them. */
  readonly settlements: SettlementRetries;
  /** With no virtual key configured and no admin API, the gateway is open. */
  readonly enabled: boolean;
  private storeHealthy = true;
  private redis?: RedisGovernanceStore;
  private storeBreaker?: StoreBreaker;
  private lastStoreWarning = 0;
  private refreshTimer?: NodeJS.Timeout;

  constructor(
    configService: ConfigService<AllConfig, true>,
    readonly metrics: MetricsService,
    live: LiveConfig,
  ) {
    this.config = configService.get('gateway', { infer: true });
    const governance = this.config.governance;
    this.store = this.config.redisUrl
      ? this.guarded(
          new RedisGovernanceStore(this.config.redisUrl, (error) => this.storeFailed(error)),
        )
      : new MemoryGovernanceStore();
    this.registry = new KeyRegistry(governance.virtualKeys, this.store, governance.teams);
    this.audit = new AuditLog(governance.audit.destination, governance.audit.includePrompts);
    this.enabled = isGovernanceEnabled(governance);
    this.leases = new ReservationLeases(
      governance.reservationLeaseMs,
      (keyId, ids, leaseMs, teamId) => this.store.renew(keyId, ids, leaseMs, teamId),
      (error) => this.storeFailed(error, 'leases not renewed this round'),
    );
    this.settlements = new SettlementRetries(
      (usage) => this.store.record(usage),
      governance.reservationLeaseMs,
      () => this.storeAnswered(),
      (error, consequence) => this.storeFailed(error, consequence),
    );
    // A rotated REDIS_URL (a new password, a moved server): reconnect, keeping what is counted there.
    live.onChange((next, previous) => {
      if (next.redisUrl && next.redisUrl !== previous.redisUrl) {
        // The store is the breaker-guarded wrapper; the Redis connection is the one it guards.
        this.redis?.retarget(next.redisUrl);
        this.logger.log('REDIS_URL changed: governance reconnects to Redis');
      }
    });
  }

  /** Redis behind a breaker: a hung Redis costs a few timeouts, then calls fail at once. */
  private guarded(redis: RedisGovernanceStore): GovernanceStore {
    this.redis = redis;
    this.storeBreaker = new StoreBreaker(
      () => redis.ping(),
      (transition, reason) => {
        if (transition === 'opened')
          this.logger.warn(
            `Governance store breaker opened (${reason}): calls skip Redis and follow onStoreFailure=${this.config.governance.onStoreFailure} until a probe answers`,
          );
        else this.logger.log(`Governance store breaker closed: Redis answers again (${reason})`);
      },
    );
    return new BreakerGuardedStore(redis, this.storeBreaker);
  }

  /**
   * Whether this replica can serve governed calls as configured: false only while the shared
   * store is skipped (breaker open) and the policy is to refuse without it. For readiness.
   */
  storeServing(): boolean {
    if (!this.enabled || this.config.governance.onStoreFailure !== 'closed') return true;
    return this.storeBreaker?.closed ?? true;
  }

  async onModuleInit(): Promise<void> {
    if (this.redis && !(await this.redis.ready(3_000))) {
      this.logger.warn(
        `Redis is not reachable yet; limits follow GOVERNANCE_ON_STORE_FAILURE=${this.config.governance.onStoreFailure} until it is`,
      );
    }
    await this.refreshKeys();
    if (this.store.shared) {
      this.refreshTimer = setInterval(() => void this.refreshKeys(), KEY_REFRESH_MS);
      this.refreshTimer.unref();
    }
    if (!this.enabled) {
      this.logger.warn(
        'Gateway is open: no virtual keys in GATEWAY_CONFIG and no GATEWAY_ADMIN_KEY, so every caller is admitted without a key',
      );
    } else {
      this.logger.log(
        `Virtual keys required: ${this.registry.size} known; state ${this.store.shared ? 'in Redis, shared by replicas' : 'in memory'}; admin API ${this.config.governance.adminKeySha256 ? 'on' : 'off'}`,
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.leases.stop();
    this.settlements.stop();
    this.audit.flush();
    await this.store.close();
  }

  /**
   * A model's price. A model route's is its dearest target's (every target must be priced), so a
   * budget admits a routed call only when whichever target serves it can be counted; the spend of
   * a served call is priced by the target that served it.
   */
  /** Priced by the table or config, or by its usage breakdown (Compound). */
  isPriced(model: string): boolean {
    return this.priceOf(model) !== undefined || isPricedByBreakdown(bareModelId(model));
  }

  priceOf(model: string | undefined): ModelPrice | undefined {
    if (!model) return undefined;
    const id = bareModelId(model);
    const own = this.priceOfId(id);
    if (own) return own;
    const route = this.config.routes.find((r) => r.id === id);
    if (!route) return undefined;
    const targetPrices = route.targets.map((t) => this.priceOfId(t.upstreamModel));
    if (targetPrices.some((p) => p === undefined)) return undefined;
    return (targetPrices as ModelPrice[]).reduce((dearest, p) => ({
      input: Math.max(dearest.input, p.input),
      cachedInput: Math.max(dearest.cachedInput ?? dearest.input, p.cachedInput ?? p.input),
      output: Math.max(dearest.output, p.output),
    }));
  }

  /** The operator's price for a Groq model id first, then Groq's list price shipped with the gateway. */
  private priceOfId(id: string): ModelPrice | undefined {
    const prices = this.config.governance.prices;
    if (Object.hasOwn(prices, id)) return prices[id];
    return Object.hasOwn(DEFAULT_GROQ_PRICES, id) ? DEFAULT_GROQ_PRICES[id] : undefined;
  }

  /** Makes sure admin-made keys are current; on failure keeps the keys it had. */
  async refreshKeys(force = false): Promise<boolean> {
    try {
      await this.registry.refresh(force);
      this.storeHealthy = true;
      return true;
    } catch (error) {
      this.storeFailed(error as Error);
      return false;
    }
  }

  /**
   * Gives a reservation back without charging anything (the call failed, or its admission was
   * given up on), retried while the store cannot answer. Only this id is released.
   */
  release(keyId: string, reservationId: string, teamId?: string): Promise<void> {
    return this.settlements.settle({
      keyId,
      reservationId,
      tokens: 0,
      costNanoUsd: 0,
      ...(teamId !== undefined && { team: { teamId, period: '', endsAtMs: 0 } }),
    });
  }

  /** Marks the store healthy again after a call to it succeeded. */
  storeAnswered(): void {
    this.storeHealthy = true;
  }

  get storeIsHealthy(): boolean {
    return this.storeHealthy;
  }

  storeFailed(error: Error, consequence = ''): void {
    this.storeHealthy = false;
    // Skipped by the open breaker: not a new failure, and the breaker's own line said so.
    if (error instanceof StoreBreakerOpenError) return;
    this.metrics.governanceStoreError();
    const now = Date.now();
    // One line every 10 s at most: a Redis outage must not flood the logs.
    if (now - this.lastStoreWarning > 10_000) {
      this.lastStoreWarning = now;
      this.logger.warn(
        `Governance store unavailable (${error.message})${consequence ? `: ${consequence}` : ''}; limits follow onStoreFailure=${this.config.governance.onStoreFailure}`,
      );
    }
  }
}
