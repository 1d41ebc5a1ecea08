import type { AlertState } from '../alert-state';
import { sumCounts, type Counts } from '../rules/window-counts';

/** What one replica sees for itself and tells the others (never a secret: ids and times). */
export interface LocalSignals {
  instance: string;
  atMs: number;
  invalidKeys: { keyId: string; status: number; sinceMs: number }[];
  allKeysDown?: { sinceMs: number; keys: number };
  /** `reason`: why, in a few words ("writes fail (ECONNREFUSED ...)"), when the probe says. */
  storesDown: { store: string; sinceMs: number; reason?: string }[];
  /** Budgets (a virtual key's, a team's): the last call refused for it, the last admitted. */
  budgetCalls: BudgetCalls[];
}

/** Whose budget: a virtual key's own, or its team's (issue 20). */
export type BudgetOwner = 'key' | 'team';

export interface BudgetCalls {
  owner: BudgetOwner;
  /** The virtual key's id or the team's. */
  id: string;
  refusedAtMs?: number;
  admittedAtMs?: number;
}

/**
 * Where alert figures, signals and states live: this process alone, or Redis for the fleet.
 * With Redis, counts are summed over every replica, signals are merged, and only the replica
 * holding the lock evaluates and sends.
 */
export interface AlertFleet {
  readonly shared: boolean;
  /**
   * Adds this replica's counts, by second. A batch is applied at most once: adding `batchId` again
   * (a retry after a timeout that may have been applied after all) adds nothing.
   */
  add(counts: ReadonlyMap<number, Counts>, batchId: string): Promise<void>;
  /** Counts summed over the last `seconds` (ending at `nowSec`), for each length asked. */
  windows(nowSec: number, lengths: readonly number[]): Promise<Map<number, Counts>>;
  /** Publishes this replica's signals and returns every live replica's, its own included. */
  exchange(mine: LocalSignals): Promise<LocalSignals[]>;
  /** True when this replica is the one that evaluates and sends now. */
  lead(): Promise<boolean>;
  loadStates(): Promise<AlertState[]>;
  saveStates(states: readonly AlertState[]): Promise<void>;
  close(): Promise<void>;
}

/** Seconds of counts kept past the longest window. */
const SLACK_SECONDS = 5;

/** Without Redis: each replica alerts for itself, from its own traffic. */
export class MemoryAlertFleet implements AlertFleet {
  readonly shared = false;
  private readonly seconds = new Map<number, Counts>();
  private states: AlertState[] = [];

  constructor(private readonly keepSeconds: number) {}

  add(counts: ReadonlyMap<number, Counts>): Promise<void> {
    // One process: a call that fails never ran, so nothing can be added twice.
    for (const [second, part] of counts) {
      this.seconds.set(second, sumCounts([this.seconds.get(second) ?? {}, part]));
    }
    return Promise.resolve();
  }

  windows(nowSec: number, lengths: readonly number[]): Promise<Map<number, Counts>> {
    for (const second of this.seconds.keys()) {
      if (second <= nowSec - this.keepSeconds - SLACK_SECONDS) this.seconds.delete(second);
    }
    const result = new Map<number, Counts>();
    for (const length of lengths) {
      const parts: Counts[] = [];
      for (const [second, part] of this.seconds) if (second > nowSec - length) parts.push(part);
      result.set(length, sumCounts(parts));
    }
    return Promise.resolve(result);
  }

  exchange(mine: LocalSignals): Promise<LocalSignals[]> {
    return Promise.resolve([mine]);
  }

  lead(): Promise<boolean> {
    return Promise.resolve(true);
  }

  loadStates(): Promise<AlertState[]> {
    return Promise.resolve(this.states);
  }

  saveStates(states: readonly AlertState[]): Promise<void> {
    const byKey = new Map(this.states.map((s) => [s.alertKey, s]));
    for (const state of states) byKey.set(state.alertKey, state);
    this.states = [...byKey.values()];
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Every replica's signals as one: a key refused anywhere, a store down anywhere. */
export function mergeSignals(
  all: readonly LocalSignals[],
): Omit<LocalSignals, 'instance' | 'atMs'> {
  const keys = new Map<string, LocalSignals['invalidKeys'][number]>();
  const stores = new Map<string, LocalSignals['storesDown'][number]>();
  const budgets = new Map<string, BudgetCalls>();
  let allKeysDown: LocalSignals['allKeysDown'];
  for (const signals of all) {
    for (const calls of signals.budgetCalls ?? []) {
      const { owner, id } = calls;
      const seen = budgets.get(`${owner}:${id}`) ?? { owner, id };
      budgets.set(`${owner}:${id}`, {
        owner,
        id,
        refusedAtMs: latest(seen.refusedAtMs, calls.refusedAtMs),
        admittedAtMs: latest(seen.admittedAtMs, calls.admittedAtMs),
      });
    }
    for (const key of signals.invalidKeys) {
      const seen = keys.get(key.keyId);
      if (!seen || key.sinceMs < seen.sinceMs) keys.set(key.keyId, key);
    }
    for (const store of signals.storesDown) {
      const seen = stores.get(store.store);
      if (!seen || store.sinceMs < seen.sinceMs) stores.set(store.store, store);
    }
    if (
      signals.allKeysDown &&
      (!allKeysDown || signals.allKeysDown.sinceMs < allKeysDown.sinceMs)
    ) {
      allKeysDown = signals.allKeysDown;
    }
  }
  return {
    invalidKeys: [...keys.values()],
    storesDown: [...stores.values()],
    allKeysDown,
    budgetCalls: [...budgets.values()],
  };
}

function latest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}
