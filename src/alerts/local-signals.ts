import type { BudgetCalls, BudgetOwner, LocalSignals } from './fleet/alert-fleet';

/** How long a store must stay unanswering to count as down: not a reconnect, not start-up. */
export const STORE_DOWN_AFTER_MS = 3_000;

/** Longer than any budget period: older calls tell nothing about this one. */
const BUDGET_MEMORY_MS = 32 * 24 * 3_600_000;

/** What a store's probe answers: whether it works, and if not, why in a few words (no secret). */
export interface StoreHealth {
  available: boolean;
  reason?: string;
}

export type StoreProbe = () => StoreHealth;

interface KeyStatusLike {
  id: string;
  available: boolean;
}

/**
 * The health signals this replica sees: Groq keys refused with 401/403 (until one answers
 * again), every key out of service at once, stores that do not answer. Fed by small explicit
 * hooks (the key pool's outcomes, its status, a getter per store); read at each evaluation.
 */
export class LocalSignalWatch {
  private readonly invalid = new Map<string, { status: number; sinceMs: number }>();
  private allDownSince?: number;
  private readonly stores = new Map<string, { probe: StoreProbe; downSince?: number }>();
  private readonly budgetCalls = new Map<string, BudgetCalls>();

  /** One upstream attempt's status for a key (0: transport failure). */
  keyOutcome(keyId: string, status: number, nowMs: number): void {
    if (status === 401 || status === 403) {
      if (!this.invalid.has(keyId)) this.invalid.set(keyId, { status, sinceMs: nowMs });
    } else if (status >= 200 && status < 300) {
      this.invalid.delete(keyId);
    }
  }

  /**
   * A call against a budget (a virtual key's or its team's): refused with 402 because that budget
   * is used up, or admitted (at its start). A budget whose last call was refused is all used.
   */
  budgetCall(owner: BudgetOwner, id: string, outcome: 'refused' | 'admitted', atMs: number): void {
    const key = `${owner}:${id}`;
    const calls = this.budgetCalls.get(key) ?? { owner, id };
    if (outcome === 'refused') calls.refusedAtMs = Math.max(calls.refusedAtMs ?? 0, atMs);
    else calls.admittedAtMs = Math.max(calls.admittedAtMs ?? 0, atMs);
    this.budgetCalls.set(key, calls);
  }

  watchStore(name: string, probe: StoreProbe): void {
    this.stores.set(name, { probe });
  }

  snapshot(instance: string, nowMs: number, pool: readonly KeyStatusLike[]): LocalSignals {
    const allDown = pool.length > 0 && pool.every((key) => !key.available);
    if (allDown) this.allDownSince ??= nowMs;
    else this.allDownSince = undefined;
    const storesDown: LocalSignals['storesDown'] = [];
    for (const [store, watch] of this.stores) {
      let health: StoreHealth = { available: false };
      try {
        health = watch.probe();
      } catch {
        // a probe that throws says the store is not there
      }
      if (health.available) watch.downSince = undefined;
      else {
        watch.downSince ??= nowMs;
        if (nowMs - watch.downSince >= STORE_DOWN_AFTER_MS) {
          storesDown.push({
            store,
            sinceMs: watch.downSince,
            ...(health.reason ? { reason: health.reason } : {}),
          });
        }
      }
    }
    for (const [key, calls] of this.budgetCalls) {
      if (Math.max(calls.refusedAtMs ?? 0, calls.admittedAtMs ?? 0) < nowMs - BUDGET_MEMORY_MS) {
        this.budgetCalls.delete(key);
      }
    }
    return {
      instance,
      atMs: nowMs,
      invalidKeys: [...this.invalid].map(([keyId, v]) => ({ keyId, ...v })),
      allKeysDown:
        this.allDownSince === undefined
          ? undefined
          : { sinceMs: this.allDownSince, keys: pool.length },
      storesDown,
      budgetCalls: [...this.budgetCalls.values()].map((calls) => ({ ...calls })),
    };
  }
}
