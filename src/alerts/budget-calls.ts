import type { EndedCall } from '../call/ended-call';
import type { BudgetPeriod } from '../config/governance-config';
import { budgetPeriod } from '../governance/budget';
import type { BudgetCalls } from './fleet/alert-fleet';

/**
 * What a finished call says about its virtual key's budget: refused because the budget is used
 * up for now (402 `budget_exceeded` without a `param`; with one, the call alone was dearer than
 * the whole budget, which says nothing about the spend), or admitted against a budget.
 */
export function budgetOutcome(
  call: Pick<EndedCall, 'status' | 'errorCode' | 'errorParam' | 'virtualKeyId' | 'governed'>,
): { virtualKey: string; outcome: 'refused' | 'admitted' } | undefined {
  if (call.status === 402 && call.errorCode === 'budget_exceeded' && !call.errorParam) {
    return call.virtualKeyId ? { virtualKey: call.virtualKeyId, outcome: 'refused' } : undefined;
  }
  if (call.governed?.key.budget) return { virtualKey: call.governed.key.id, outcome: 'admitted' };
  return undefined;
}

/**
 * Since when a key's calls are refused for its budget: its last call in this budget period was
 * refused, and none was admitted after it. A new period, or an admitted call, ends it.
 */
export function refusedSince(
  calls: BudgetCalls | undefined,
  period: BudgetPeriod,
  periodLabel: string,
): number | undefined {
  const refused = calls?.refusedAtMs;
  if (refused === undefined) return undefined;
  if (budgetPeriod(period, refused).label !== periodLabel) return undefined;
  if ((calls?.admittedAtMs ?? -1) >= refused) return undefined;
  return refused;
}
