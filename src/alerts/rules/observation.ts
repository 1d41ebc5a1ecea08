import type { RuleConfig } from '../../config/alerts-config';
import type { AlertMessage, AlertScope } from '../alert-message';
import type { Counts } from './window-counts';

/** What one rule sees for one scope at one evaluation: is its condition true, and the figures. */
export interface Observation {
  /** Stable per rule and scope: `errors`, `budget-80:vk:search-team:0.8`. */
  alertKey: string;
  scope: AlertScope;
  firing: boolean;
  figure?: number;
  threshold?: number;
  unit: AlertMessage['unit'];
  summary: string;
  details: Record<string, string | number>;
  /** When the condition began, when the signal knows it (a store down since...). */
  sinceMs?: number;
}

/** Spend against one budget (a virtual key's own, or a team's), from the shared store. */
export interface BudgetFigure {
  owner: 'key' | 'team';
  /** The virtual key's id or the team's. */
  id: string;
  spentUsd: number;
  /** Held by calls in flight: admission checks spend plus this against the budget. */
  reservedUsd: number;
  limitUsd: number;
  /** Since when calls are refused with 402 `budget_exceeded` for this budget (none admitted since). */
  refusedSinceMs?: number;
  period: 'daily' | 'monthly';
  resetsAtMs: number;
}

/** Everything the rules read at one evaluation: fleet-wide where Redis holds it. */
export interface EvaluationInputs {
  nowMs: number;
  /** Counts summed over the last `seconds`. */
  window(seconds: number): Counts;
  budgets: readonly BudgetFigure[];
  /** Groq keys refused with 401/403, still not answered since. */
  invalidKeys: readonly { keyId: string; status: number; sinceMs: number }[];
  /** Every Groq key resting or with its breaker open. */
  allKeysDown?: { sinceMs: number; keys: number };
  storesDown: readonly { store: string; sinceMs: number; reason?: string }[];
}

export type RuleEvaluator = (rule: RuleConfig, inputs: EvaluationInputs) => Observation[];
