import type { LocalSignals } from './fleet/alert-fleet';

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
  private readonly stores = new Map<string, { available: () => boolean; downSince?: number }>();

  /** One upstream attempt's status for a key (0: transport failure). */
  keyOutcome(keyId: string, status: number, nowMs: number): void {
    if (status === 401 || status === 403) {
      if (!this.invalid.has(keyId)) this.invalid.set(keyId, { status, sinceMs: nowMs });
    } else if (status >= 200 && status < 300) {
      this.invalid.delete(keyId);
    }
  }

  watchStore(name: string, available: () => boolean): void {
    this.stores.set(name, { available });
  }

  snapshot(instance: string, nowMs: number, pool: readonly KeyStatusLike[]): LocalSignals {
    const allDown = pool.length > 0 && pool.every((key) => !key.available);
    if (allDown) this.allDownSince ??= nowMs;
    else this.allDownSince = undefined;
    const storesDown: LocalSignals['storesDown'] = [];
    for (const [store, watch] of this.stores) {
      let available = false;
      try {
        available = watch.available();
      } catch {
        // a probe that throws says the store is not there
      }
      if (available) watch.downSince = undefined;
      else {
        watch.downSince ??= nowMs;
        storesDown.push({ store, sinceMs: watch.downSince });
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
    };
  }
}
