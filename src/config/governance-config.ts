import type { RetiredPolicy } from '../providers/lifecycle/model-lifecycle';
/** Virtual keys, their limits and prices, the audit log: what platform teams control. */
export type BudgetPeriod = 'daily' | 'monthly';

export interface VirtualKeyPolicy {
  /** Upstream model ids (without `groq/`) this key may call; empty means every model. */
  models: string[];
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  budget?: { usd: number; period: BudgetPeriod };
  /** Guardrail policy ids every call with this key runs (issue 16). */
  guardrails?: string[];
  /** Overrides `models.onRetired` for this key's calls (issue 15). */
  onRetired?: RetiredPolicy;
}

export interface VirtualKeyRecord extends VirtualKeyPolicy {
  /** Safe to log, to show and to count by; never the key. */
  id: string;
  name?: string;
  /** SHA-256 of the key, hex. The key itself is never stored. */
  keySha256: string;
  /** The key's first characters, so a person can tell keys apart in a listing. */
  hint?: string;
  /** The team the key belongs to (issue 20): its spend also counts against the team's budget. */
  team?: string;
  source: 'config' | 'admin';
  createdAt: string;
  rotatedAt?: string;
  revokedAt?: string;
}

/**
 * A team (issue 20): virtual keys belong to one; its budget caps the sum of its keys' spend,
 * on top of each key's own budget (both hold, reserved atomically at admission).
 */
export interface TeamRecord {
  /** 1-64 letters, digits, _ . or -; what keys, tokens and role mappings name. */
  id: string;
  name?: string;
  budget?: { usd: number; period: BudgetPeriod };
  source: 'config' | 'admin';
  createdAt: string;
  updatedAt?: string;
}

/** USD per million tokens, as Groq's price list gives them. */
export interface ModelPrice {
  input: number;
  /** Prompt tokens Groq served from its cache; the input price when absent. */
  cachedInput?: number;
  output: number;
}

/** Retired-model successors and policy (`models.successors`, `models.onRetired`; issue 15). */
export interface RetiredModelsConfig {
  successors: Record<string, string>;
  onRetired: RetiredPolicy;
}

export interface GovernanceConfig {
  virtualKeys: VirtualKeyRecord[];
  /** `teams` in GATEWAY_CONFIG (more are made with the admin API). */
  teams: TeamRecord[];
  /** SHA-256 of GATEWAY_ADMIN_KEY; the admin API is off without it. */
  adminKeySha256?: string;
  /** By upstream model id (without `groq/`). */
  prices: Record<string, ModelPrice>;
  /** Undefined: the shipped retirement table, and `warn`. */
  retiredModels?: RetiredModelsConfig;
  /** What limits do while the shared store (Redis) is unreachable. */
  onStoreFailure: 'open' | 'closed';
  /**
   * For a key with a budget or a token limit, a call without max_tokens reserves what the key has
   * left (at most the model's output cap) and is sent upstream with that as max_completion_tokens.
   */
  clampToRemaining: boolean;
  /** With clampToRemaining false: the output tokens such a call reserves (overshoot bounded). */
  reserveOutputTokens: number;
  /** How long a reservation holds if its call never settles (its replica died). */
  reservationLeaseMs: number;
  audit: { destination: 'stdout' | string; includePrompts: boolean };
}

/** Governance is on once virtual keys are configured or the admin API can make them. */
export function isGovernanceEnabled(governance: GovernanceConfig): boolean {
  return governance.virtualKeys.length > 0 || governance.adminKeySha256 !== undefined;
}
